"""alerts.render in English (`[alerts] language = "en"`): a collected Digest in, the e-mail's subject, text and HTML out. No database:
the digests are built by hand, and opening one while rendering fails the test."""

from __future__ import annotations

import sqlite3

import lxml.html
import pytest

from alerts.digest import Digest
from alerts.render import MAX_LISTED, context, render
from crawler.monitors import Alarm

URL = "https://www.bjxch.gov.cn/r.html"


def finding(fid: int = 1, report_id: int = 1, **fields) -> dict:
    row = {
        "id": fid, "report_id": report_id, "severity": "error", "rule": "balance", "where_": "applications.total",
        "message": "一+二 = 3 but 三(七)+四 = 4", "fingerprint": f"fp{fid}", "agency": "西城区外办", "year": 2021,
        "url": URL, "title": None,
        "cells": ["applications.new_received.total", "applications.carried_forward.total"],
    }  # fmt: skip
    return {**row, **fields}


REPORT = {
    "template": "2021",
    "applications": {
        "new_received": {"natural_person": 1, "total": 1},
        "carried_forward": {"natural_person": None, "total": 3},
    },
    "review_litigation": {"review": {"upheld": 1, "total": 2}},
}


def digest(**fields) -> Digest:
    return Digest("xicheng", "西城区", ["office@example.org"], **fields)


@pytest.fixture(autouse=True)
def no_database(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("rendering opened a database")

    monkeypatch.setattr(sqlite3, "connect", refuse)


def test_text_and_html_show_the_same_news() -> None:
    d = digest(
        new=[{"agency": "西城区外办", "year": 2021, "url": URL}],
        findings=[finding(), finding(2, severity="warning", rule="missing_cells", cells=[])],
        reports={1: REPORT},
    )
    mail = render([d], "en")
    assert mail.subject == "西城区: 1 new report, 1 inconsistent"
    assert mail.text.startswith("西城区: 1 new report, 1 inconsistent\n\nNew reports:\n  - 西城区外办 2021  " + URL)
    assert "  [ERROR] 西城区外办 2021 · balance @ applications.total: 一+二 = 3 but 三(七)+四 = 4\n" in mail.text
    assert "      cells: applications.new_received.total, applications.carried_forward.total\n" in mail.text
    assert f"      {URL}   (silence: crawl ack fp1)\n" in mail.text
    assert "  [WARNING] 西城区外办 2021 · missing_cells" in mail.text
    assert mail.text.endswith("(silence: crawl ack fp2)\n")
    page = lxml.html.fromstring(mail.html)
    assert page.xpath("//h2")[0].text_content() == mail.subject
    assert [li.text_content() for li in page.xpath("//h3[.='New reports']/following-sibling::ul[1]/li")] == [
        "西城区外办 2021"
    ]
    acks = [s.text_content() for s in page.xpath("//li/small")]
    assert acks == ["(crawl ack fp1)", "(crawl ack fp2)"]  # both findings, under their one report
    assert len(page.xpath("//h4")) == 1


def test_the_html_table_marks_the_cells_of_errors() -> None:
    d = digest(findings=[finding(cells=["applications.carried_forward.total", "review_litigation.review.upheld"])],
               reports={1: REPORT})  # fmt: skip
    page = lxml.html.fromstring(render([d], "en").html)
    tables = page.xpath("//table")
    assert len(tables) == 2  # table 2, and table 3 as one of its cells is marked
    assert [th.text_content() for th in tables[0].xpath(".//tr[1]/th")] == ["", "自然人", "总计"]
    bad = [
        (td.getparent().xpath("./th")[0].text_content(), td.text_content()) for td in page.xpath("//td[@class='bad']")
    ]
    assert bad == [("carried_forward", "3"), ("review", "1")]
    assert tables[0].xpath(".//tr[3]/td")[0].text_content() == ""  # a blank cell is blank, not 0 or None


def test_no_table_without_cells_to_mark() -> None:
    d = digest(findings=[finding(cells=[])], reports={1: REPORT})
    assert "<table" not in render([d], "en").html
    warning = digest(findings=[finding(severity="warning")], reports={1: REPORT})
    assert "<table" not in render([warning], "en").html
    assert "cells:" not in render([warning], "en").text  # cells are named for errors only


def test_html_is_escaped_and_text_is_not() -> None:
    agency = "<script>alert('x')</script> & Co"
    url = "https://example.org/r?a=1&b='2'"
    d = digest(
        new=[{"agency": agency, "year": 2021, "url": url}],
        findings=[finding(agency=agency, url=url, message='a < b & "c"', where_="applications.<total>")],
        reports={1: {**REPORT, "applications": {"<row>": {"<col>": "<v>"}}}},
    )
    mail = render([d], "en")
    assert "<script>" not in mail.html and "&lt;script&gt;" in mail.html
    assert "<row>" not in mail.html and "<v>" not in mail.html
    page = lxml.html.fromstring(mail.html)
    assert not page.xpath("//script")
    assert {a.get("href") for a in page.xpath("//a")} == {url}  # quotes in an attribute stay inside it
    assert page.xpath("//li/code")[0].text_content() == "applications.<total>"
    assert 'a < b & "c"' in page.xpath("//li[b]")[0].text_content()
    assert f"  - {agency} 2021  {url}" in mail.text  # plain text: as it is
    assert 'a < b & "c"' in mail.text


def test_revised_reports_show_their_diff() -> None:
    diff = ["--- before", "+++ after", "@@ -1 +1 @@", "-共收到申请1件", "+共收到申请<2>件"]
    d = digest(revised=[({"agency": "西城区外办", "year": 2021, "url": URL}, diff)])
    mail = render([d], "en")
    assert mail.subject == "西城区: 1 revised report"
    assert f"Revised: 西城区外办 2021  {URL}\n    --- before\n" in mail.text
    assert "    +共收到申请<2>件\n" in mail.text
    pre = lxml.html.fromstring(mail.html).xpath("//pre")[0].text_content()
    assert pre.split("\n") == diff


def test_a_long_list_is_cut() -> None:
    d = digest(new=[{"agency": f"局{i}", "year": 2021, "url": f"{URL}?{i}"} for i in range(MAX_LISTED + 5)])
    mail = render([d], "en")
    assert mail.text.count("\n  - 局") == MAX_LISTED
    assert "  … and 5 more (crawl export --format json)\n" in mail.text
    assert "<li>… and 5 more</li>" in mail.html


def test_fixed_findings_failure_streak_and_watchdog() -> None:
    runs = tuple({"id": 9 - i, "errors": ["no list page could be fetched (1 failed)"]} for i in range(3))
    d = digest(
        fixed=[finding(5, rule="balance", where_="applications.total")],
        failing=Alarm("failure_streak", "crawl failed 3 times in a row", runs=runs),
        stale=Alarm("watchdog", "no successful crawl recently", since="never"),
    )
    mail = render([d], "en")
    assert mail.subject == ("西城区: 1 finding fixed, crawl failed 3 times in a row, no successful crawl recently")
    assert mail.text.endswith(
        "Fixed by a later version:\n  - 西城区外办 2021 · balance @ applications.total\n\n"
        "The crawl of xicheng failed 3 times in a row; last error: no list page could be fetched (1 failed)\n"
        "No successful crawl of xicheng since never: is the scheduler running?\n"
    )
    assert "<p><b>The crawl of xicheng failed 3 times in a row.</b></p>" in mail.html
    assert "<p><b>No successful crawl of xicheng since never.</b></p>" in mail.html


def test_digests_to_the_same_recipients_make_one_mail() -> None:
    one = digest(new=[{"agency": "A", "year": 2021, "url": URL}])
    two = Digest("dongcheng", "东城区", ["office@example.org"], fixed=[finding(7)])
    mail = render([one, two], "en")
    assert mail.subject == "西城区: 1 new report · 东城区: 1 finding fixed"
    first, second = mail.text.split("\n\n\n")
    assert first.startswith("西城区: 1 new report\n") and second.startswith("东城区: 1 finding fixed\n")
    assert mail.html.count("<html>") == 2 and "</body></html>\n<hr>\n<html>" in mail.html
    assert [s.subject for s in context([one, two]).sections] == ["西城区: 1 new report", "东城区: 1 finding fixed"]
