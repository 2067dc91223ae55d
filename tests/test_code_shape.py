"""The code stays easy to read (issue 15): no module of the product packages over ~400 lines,
and no function over ~60 lines without a comment that says why it is long."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("common", "parsers", "checks", "storage", "spiders", "crawler", "alerts")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
WHY_LONG = "long because"  # a comment in a long function's first lines that says why


def _modules() -> list[Path]:
    return sorted(p for package in PRODUCT for p in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_size(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it by what it holds"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_function_size(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    long = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            n = node.end_lineno - node.lineno + 1
            head = "\n".join(lines[node.lineno - 1 : node.lineno + 8]).lower()
            if n > MAX_FUNCTION_LINES and WHY_LONG not in head:
                long.append(f"{node.name} ({n} lines)")
    assert not long, f"{path.relative_to(ROOT)}: {long}: shorten, or say why in a '# {WHY_LONG} …' comment"
