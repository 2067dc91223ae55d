"""The store: schema and migrations, identity of reports and versions, one transaction per report."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from checks.assess import JUDGE, assessed
from parsers.load import parse_bytes, parse_path
from storage.errors import SiteBusy, StoreError
from storage.process import run_owner
from storage.schema import MIGRATIONS, SCHEMA_VERSION, version
from storage.store import Store
from tests.storage.conftest import REAL_FILES, ingest
from tests.storage.series import AGENCY, SEEDS

SEED_000 = SEEDS / "000_402f5e06dd06528b.txt"
SEED_003 = SEEDS / "003_42b2e6b1a7d7c7c9.txt"


def count(store: Store, table: str, where: str = "1", args: list | None = None) -> int:
    return store.db.execute(f"select count(*) from {table} where {where}", args or []).fetchone()[0]


# --- schema ------------------------------------------------------------------------------


def test_new_database_has_current_schema_and_wal(store: Store) -> None:
    assert version(store.db) == SCHEMA_VERSION
    assert store.db.execute("pragma journal_mode").fetchone()[0] == "wal"
    tables = set(store.db.table_names())
    assert {"reports", "versions", "cells", "findings", "report_text", "report_text_fts", "text_pending"} <= tables
    assert "cell_notes" not in tables  # the notes are in cells (schema 10)
    assert "current_cells" in store.db.view_names()  # cells of the current versions, with agency and year


def _v1_database(path: Path) -> None:
    """A database as the first nianbao left it, holding one report stored the old way."""
    db = sqlite_utils.Database(path)
    db["schema_meta"].create({"key": str, "value": str}, pk="key")
    MIGRATIONS[0](db)
    db["schema_meta"].insert({"key": "schema_version", "value": "1"})
    parsed = parse_path(SEED_003)
    assessed(parsed.report)
    db["sites"].insert({"name": "xicheng", "first_crawled": "2024-01-01T00:00:00+00:00"})
    rid = db["reports"].insert(
        {"site": "xicheng", "report_key": "北京市西城区人民政府|2020", "url": "https://old/003.html",
         "agency": parsed.report.agency, "year": 2020, "current_version": 1, "status": "error"}
    ).last_pk  # fmt: skip
    db["versions"].insert(
        {"id": 1, "report_id": rid, "url": "https://old/003.html", "fetched_at": "2024-01-01T00:00:00+00:00",
         "content_hash": "x", "records": "\n".join(parsed.records),
         "report_json": json.dumps(parsed.report.to_json(), ensure_ascii=False)}
    )  # fmt: skip
    db["cells"].insert_all(
        {"version_id": 1, "part": "applications", "row": row, "col": col, "value": value,
         "note": "含2件转办" if (row, col) == ("new_received", "total") else None}
        for row, cols in parsed.report.applications.items()
        for col, value in cols.items()
    )  # fmt: skip
    for f in parsed.report.findings:
        db["findings"].insert(
            {"report_id": rid, "version_id": 1, "rule": f.rule, "severity": f.severity, "where_": f.where,
             "message": f.message, "fingerprint": f.fingerprint, "first_seen": "2024-01-01T00:00:00+00:00"}
        )  # fmt: skip
    db["report_text"].insert(
        {
            "report_id": rid,
            "title": parsed.report.title,
            "agency": parsed.report.agency,
            "text": "\n".join(parsed.records),
        }
    )  # the v1 triggers index it
    db.close()


def test_old_database_migrates_forward_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _v1_database(path)
    store = Store(path)
    assert version(store.db) == SCHEMA_VERSION
    # The cells are now read from the version's JSON (all three tables); the old notes survive.
    assert count(store, "cells", "part = 'applications'") == 23 * 7
    assert count(store, "cells", "part = 'review_litigation'") == 15
    first = store.db.execute("select part, row, col from cells order by version_id, seq limit 1").fetchone()
    assert first == ("active_disclosure", "regulations", "made")  # the report's own order (制发 first)
    notes = store.db.execute("select row, col, value, note from cells where note is not null").fetchall()
    assert notes == [("new_received", "total", 1576, "含2件转办")]  # seed 003: 1576 applications
    assert [r["agency"] for r in store.text.search("结转下年度")] == ["北京市西城区人民政府"]
    # Every report is on its own site (copies, schema 10): the site's views read it from there.
    assert store.db.execute("select site, url, tables from copies").fetchall() == [
        ("xicheng", "https://old/003.html", None)
    ]
    # The same report stored by the new code is recognised (a version, since the old row's hash
    # is a stand-in), its findings are the same rows (same fingerprints), ...
    assert ingest(store, SEED_003, url="https://old/003.html").status == "changed"
    assert count(store, "reports") == 1 and count(store, "versions") == 2
    assert count(store, "findings") == 4
    # ...and the search index, built by v1's triggers, is updated through the queue.
    assert [r["agency"] for r in store.text.search("结转下年度")] == ["北京市西城区人民政府"]
    store.db.execute("insert into report_text_fts (report_text_fts) values ('integrity-check')")
    store.close()


def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    Store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("update schema_meta set value = '99' where key = 'schema_version'")
    with pytest.raises(StoreError, match="newer than this nianbao"):
        Store(path)


# --- ingesting the real reports ---------------------------------------------------------------


def test_seeds_and_samples_are_stored_with_cells_and_findings(seeded: Store) -> None:
    store = seeded
    assert count(store, "reports") == len(REAL_FILES) == count(store, "versions")
    for path in REAL_FILES:
        report = assessed(parse_path(path).report)
        row = store.db.execute(
            "select id, current_version, status, template, year from reports where agency = ? and year = ?",
            [report.agency, report.year],
        ).fetchone()
        assert row is not None, path.name
        rid, vid, status, template, year = row
        assert (template, year) == (report.template, report.year)
        # every table cell, blank ones as null, in the report's order
        cells = store.db.execute(
            "select part, row, col, value, note from cells where version_id = ? order by seq", [vid]
        ).fetchall()
        expected = [
            (part, r, c, v, report.notes.get(f"{part}.{r}.{c}"))
            for part in ("active_disclosure", "applications", "review_litigation")
            for r, cols in getattr(report, part).items()
            for c, v in cols.items()
        ]
        assert cells == expected, path.name
        # the parse-time findings, by fingerprint
        stored = {
            r[0]: r[1] for r in store.db.execute("select fingerprint, rule from findings where report_id = ?", [rid])
        }
        assert stored == {f.fingerprint: f.rule for f in report.findings}, path.name
        assert status == ("error" if any(f.severity == "error" for f in report.findings) else "ok")
    assert store.db.execute(
        "select count(*) from findings f join reports r on r.id = f.report_id "
        "where r.year = 2020 and f.rule = 'balance' and f.severity = 'error'"
    ).fetchone()[0] == 4  # fmt: skip
    blank = "select count(*) from cells c join reports r on r.current_version = c.version_id where r.agency = ? and value is null"
    assert store.db.execute(blank, ["山西省人民政府外事办公室"]).fetchone()[0] == 173
    notes = store.db.execute("select part, row, col, value, note from cells where note is not null").fetchall()
    assert notes == [("active_disclosure", "procurement", "amount", 251000, "251000元")]


def test_same_content_again_is_not_a_new_version(seeded: Store) -> None:
    before = {t: count(seeded, t) for t in ("reports", "versions", "cells", "findings")}
    for path in REAL_FILES:
        saved = ingest(seeded, path)
        assert saved.status == "unchanged"
        assert saved.new_findings == [] and saved.resolved_findings == []
    assert {t: count(seeded, t) for t in before} == before
    assert count(seeded, "findings", "resolved_at is not null") == 0


def test_report_moved_to_another_url_is_the_same_report(store: Store) -> None:
    first = ingest(store, SEED_000, url="https://www.bjxch.gov.cn/xxgk/2021/nb.html")
    moved = ingest(store, SEED_000, url="https://www.bjxch.gov.cn/zt/xxgkzl/gknbxq/pnidpv1.html")
    assert (moved.status, moved.report_id, moved.version_id) == ("unchanged", first.report_id, first.version_id)
    assert count(store, "reports") == 1 and count(store, "versions") == 1
    url = store.db.execute("select url from reports where id = ?", [first.report_id]).fetchone()[0]
    assert url == "https://www.bjxch.gov.cn/zt/xxgkzl/gknbxq/pnidpv1.html"


def test_stored_pages_are_the_sites_pages_that_hold_a_report(store: Store) -> None:
    """What a crawl reads once before asking for pages again (crawler.middlewares.ConditionalRequests)."""
    url = "https://www.bjxch.gov.cn/zt/xxgkzl/gknbxq/pnidpv1.html"
    ingest(store, SEED_000, url=url, page={"etag": '"abc"', "last_modified": None, "http_status": 200})
    store.pages.record("https://www.bjxch.gov.cn/broken.html", "xicheng", status="failed", error="HTTP 500")
    store.pages.record("https://www.bjxch.gov.cn/list.html", "xicheng", status="not_report", error="no tables")
    ingest(store, SEED_000, site="dongcheng", url="https://www.bjdch.gov.cn/nb.html",
           page={"etag": '"d"', "last_modified": "Mon, 03 Mar 2025 08:00:00 GMT", "http_status": 200})  # fmt: skip
    pages = store.pages.stored("xicheng")
    assert list(pages) == [url]
    assert (pages[url]["etag"], pages[url]["last_modified"]) == ('"abc"', None)
    assert pages[url]["last_fetched"]
    assert set(store.pages.stored(None)) == {url, "https://www.bjdch.gov.cn/nb.html"}


def test_unread_files_are_the_sites_attachment_only_pages_with_a_validator(store: Store) -> None:
    """What a crawl asks a report file it could not read for conditionally, and why it was not read."""
    wps, page = "https://www.bjxch.gov.cn/P1.wps", "https://www.bjxch.gov.cn/t1.html"
    store.pages.record(wps, "xicheng", status="attachment_only", error="needs LibreOffice to read .wps", etag='"w"')
    store.pages.record(page, "xicheng", status="attachment_only", error=f"{wps}: needs LibreOffice to read .wps")
    store.pages.record("https://www.bjxch.gov.cn/P2.pdf", "xicheng", status="attachment_only",
                       error="file not fetched: HTTP 500", http_status=500)  # fmt: skip
    store.pages.record("https://www.bjdch.gov.cn/P3.doc", "dongcheng", status="attachment_only", error="x",
                       last_modified="Mon, 03 Mar 2025 08:00:00 GMT")  # fmt: skip
    files = store.pages.unread_files("xicheng")
    assert list(files) == [wps] and files[wps]["etag"] == '"w"' and files[wps]["last_fetched"]
    assert len(store.pages.unread_files(None)) == 2
    assert store.pages.unread_reason(wps) == "needs LibreOffice to read .wps"
    assert store.pages.unread_reason("https://www.bjxch.gov.cn/elsewhere.pdf") is None


def test_revisitable_pages_add_those_read_and_found_no_report(store: Store) -> None:
    """A 解读 or notice is asked for conditionally too: revisitable() holds it with its status."""
    url = "https://www.bjxch.gov.cn/zt/xxgkzl/gknbxq/pnidpv1.html"
    ingest(store, SEED_000, url=url, page={"etag": '"abc"', "last_modified": None, "http_status": 200})
    store.pages.record("https://www.bjxch.gov.cn/broken.html", "xicheng", status="failed", error="HTTP 500")
    notice = "https://www.bjxch.gov.cn/jd.html"
    store.pages.record(notice, "xicheng", status="not_report", error="no tables", etag='"n"')
    pages = store.pages.revisitable("xicheng")
    assert set(pages) == {url, notice}
    assert (pages[notice]["status"], pages[notice]["etag"]) == ("not_report", '"n"')
    assert pages[url]["status"] == "stored"


def test_reports_without_agency_or_title_do_not_share_fingerprints(store: Store) -> None:
    """Two pages of bare tables (no title anywhere) are two reports, known by URL: acknowledging a
    finding of one (by fingerprint) must not silence the other's."""
    tables = "\n".join(line for line in SEED_003.read_text(encoding="utf-8").splitlines() if "\t" in line)
    saved = []
    for n, text in enumerate((tables, tables.replace("\t1518\t", "\t1519\t", 1))):
        parsed = parse_bytes(text.encode("utf-8"), "text")
        assert (parsed.report.agency, parsed.report.title) == (None, None)
        report = assessed(parsed.report)
        saved.append(
            store.save_report("xicheng", f"https://www.bjxch.gov.cn/t{n}.html", report, parsed.records, judge=JUDGE)
        )
    prints = [
        {r[0] for r in store.db.execute("select fingerprint from findings where report_id = ?", [s.report_id])}
        for s in saved
    ]
    assert prints[0] and prints[1] and not prints[0] & prints[1]


def test_changed_content_is_a_new_version_with_a_diff(store: Store, series: dict[str, Path]) -> None:
    first = ingest(store, series["2022"], site="demo", url="https://demo/2022.html")
    assert store.reports.diff(first.report_id) == ""  # one version: nothing to compare
    second = ingest(store, series["fixed_2022"], site="demo", url="https://demo/2022-corrected.html")
    assert second.status == "changed"
    assert second.report_id == first.report_id and second.previous_version_id == first.version_id
    assert [v["id"] for v in store.reports.versions(first.report_id)] == [first.version_id, second.version_id]
    current = store.db.execute("select current_version, url from reports where id = ?", [first.report_id]).fetchone()
    assert current == (second.version_id, "https://demo/2022-corrected.html")
    diff = store.reports.diff(first.report_id)
    assert diff == store.reports.diff(old=first.version_id, new=second.version_id)
    lines = diff.splitlines()
    assert lines[0].startswith(f"--- version {first.version_id} ") and lines[0].endswith("https://demo/2022.html")
    assert lines[1].startswith(f"+++ version {second.version_id} ")
    assert [line for line in lines if line.startswith(("-", "+")) and not line.startswith(("---", "+++"))] == [
        "-二、上年结转政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1",
        "+二、上年结转政府信息公开申请数量\t2\t0\t0\t0\t0\t0\t2",
        "-\t（四）无法提供\t1.本机关不掌握相关政府信息\t2\t0\t0\t0\t0\t0\t2",
        "+\t（四）无法提供\t1.本机关不掌握相关政府信息\t3\t0\t0\t0\t0\t0\t3",
        "-\t（七）总计\t2\t0\t0\t0\t0\t0\t2",
        "+\t（七）总计\t3\t0\t0\t0\t0\t0\t3",
    ]
    back = store.reports.diff(old=second.version_id, new=first.version_id)
    assert "+二、上年结转政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1" in back.splitlines()
    # cells of both versions are kept; the report's cells are those of the current one
    carried = "select value from cells where version_id = ? and part = 'applications' and row = 'carried_over' and col = 'total'"
    assert [store.db.execute(carried, [v]).fetchone()[0] for v in (first.version_id, second.version_id)] == [1, 2]
    with pytest.raises(KeyError):
        store.reports.diff(old=first.version_id, new=999)
    with pytest.raises(ValueError):
        store.reports.diff()


def test_agency_is_matched_after_normalising_spaces_brackets_and_width(store: Store, series: dict[str, Path]) -> None:
    """The same agency spelled with full- or half-width brackets and stray spaces is one agency."""
    spellings = {
        "2021": f"{AGENCY}（港澳事务办公室）",
        "2022": f"{AGENCY} (港澳事务办公室)",
        "fixed_2022": f" {AGENCY}(港澳事务办公室 )",
    }
    saved = {}
    for name, agency in spellings.items():
        parsed = parse_path(series[name])
        parsed.report.agency = agency
        saved[name] = store.save_report(
            "demo", f"https://demo/{name}", assessed(parsed.report), parsed.records, judge=JUDGE
        )
    assert saved["fixed_2022"].report_id == saved["2022"].report_id  # same report, a new version
    assert count(store, "reports") == 2
    rules = store.db.execute(
        "select rule, resolved_at is not null from findings where report_id = ? order by id", [saved["2022"].report_id]
    ).fetchall()
    assert rules == [("carry_continuity", 1), ("carry_continuity", 1)]  # found against 2021, then fixed
    assert store.reports.report_for(f"{AGENCY}（港澳事务办公室）", 2021).agency == spellings["2021"]
    assert store.reports.report_for(f"{AGENCY}(港澳事务办公室)", 2021) is not None
    assert store.reports.report_for(AGENCY, 2021) is None  # another name: not the same agency


def test_one_report_on_two_sites_is_one_report_with_two_urls(store: Store) -> None:
    a = ingest(store, SEED_003, site="xicheng", url="https://www.bjxch.gov.cn/003.html")
    b = ingest(store, SEED_003, site="beijing", url="https://www.beijing.gov.cn/003.html")
    assert (a.status, b.status) == ("new", "copy") and a.report_id == b.report_id
    assert b.new_findings == [] and count(store, "reports") == 1 and count(store, "versions") == 1
    assert count(store, "findings") == 4  # the report's own, once
    assert [(c["site"], c["url"], c["home"]) for c in store.copies.of_report(a.report_id)] == [
        ("xicheng", "https://www.bjxch.gov.cn/003.html", 1),
        ("beijing", "https://www.beijing.gov.cn/003.html", 0),
    ]
    page = store.db.execute(
        "select status, report_id from pages where url = ?", ["https://www.beijing.gov.cn/003.html"]
    )
    assert page.fetchall() in ([], [("stored", a.report_id)])
    assert ingest(store, SEED_003, site="beijing", url="https://www.beijing.gov.cn/003.html").status == "copy"
    assert count(store, "findings") == 4


def test_a_copy_with_other_numbers_is_copies_differ_until_they_agree(store: Store, tmp_path: Path) -> None:
    a = ingest(store, SEED_003, site="xicheng")
    text = SEED_003.read_text(encoding="utf-8")
    changed = tmp_path / "003-copy.txt"
    changed.write_text(text.replace("1518", "1519", 1), encoding="utf-8")
    b = ingest(store, changed, site="beijing", url="https://www.beijing.gov.cn/003.html")
    assert b.status == "copy" and len(b.new_findings) == 1
    row = store.db.execute(
        "select rule, where_, severity, message from findings where id = ?", b.new_findings
    ).fetchone()
    assert row[:3] == ("copies_differ", "copy.beijing", "error")
    assert "applications.new_received.natural_person 1518 / 1519" in row[3]
    fixed = ingest(store, SEED_003, site="beijing", url="https://www.beijing.gov.cn/003.html")
    assert fixed.resolved_findings == b.new_findings  # the copy now agrees
    # a new version of the report itself is compared with the copies again
    assert ingest(store, changed, site="xicheng").status == "changed"
    assert count(store, "findings", "rule = 'copies_differ' and resolved_at is null") == 1
    assert a.report_id == fixed.report_id


def test_a_report_is_written_whole_or_not_at_all(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store.findings, "sync", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        ingest(store, SEED_003)
    for table in ("reports", "versions", "cells", "findings", "report_text", "text_pending", "sites"):
        assert count(store, table) == 0, table
    monkeypatch.undo()
    assert ingest(store, SEED_003).status == "new"
    assert count(store, "cells") > 0 and count(store, "findings") == 4


def test_search_index_follows_new_versions(store: Store, series: dict[str, Path]) -> None:
    ingest(store, series["2022"], site="demo")
    assert [r["year"] for r in store.text.search("上年结转政府信息公开申请数量\t1")] == [2022]
    ingest(store, series["fixed_2022"], site="demo")
    assert store.text.search("上年结转政府信息公开申请数量\t1") == []
    assert [r["year"] for r in store.text.search("上年结转政府信息公开申请数量\t2")] == [2022]
    assert count(store, "text_pending") == 0
    store.db.execute("insert into report_text_fts (report_text_fts) values ('integrity-check')")


def test_a_page_that_goes_back_to_an_earlier_text_makes_it_current_again(tmp_path: Path) -> None:
    from parsers.load import parse_path

    store = Store(tmp_path / "x.db")
    seed = Path(__file__).resolve().parents[1] / "fixtures" / "seeds" / "003_42b2e6b1a7d7c7c9.txt"
    fixed = tmp_path / "fixed.txt"
    fixed.write_text(
        seed.read_text(encoding="utf-8").replace("2701\t79\t0\t0\t2\t0\t2782", "55\t0\t0\t0\t0\t0\t55"),
        encoding="utf-8",
    )
    url = "https://www.bjxch.gov.cn/zt/xxgkzl/gknbxq/pnidpv379pntypepvnbpnnfpv2020.html"
    statuses = []
    for path in (seed, fixed, seed):
        parsed = parse_path(path)
        statuses.append(store.save_report("xicheng", url, assessed(parsed.report), parsed.records, judge=JUDGE).status)
    assert statuses == ["new", "changed", "changed"]
    current = store.db.execute("select current_version from reports").fetchone()[0]
    assert current == 1 and store.db.execute("select count(*) from versions").fetchone()[0] == 2
    # The balance errors are open again, and will be alerted again.
    reopened = list(store.db.query("select alerted_at, resolved_at from findings where rule = 'balance'"))
    assert len(reopened) == 4 and all(r["resolved_at"] is None for r in reopened)


def test_pages_without_agency_or_year_do_not_merge(tmp_path: Path) -> None:
    from parsers.load import parse_path

    store = Store(tmp_path / "x.db")
    seeds = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
    saved = []
    for n, name in enumerate(("000_402f5e06dd06528b.txt", "002_59838382079b1902.txt")):
        parsed = parse_path(seeds / name)
        parsed.report.agency = parsed.report.year = None  # as a page whose title names neither
        url = f"https://example.gov.cn/{n}.html"
        saved.append(store.save_report("xicheng", url, assessed(parsed.report), parsed.records, judge=JUDGE))
    assert [s.status for s in saved] == ["new", "new"]
    assert store.db.execute("select count(*) from reports").fetchone()[0] == 2


def test_a_number_too_long_for_64_bits_is_stored(store: Store) -> None:
    """A garbled cell can hold 20 digits: the report is still stored (orjson cannot write it)."""
    parsed = parse_path(SEED_000)
    parsed.report.applications["new_received"]["natural_person"] = 45351800000000000000
    saved = store.save_report("xicheng", "https://x/000.html", assessed(parsed.report), parsed.records, judge=JUDGE)
    assert saved.status == "new"
    (stored,) = store.db.execute("select report_json from versions").fetchone()
    assert json.loads(stored)["applications"]["new_received"]["natural_person"] == 45351800000000000000


def test_a_run_left_open_is_busy_only_while_its_process_lives(store: Store, tmp_path: Path) -> None:
    def leave_open(owner: str) -> int:
        with store.db.conn:
            return store.db.conn.execute(
                "insert into crawl_runs (site, started, status, owner) values ('xicheng', ?, 'running', ?)",
                ["2026-01-01T00:00:00+00:00", owner],
            ).lastrowid

    def status(run_id: int) -> str:
        return store.db.execute("select status from crawl_runs where id = ?", [run_id]).fetchone()[0]

    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = leave_open(run_owner(sleeper.pid))
        with pytest.raises(SiteBusy, match=f"being crawled by process {sleeper.pid}"):
            store.runs.start("xicheng")
        assert status(live) == "running"
        store.db.execute("update crawl_runs set finished = 'x', status = 'ok' where id = ?", [live])
        store.db.conn.commit()
        # The same pid started at another time is another process (pids are reused).
        reused = leave_open(run_owner(sleeper.pid).rsplit("|", 1)[0] + "|12345")
        own = leave_open(run_owner())  # this process's own leftover: not a live crawl
        own_short = leave_open(run_owner().rsplit("|", 1)[0])  # the same, as first recorded (no start time)
        old = leave_open(None)  # before schema 7
        new = store.runs.start("xicheng")
        statuses = [status(r) for r in (reused, own, own_short, old, new)]
        assert statuses == ["interrupted", "interrupted", "interrupted", "interrupted", "running"]
    finally:
        sleeper.kill()
        sleeper.wait()
