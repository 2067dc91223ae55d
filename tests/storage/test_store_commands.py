"""The store through the command line: crawl ingest / search / findings / export."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from checks.assess import assessed
from crawler.cli import main
from parsers.load import parse_path
from storage.store import Store
from tests.storage.conftest import REAL_FILES, ingest
from tests.storage.series import SEEDS

ROOT = Path(__file__).resolve().parents[2]


def crawl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database made by `crawl ingest` of the seeds and the samples (site xicheng)."""
    path = tmp_path / "nianbao.db"
    done = crawl("ingest", "--site", "xicheng", "--db", str(path), *map(str, REAL_FILES))
    assert done.returncode == 0, done.stderr
    assert [line.split()[0] for line in done.stdout.splitlines()] == ["new"] * len(REAL_FILES)
    return path


def test_ingest_stores_reports_and_rejects_what_is_not_one(db: Path, tmp_path: Path) -> None:
    notice = tmp_path / "notice.txt"
    notice.write_text("关于印发2023年政务公开工作要点的通知\n\n各单位：现印发。\n", encoding="utf-8")
    done = crawl("ingest", "--site", "xicheng", "--db", str(db), str(notice), str(REAL_FILES[0]))
    assert done.returncode == 1
    assert "notice.txt" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout.split()[0] == "unchanged"  # the seed: stored already
    store = Store(db)
    assert store.db.execute("select count(*) from reports").fetchone()[0] == len(REAL_FILES)
    store.close()


def test_search_from_the_command_line(db: Path) -> None:
    done = crawl("search", "行政复议", "--site", "xicheng", "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == f"{len(REAL_FILES)} report(s)"
    assert "北京市西城区人民政府" in done.stdout and "[行政复议]" in done.stdout
    one = crawl("search", "西城外事", "--db", str(db))  # the name of seed 000's WeChat account
    assert one.stdout.splitlines()[-1] == "1 report(s)"
    assert "北京市西城区人民政府外事办公室" in one.stdout
    other_site = crawl("search", "行政复议", "--site", "dongcheng", "--db", str(db))
    assert other_site.stdout.strip() == "0 report(s)"
    short = crawl("search", "复议", "--site", "xicheng", "--db", str(db))  # under 3 characters: no trigram
    assert short.stdout.splitlines()[-1] == f"{len(REAL_FILES)} report(s)"


def test_search_in_the_store(seeded: Store) -> None:
    rows = seeded.text.search("行政复议", site="xicheng")
    assert len(rows) == len(REAL_FILES)
    assert all("[行政复议]" in r["snippet"] for r in rows)
    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows), reverse=True)  # newest stored first
    assert seeded.text.search("行政复议", site="nowhere") == []
    assert [r["agency"] for r in seeded.text.search("西城外事")] == ["北京市西城区人民政府外事办公室"]
    assert seeded.text.search('"引号" OR 1') == []  # query text is a phrase, never FTS syntax


def test_findings_command(db: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["findings", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.count("balance") == 4 and "missing_cells" in out and "missing_section" in out
    assert out.splitlines()[-1] == "8 open finding(s)"  # 4 errors of seed 003, 4 warnings (004, shanghai)
    assert main(["findings", "--db", str(db), "--severity", "error"]) == 0
    errors = capsys.readouterr().out.splitlines()
    assert errors[-1] == "4 open finding(s)"
    assert all(line.startswith(("error", " ")) for line in errors[:-1])
    assert main(["findings", "--db", str(db), "--site", "dongcheng"]) == 0
    assert capsys.readouterr().out.strip() == "0 open finding(s)"


def test_export_json(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "reports.json"
    assert main(["export", "--format", "json", "--db", str(db), "--out", str(out)]) == 0
    items = json.loads(out.read_text(encoding="utf-8"))
    assert len(items) == len(REAL_FILES)
    by_agency = {item["agency"]: item for item in items}
    for path in REAL_FILES:
        report = assessed(parse_path(path).report)
        item = by_agency[report.agency]
        expected = json.loads(json.dumps(report.to_json(), ensure_ascii=False))
        assert {k: item[k] for k in expected} == expected, path.name  # the spec's JSON form, findings included
        assert item["site"] == "xicheng" and item["url"] == path.resolve().as_uri()
        assert [set(v) for v in item["versions"]] == [{"id", "url", "fetched_at", "content_hash"}]
    # --year, --site, and stdout when no --out
    assert main(["export", "--db", str(db), "--year", "2020"]) == 0
    only = json.loads(capsys.readouterr().out)
    assert [(r["agency"], r["year"]) for r in only] == [("北京市西城区人民政府", 2020)]
    assert [f["rule"] for f in only[0]["findings"]] == ["balance"] * 4
    assert main(["export", "--db", str(db), "--site", "dongcheng"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_export_json_carries_history_findings_and_resolutions(store: Store, series: dict[str, Path]) -> None:
    from storage.export import export

    for name in ("2021", "2022", "2023"):
        ingest(store, series[name], site="demo")
    items = {r["year"]: r for r in json.loads(_export_text(store))}
    assert [f["rule"] for f in items[2022]["findings"]] == ["carry_continuity"] * 2
    assert items[2022]["findings"][0]["lhs"]["value"] == 1 and items[2022]["findings"][0]["rhs"]["value"] == 2
    assert [f["rule"] for f in items[2023]["findings"]] == ["in_force_continuity"]
    ingest(store, series["fixed_2022"], site="demo")
    items = {r["year"]: r for r in json.loads(_export_text(store))}
    assert items[2022]["findings"] == []
    assert items[2022]["applications"]["carried_over"]["total"] == 2  # the current version
    assert len(items[2022]["versions"]) == 2
    assert export(store, "json", None, "nowhere", None) == []


def _export_text(store: Store) -> str:
    import contextlib
    import io

    from storage.export import export

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        export(store, "json", None, None, None)
    return buf.getvalue()


def test_export_csv(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    folder = tmp_path / "csv"
    assert main(["export", "--format", "csv", "--db", str(db), "--out", str(folder)]) == 0
    assert set(capsys.readouterr().err.split()) >= {"wrote", str(folder / "cells.csv"), str(folder / "findings.csv")}
    with (folder / "cells.csv").open(encoding="utf-8", newline="") as fh:
        cells = list(csv.DictReader(fh))
    store = Store(db)
    assert len(cells) == store.db.execute("select count(*) from cells").fetchone()[0]
    store.close()
    seed_003 = [c for c in cells if c["year"] == "2020"]
    forward = {c["col"]: c["value"] for c in seed_003 if c["part"] == "applications" and c["row"] == "carried_forward"}
    assert forward["natural_person"] == "2701" and forward["total"] == "2782"  # whole numbers without .0
    first = next(c for c in seed_003 if c["part"] == "applications")
    assert (first["row"], first["col"]) == ("new_received", "natural_person")  # the report's own order
    shanxi = [c for c in cells if c["agency"] == "山西省人民政府外事办公室" and c["part"] == "applications"]
    assert sum(c["value"] == "" for c in shanxi) == 173  # blank stays blank, not 0
    decimal = parse_path(SEEDS / "003_42b2e6b1a7d7c7c9.txt").report.active_disclosure
    amounts = {c["value"] for c in seed_003 if c["row"] == "procurement" and c["col"] == "amount"}
    assert amounts == {str(decimal["procurement"]["amount"])}
    with (folder / "findings.csv").open(encoding="utf-8", newline="") as fh:
        findings = list(csv.DictReader(fh))
    assert [f["rule"] for f in findings if f["year"] == "2020"] == ["balance"] * 4
    assert all(f["resolved_at"] == "" for f in findings)
    assert {f["severity"] for f in findings} == {"error", "warning", "info"}
