"""What an operator reads (issue 12): search pages with its total, an unknown --site is an error
everywhere, acks show and can be undone, CSV opens in Excel (a BOM), `crawl parse` exits 1 on a
report with errors, a crawl's summary tells new findings from those still open."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from crawler.run import RunResult, format_summary

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.txt"))


def crawl(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "nianbao.db"
    done = crawl("ingest", "--site", "xicheng", "--db", str(path), *map(str, SEEDS))
    assert done.returncode == 0, done.stderr
    return path


def test_search_says_the_total_and_pages(db: Path) -> None:
    everything = crawl("search", "政府信息", "--db", str(db))
    assert everything.stdout.splitlines()[-1] == f"{len(SEEDS)} report(s)"
    first = crawl("search", "政府信息", "--db", str(db), "--limit", "2")
    assert first.stdout.splitlines()[-1] == f"reports 1-2 of {len(SEEDS)}; --offset 2 for the next"
    last = crawl("search", "政府信息", "--db", str(db), "--limit", "2", "--offset", "4")
    assert last.stdout.splitlines()[-1] == f"reports 5-5 of {len(SEEDS)}"
    urls = {line.strip() for r in (first, last) for line in r.stdout.splitlines() if line.startswith("   ")}
    assert len(urls) == 3  # pages do not overlap


def test_search_does_not_match_the_table_markers(db: Path) -> None:
    for query in ("table", "[t", "/t"):  # FTS (3+ characters) and the short-query fallback
        assert crawl("search", query, "--db", str(db)).stdout.strip() == "0 report(s)", query


@pytest.mark.parametrize("command", [["findings"], ["search", "政府信息"], ["export", "--format", "json"]])
def test_an_unknown_site_is_an_error(db: Path, command: list[str]) -> None:
    done = crawl(*command, "--site", "nosuch", "--db", str(db))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("crawl: unknown site 'nosuch' (known: ") and "xicheng" in done.stderr
    assert crawl(*command, "--site", "xicheng", "--db", str(db)).returncode == 0


def test_acks_show_and_can_be_undone(db: Path) -> None:
    before = crawl("findings", "--db", str(db), "--severity", "error").stdout
    fingerprint = before.split("[", 2)[1].split("]")[0]
    assert crawl("ack", fingerprint, "--db", str(db)).returncode == 0
    acked = crawl("findings", "--db", str(db), "--severity", "error").stdout
    assert f"acknowledged: not alerted (crawl ack --undo {fingerprint})" in acked
    assert acked.splitlines()[-1].endswith(", 1 acknowledged")
    undone = crawl("ack", "--undo", fingerprint, "--db", str(db))
    assert undone.returncode == 0 and "undone" in undone.stdout
    assert crawl("findings", "--db", str(db), "--severity", "error").stdout == before
    assert " CST" in before  # since when, in Beijing time


def test_csv_export_has_a_bom(db: Path, tmp_path: Path) -> None:
    assert crawl("export", "--format", "csv", "--out", str(tmp_path), "--db", str(db)).returncode == 0
    for name in ("cells.csv", "findings.csv"):
        data = (tmp_path / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbfsite,")
        assert "北京市西城区人民政府" in data.decode("utf-8-sig")


def test_parse_exits_1_on_a_report_with_errors() -> None:
    assert crawl("parse", str(SEEDS[3])).returncode == 1  # 003: four balance errors
    assert crawl("parse", str(SEEDS[0])).returncode == 0
    assert "Exit status" in crawl("parse", "--help").stdout


def test_the_summary_tells_new_from_open() -> None:
    result = RunResult("xicheng", "ok", {"findings_error": 2}, [])
    line = format_summary([result], {"xicheng": Counter(error=27, warning=3)})
    assert "findings 2 new errors, 0 new warnings (27 errors, 3 warnings open in all);" in line


def test_the_demo_outbox_is_beside_its_database(tmp_path: Path) -> None:
    (tmp_path / "here").mkdir()
    done = crawl("--demo", "--demo-reports", "5", "--db", str(tmp_path / "x" / "d.db"), cwd=tmp_path / "here")
    assert done.returncode == 0, done.stderr
    assert f"1 sent to {tmp_path / 'x' / 'outbox'}" in done.stdout
    assert len(list((tmp_path / "x" / "outbox").glob("*.eml"))) == 1
    assert list((tmp_path / "here").iterdir()) == []
