"""A crawl on a terminal draws one live progress line (rich) instead of a line per report; piped
or logged, the plain lines stay (tests/crawler/test_output.py)."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

from crawler.live import line


def on_a_terminal(*args: str, cwd: Path, term: str = "xterm-256color") -> tuple[int, str]:
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NIANBAO_PLAIN", "JOURNAL_STREAM")}
    proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", *args], cwd=cwd, stdout=slave,
                            stderr=subprocess.PIPE, env={**env, "COLUMNS": "200", "TERM": term})  # fmt: skip
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(master)
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace")


def test_a_crawl_on_a_terminal_draws_a_live_line(tmp_path: Path) -> None:
    code, out = on_a_terminal("--demo", "--demo-reports", "5", "--no-alerts", cwd=tmp_path)
    assert code == 0, out
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out)
    assert "[xicheng] new:" not in plain  # no line per report
    drawn = [m.group(0) for m in re.finditer(r"xicheng: list pages \d+ · reports found \d+[^\r\n]*", plain)]
    assert drawn, plain
    assert "reports found 9 · " in drawn[-1]  # one report the list links twice is found once
    assert "stored 9 · failed 0" in drawn[-1]  # the last drawing: every report of the demo portal stored
    assert "reports 9 new" in plain


def test_a_dumb_terminal_gets_the_plain_lines(tmp_path: Path) -> None:
    code, out = on_a_terminal("--demo", "--demo-reports", "5", "--no-alerts", cwd=tmp_path, term="dumb")
    assert code == 0, out
    assert "\x1b[" not in out  # nothing a dumb terminal cannot draw
    assert out.count("[xicheng] new:") == 9


def test_the_line_says_rate_and_time_left() -> None:
    numbers = {"site": "x", "list_pages": 2, "found": 100, "fetched": 40, "stored": 30, "failed": 1,
               "rate": 10.0, "left": 7.0, "final": False}  # fmt: skip
    assert line(numbers) == (
        "x: list pages 2 · reports found 100 · fetched 40 · stored 30 · failed 1 · 10.0/s · 0:00:07 left"
    )
