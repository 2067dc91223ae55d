"""`crawl export` has the missing_report of a unit known on its site only from a report published as
a file only (issue 14, item 5): crawled from a fixture portal (洪泽区's 2024 report as images of its
pages, OCR off: the page is attachment_only, no report row), then swept the year after; the finding
sits on the page (findings.page_url) and the export carries it in its JSON and CSV shape, the page's
URL where a report's would be and report_id null."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from checks.assess import JUDGE
from crawler.cli import main
from fixture_portal import PortalServer
from fixture_portal.file_sites import image_site
from storage.store import Store
from tests.spiders.crawling import crawl, query
from tests.spiders.test_crawl_files import FILES, config_for

HONGZE = "淮安市洪泽区人民政府"


@pytest.fixture(scope="module")
def swept(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("files-only")
    with PortalServer(image_site(FILES)) as server:
        config = config_for(tmp, server, "hongze")  # OCR off: the 图片版 page is recorded, not read
        done = crawl(config, "--site", "hongze", "--no-alerts")
        page = server.url(server.fixture.expected[0])
    assert done.returncode == 0, done.stdout + done.stderr
    db = tmp / "nianbao.db"
    assert query(db, "select status, agency, year from pages where url = ?", page) == [
        {"status": "attachment_only", "agency": HONGZE, "year": 2024}
    ]
    assert query(db, "select count(*) as n from reports") == [{"n": 0}]  # known from the file-only page alone
    # the year after: its 2025 report is due and there is none (a fixed date, not the clock)
    with Store(db) as store:
        assert len(store.check_missing_reports(date(2026, 6, 1), JUDGE).new) == 1
    (finding,) = query(db, "select * from findings")
    assert (finding["rule"], finding["page_url"], finding["report_id"]) == ("missing_report", page, None)
    return {"db": db, "page": page, "finding": finding, "tmp": tmp}


def test_the_json_export_has_the_missing_report_of_a_unit_known_from_files_only(swept, capsys) -> None:
    db, page = swept["db"], swept["page"]
    for site in ([], ["--site", "hongze"], ["--year", "2024"]):
        assert main(["export", "--db", str(db), *site]) == 0
        (item,) = json.loads(capsys.readouterr().out)
        assert (item["report_id"], item["site"], item["agency"], item["year"]) == (None, "hongze", HONGZE, 2024)
        assert item["url"] == item["home_url"] == page and item["home_site"] == "hongze"
        assert item["versions"] == [] and item["applications"] == {}  # the shape of a report, no tables
        (f,) = item["findings"]
        assert (f["rule"], f["severity"], f["fingerprint"]) == ("missing_report", "error", swept["finding"]["fingerprint"])
        assert "no 2025 report from " + HONGZE in f["message"]
    for other in (["--site", "xicheng"], ["--year", "2023"]):  # not that site's, not that year's
        assert main(["export", "--db", str(db), *other]) == 0
        assert json.loads(capsys.readouterr().out) == []


def test_the_csv_and_xlsx_exports_have_it_too(swept) -> None:
    from openpyxl import load_workbook

    db, page, out = swept["db"], swept["page"], swept["tmp"] / "csv"
    assert main(["export", "--db", str(db), "--format", "csv", "--out", str(out)]) == 0
    with (out / "findings.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["site"], r["agency"], r["year"], r["rule"], r["url"], r["report_id"], r["resolved_at"]) for r in rows] == [
        ("hongze", HONGZE, "2024", "missing_report", page, "", "")
    ]
    with (out / "cells.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert list(csv.DictReader(fh)) == []  # a page has no numbers
    assert main(["export", "--db", str(db), "--format", "xlsx", "--out", str(out)]) == 0
    sheet = list(load_workbook(out / "nianbao.xlsx")["findings"].iter_rows(values_only=True))
    assert [(r[0], r[3], r[10], r[11]) for r in sheet[1:]] == [("hongze", "missing_report", page, None)]


def test_once_answered_the_csv_keeps_it_resolved_and_the_json_drops_it(swept, tmp_path: Path, capsys) -> None:
    db = tmp_path / "nianbao.db"
    db.write_bytes(swept["db"].read_bytes())
    with Store(db) as store:  # its 2025 report, published as a file only again
        store.pages.record("http://127.0.0.1:1/xxgk/gknb/2026.html", "hongze", status="attachment_only",
                           agency=HONGZE, year=2025)  # fmt: skip
        assert len(store.check_missing_reports(date(2026, 6, 2), JUDGE).resolved) == 1
    assert main(["export", "--db", str(db)]) == 0
    assert json.loads(capsys.readouterr().out) == []  # open findings only, as for reports
    assert main(["export", "--db", str(db), "--format", "csv", "--out", str(tmp_path / "csv")]) == 0
    with (tmp_path / "csv" / "findings.csv").open(encoding="utf-8-sig", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["rule"] == "missing_report" and row["url"] == swept["page"] and row["resolved_at"]
