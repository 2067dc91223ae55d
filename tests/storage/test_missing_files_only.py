"""missing_report for a unit known on its site only from reports published as a file only (pages
attachment_only: no report row): its newest such page holds the finding (findings.page_url), which
the site's digest, `crawl findings --site` and the site's page show, and a later publication answers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import lxml.html
import pytest

from alerts.collect import collect
from alerts.render import render
from checks.assess import JUDGE
from checks.dates import missing_report
from common.constants import PageStatus
from crawler.cli import main
from crawler.config import load_config
from storage.store import Store
from tests.storage.conftest import ingest
from tests.storage.series import AGENCY, YEARS, write_series
from tests.web.test_web_pages import get

ARCHIVES = "北京市西城区档案馆"  # its reports are scanned PDFs: never a report row


def file_page(store: Store, year: int, agency: str = ARCHIVES) -> str:
    url = f"https://demo.example/{agency}/{year}.html"
    store.pages.record(url, "demo", status=PageStatus.ATTACHMENT_ONLY, agency=agency, year=year,
                       error="an image (a scanned report?): reading it needs OCR, which is off")  # fmt: skip
    return url


def missing(store: Store) -> list[dict]:
    return [f for f in store.findings.open("demo") if f["rule"] == "missing_report"]


@pytest.fixture
def config(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text(
        '[storage]\npath = "nianbao.db"\n[alerts]\noutbox = "out"\n'
        '[sites.demo]\nname = "演示"\nstart_urls = ["http://127.0.0.1:1/"]\nallowed_domains = ["127.0.0.1"]\n',
        encoding="utf-8",
    )
    return load_config(path)


def test_a_unit_known_from_files_only_is_missing_when_it_publishes_nothing(config, tmp_path: Path) -> None:
    store = Store(config.db_path)
    ingest(store, _series(tmp_path, "2023"), site="demo")  # a unit with reports
    file_page(store, 2022)
    newest = file_page(store, 2023)
    assert store.check_missing_reports(date(2025, 1, 31), JUDGE).new == []  # due by 31 January 2025
    sweep = store.check_missing_reports(date(2025, 2, 1), JUDGE)
    assert len(sweep.new) == 2  # the unit with reports, and the one with files only
    row = store.db.execute(
        "select report_id, version_id, page_url, fingerprint, message, severity from findings "
        "where page_url is not null"
    ).fetchone()
    expected = missing_report(ARCHIVES, 2023, date(2025, 2, 1))
    assert row == (None, None, newest, expected.fingerprint, expected.message, "error")
    # crawl findings --site, the digest and the site's page show it
    assert [(f["agency"], f["year"], f["url"]) for f in missing(store) if f["agency"] == ARCHIVES] == [
        (ARCHIVES, 2023, newest)
    ]
    d = collect(store, config, "demo")
    assert sorted(f["agency"] for f in d.findings if f["rule"] == "missing_report") == sorted([AGENCY, ARCHIVES])
    text = render([d]).text
    assert "2 个单位逾期未发布年度报告" in text and f"{ARCHIVES} 2023年度" in text, text
    store.close()
    page = lxml.html.fromstring(get(config.db_path, "/-/site/demo?year=2024").text)
    states = {
        tr.xpath("string(td[1])"): tr.xpath("string(td[2])") for tr in page.xpath("//table[@class='season']/tr[td]")
    }
    assert states == {AGENCY: "逾期未发布", ARCHIVES: "逾期未发布"}
    store = Store(config.db_path)
    # swept again: the same finding, not another
    again = store.check_missing_reports(date(2025, 3, 1), JUDGE)
    assert again.new == [] and sorted(again.still_open) == sorted(sweep.new)
    # its 2024 report, published as a file only again, answers it
    file_page(store, 2024)
    answered = store.check_missing_reports(date(2025, 3, 2), JUDGE)
    held = store.db.execute("select id from findings where page_url = ?", [newest]).fetchone()[0]
    assert held in answered.resolved and [f["agency"] for f in missing(store)] == [AGENCY]
    # the next year, its 2024 page holds the missing_report of 2025
    later = store.check_missing_reports(date(2026, 2, 1), JUDGE)
    held_by = {store.db.execute("select page_url from findings where id = ?", [fid]).fetchone()[0] for fid in later.new}
    assert held_by == {f"https://demo.example/{ARCHIVES}/2024.html"}  # AGENCY's 2024 is still the one open
    store.close()


def test_a_unit_whose_newest_report_is_a_file_is_missing_the_year_after(tmp_path: Path) -> None:
    """A report stored for 2023 and a file only for 2024: 2025 is missing once due, on the 2024 page."""
    store = Store(tmp_path / "nianbao.db")
    ingest(store, _series(tmp_path, "2023"), site="demo")
    page = file_page(store, 2024, agency=AGENCY)
    assert store.check_missing_reports(date(2025, 3, 1), JUDGE).new == []  # 2024 is published
    sweep = store.check_missing_reports(date(2026, 2, 1), JUDGE)
    rows = store.db.execute("select page_url, message from findings where rule = 'missing_report'").fetchall()
    assert len(sweep.new) == 1 and rows == [(page, missing_report(AGENCY, 2024, date(2026, 2, 1)).message)]
    store.close()


def test_crawl_findings_names_the_unit_of_the_page(config, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    store = Store(config.db_path)
    url = file_page(store, 2023)
    store.check_missing_reports(date(2025, 2, 1), JUDGE)
    store.close()
    assert main(["findings", "--config", str(config.path), "--site", "demo"]) == 0
    out = capsys.readouterr().out
    assert f"missing_report     {ARCHIVES} 2023 @ report: no 2024 report from {ARCHIVES}" in out and url in out
    store = Store(config.db_path)
    ingest(store, _series(tmp_path, "2023"), site="xicheng")  # another site
    store.close()
    assert main(["findings", "--config", str(config.path), "--site", "xicheng"]) == 0
    assert ARCHIVES not in capsys.readouterr().out


def _series(tmp_path: Path, name: str) -> Path:
    return write_series(tmp_path / "series", tuple(YEARS))[name]


def test_the_export_reads_the_findings_of_pages_through_indexes(tmp_path: Path) -> None:
    """What `crawl export` reads of the findings on pages: by the site's pages, then each one's
    findings (the partial index findings_on_pages); without a site, that index alone."""
    store = Store(tmp_path / "nianbao.db")
    file_page(store, 2023)
    store.check_missing_reports(date(2025, 2, 1), JUDGE)
    asked: list[str] = []
    store.db.conn.set_trace_callback(asked.append)
    assert [f["agency"] for f in store.findings.on_pages("demo", 2023, open_only=True)] == [ARCHIVES]
    assert [f["agency"] for f in store.findings.on_pages()] == [ARCHIVES]
    assert store.findings.on_pages("demo", 2022) == store.findings.on_pages("xicheng") == []
    store.db.conn.set_trace_callback(None)
    selects = [sql for sql in asked if sql.lstrip().startswith("select")]
    plans = [[row[3] for row in store.db.execute("explain query plan " + sql)] for sql in selects]
    assert len(plans) == 4  # one a call: with a site (and year), without, and with a site and no hit
    for plan in plans:
        assert any("findings_on_pages (page_url" in step for step in plan), plan
        assert not [step for step in plan if step.startswith("SCAN")], plan
    assert any("idx_pages_site_status (site=?)" in step for step in plans[0]), plans[0]
    store.close()
