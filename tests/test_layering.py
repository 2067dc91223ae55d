"""The layers' imports (issue 15): data flows one way, fetch -> parse -> assess -> store -> alert,
and no layer reaches back up. Every import is read with ast, those under TYPE_CHECKING and
inside functions included, so a hint or a lazy import cannot hide a dependency."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("common", "parsers", "checks", "storage", "spiders", "crawler", "alerts", "fixture_portal", "web")

# package -> the project packages it must not import
FORBIDDEN = {
    "common": set(PACKAGES) - {"common"},
    "parsers": {"checks", "storage", "spiders", "crawler", "alerts", "fixture_portal"},
    "checks": {"parsers", "storage", "spiders", "crawler", "alerts", "fixture_portal"},
    "storage": {"parsers", "checks", "spiders", "crawler", "alerts", "fixture_portal"},
    "spiders": {"crawler", "storage", "checks", "alerts", "fixture_portal"},
    "alerts": {"crawler", "spiders", "fixture_portal"},
    "crawler": set(),
    "fixture_portal": {"crawler", "spiders", "storage", "checks", "alerts", "web"},
    # The web view reads the store (its parts) and lays reports out with common/; it runs no crawl,
    # decides no finding (it hands the store checks.assess's Judge: ALLOWED) and sends nothing.
    "web": {"parsers", "checks", "spiders", "crawler", "alerts", "fixture_portal"},
}
# What a package may take from one it otherwise must not import, and why.
ALLOWED = {
    # The rules and the store know the report model, nothing else of the parsers.
    "checks": ("parsers.model",),
    "storage": ("parsers.model",),
    # The alert step reads the user's settings and the crawl-health monitors' verdicts; never the
    # crawl machinery (pipelines, run, scheduler, cli).
    "alerts": ("crawler.config", "crawler.monitors", "crawler.schedule_triggers"),
    # The confirm button hands the store the rules' Judge, as `crawl confirm` does: the store asks
    # it to assess the report again; the web view decides no finding itself.
    "web": ("checks.assess",),
}
# Renderers get what they show from the collect step: they open no database.
RENDERERS = ("alerts/render.py",)
DATABASE_MODULES = {"sqlite3", "sqlite_utils", "storage"}


def imports_of(path: Path) -> set[str]:
    """The top-level names of every module `path` imports (relative imports resolved)."""
    return {name.split(".")[0] for name in dotted_imports(path)}


def dotted_imports(path: Path, package: str | None = None) -> set[str]:
    """The full names of every module `path` imports (a relative import as its package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = package or path.relative_to(ROOT).parts[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(package if node.level else node.module or "")
        elif isinstance(node, ast.Call) and _imported_by_name(node):
            names.add(node.args[0].value)
    return names


def _imported_by_name(call: ast.Call) -> bool:
    """importlib.import_module("x.y") / __import__("x.y") with the name written out."""
    func = getattr(call.func, "id", getattr(call.func, "attr", ""))
    first = call.args[0] if call.args else None
    return func in ("import_module", "__import__") and isinstance(first, ast.Constant) and isinstance(first.value, str)


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", PACKAGES)
def test_no_layer_reaches_back_up(package: str) -> None:
    assert modules(package), f"no modules in {package}/"
    allowed = ALLOWED.get(package, ())

    def forbidden(path: Path) -> list[str]:
        return sorted(
            name
            for name in dotted_imports(path)
            if name.split(".")[0] in FORBIDDEN[package] and not name.startswith(allowed)
        )

    bad = {str(path.relative_to(ROOT)): forbidden(path) for path in modules(package) if forbidden(path)}
    assert not bad, f"{package}/ imports what it must not: {bad}"


def module_path(name: str) -> Path | None:
    """The project file of a dotted module name (a package's __init__), None outside the project."""
    base = ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.exists():
            return path
    return None


@pytest.mark.parametrize("renderer", RENDERERS)
def test_renderers_open_no_database(renderer: str) -> None:
    """A renderer and everything of the project it imports, all the way down: no storage, no SQLite."""
    seen: set[str] = set()
    todo = [renderer.removesuffix(".py").replace("/", ".")]
    reached: set[str] = set()
    while todo:
        name = todo.pop()
        path = module_path(name)
        if name in seen or path is None:
            continue
        seen.add(name)
        found = dotted_imports(path)
        reached |= found
        todo += sorted(found)
    assert not {name for name in reached if name.split(".")[0] in DATABASE_MODULES}


def test_the_walk_sees_hidden_imports(tmp_path: Path) -> None:
    """The check itself: imports under TYPE_CHECKING, in a function, by name and relative ones are seen."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import importlib\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from storage.store import Store\n"
        "def f():\n    import crawler.cli\n    from . import model\n    importlib.import_module('alerts.render')\n",
        encoding="utf-8",
    )
    assert {"storage.store", "crawler.cli", "parsers", "alerts.render"} <= dotted_imports(probe, "parsers")
