"""The CLI's output layer: modules log, crawler.output decides what a user or the journal reads;
and no module but the CLI prints."""

from __future__ import annotations

import ast
import logging
import os
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler import output

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def logs() -> Iterator[None]:
    """configure() changes the process's logging: put it back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in output.PACKAGES}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, value in levels.items():
        logging.getLogger(name).setLevel(value)


def emit_a_crawl() -> None:
    pipelines, scrapy = logging.getLogger("crawler.pipelines"), logging.getLogger("scrapy.core.scraper")
    pipelines.info("[%s] %s", "xicheng", "new: 北京市西城区人民政府 2020")
    pipelines.warning("[%s] %s", "xicheng", "failed: http://x/1.html (HTTP 500)")
    scrapy.info("Crawled (200) <GET http://x/>")  # below LOG_LEVEL
    try:
        raise TimeoutError("took longer than 2.0 seconds")
    except TimeoutError:
        scrapy.error("Error downloading <GET http://x/2.html>", exc_info=True)
    logging.getLogger("storage.store").error("database is locked")


def test_a_terminal_sees_the_progress_on_stdout_and_one_line_warnings_on_stderr(logs, capsys) -> None:
    output.configure("WARNING")
    emit_a_crawl()
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "[xicheng] new: 北京市西城区人民政府 2020",  # as print() wrote it before
        "[xicheng] failed: http://x/1.html (HTTP 500)",
    ]
    assert err.splitlines() == [
        "ERROR scrapy.core.scraper: Error downloading <GET http://x/2.html>",  # no traceback
        "ERROR storage.store: database is locked",  # nianbao's errors: stderr, with their level
    ]


def test_configured_twice_the_lines_are_not_doubled(logs, capsys) -> None:
    output.configure("WARNING")
    output.configure("WARNING")
    logging.getLogger("crawler.scheduler").info("[%s] crawl starts", "xicheng")
    assert capsys.readouterr().out == "[xicheng] crawl starts\n"


def test_the_scheduler_stamps_each_line_with_its_beijing_time(logs, capsys) -> None:
    output.configure("WARNING", timestamps=True)
    before = datetime.now(UTC)
    logging.getLogger("crawler.scheduler").info("[%s] crawl starts", "xicheng")
    logging.getLogger("apscheduler.executors.default").warning("Run time of job was missed")
    out, err = capsys.readouterr()
    assert re.fullmatch(r"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00 \[xicheng\] crawl starts\n", out)
    stamped = datetime.fromisoformat(out.split()[0])
    assert before.replace(microsecond=0) <= stamped <= datetime.now(UTC)  # the same instant, told in +08:00
    assert re.fullmatch(r"\S+ WARNING apscheduler\.executors\.default: Run time of job was missed\n", err)


def test_under_systemd_every_line_has_its_level_and_source(logs, tmp_path, monkeypatch) -> None:
    journal = (tmp_path / "journal").open("w", encoding="utf-8")
    st = os.fstat(journal.fileno())
    monkeypatch.setenv("JOURNAL_STREAM", f"{st.st_dev}:{st.st_ino}")
    monkeypatch.setattr(sys, "stderr", journal)
    assert output.in_journal()
    output.configure("WARNING")
    emit_a_crawl()
    journal.close()
    assert (tmp_path / "journal").read_text(encoding="utf-8").splitlines() == [
        "<6>INFO crawler.pipelines: [xicheng] new: 北京市西城区人民政府 2020",
        "<4>WARNING crawler.pipelines: [xicheng] failed: http://x/1.html (HTTP 500)",
        "<3>ERROR scrapy.core.scraper: Error downloading <GET http://x/2.html>",
        "<3>ERROR storage.store: database is locked",
    ]


def test_another_stream_is_not_the_journal(monkeypatch) -> None:
    monkeypatch.setenv("JOURNAL_STREAM", "1:2")
    assert not output.in_journal()


def test_print_only_in_the_cli() -> None:
    """Everything else logs (crawler.output shows it), so the journal and scrapyd get levels."""
    printing = []
    for package in ("crawler", "parsers", "storage", "spiders", "checks", "alerts", "common"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.parent == ROOT / "crawler" / "cli":  # the output layer
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                    printing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert printing == []


def test_page_text_cannot_drive_the_terminal(tmp_path, capsys) -> None:
    import sqlite3

    from crawler.cli import main
    from crawler.output import OneLine
    from storage.store import Store
    from tests.storage.conftest import REAL_FILES, ingest

    title = "\x1b]0;pwned\x07\x1b[2J西城区\x9b31m\u202eevil"
    record = logging.LogRecord("crawler.pipelines", logging.INFO, __file__, 1, "[xicheng] new: %s", (title,), None)
    assert OneLine("%(message)s").format(record) == "[xicheng] new: ]0;pwned[2J西城区31mevil"
    db = tmp_path / "nianbao.db"
    with Store(db) as store:
        ingest(store, REAL_FILES[3])  # a report with findings
    with sqlite3.connect(db) as conn:
        conn.execute("update reports set agency = ?", [title])
    conn.close()
    assert main(["findings", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "西城区" in out and not any(c in out for c in "\x1b\x07\x9b\u202e")
