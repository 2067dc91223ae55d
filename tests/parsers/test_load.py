"""Edge cases the parsers must survive: impossible dates, absurd spans, pages that are not
reports (told apart from pages that cannot be read at all), and the checks' preconditions."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.assess import assess_report, assessed
from parsers.errors import NotAReport, ParseError
from parsers.html import parse_html
from parsers.load import parse_bytes
from parsers.model import Report

SEED = (Path(__file__).parent.parent / "fixtures" / "seeds" / "003_42b2e6b1a7d7c7c9.txt").read_bytes()


def _with_date(line: str) -> bytes:
    return line.encode() + b"\n\n" + SEED


@pytest.mark.parametrize("day", ["2022-02-30", "2021-02-29", "2022-04-31", "2022-13-01", "2022-00-10"])
def test_an_impossible_publication_date_is_no_date(day: str) -> None:
    parsed = parse_bytes(_with_date(f"发布日期：{day}"), "text")
    assert parsed.report.published is None
    assert "late_publication" not in {f.rule for f in assess_report(parsed.report)}


def test_a_real_publication_date_is_kept_and_checked() -> None:
    assert parse_bytes(_with_date("发布日期：2024-02-29"), "text").report.published == "2024-02-29"
    late = assessed(parse_bytes(_with_date("发布日期：2021-4-1"), "text").report)
    assert late.published == "2021-04-01"
    (finding,) = [f for f in late.findings if f.rule == "late_publication"]
    # Both sides as dates (the JSON form shows them as such), not day numbers.
    assert (finding.lhs.value, finding.rhs.value) == ("2021-04-01", "2021-03-31")


@pytest.mark.parametrize("span", ["1e999", "-1e999", "inf", "nan", "1e308", "9" * 400])
def test_absurd_spans_do_not_crash(span: str) -> None:
    page = (
        "<html><body><table>"
        f'<tr><td rowspan="{span}">a</td><td colspan="{span}">b</td><td>1</td></tr>'
        "<tr><td>c</td><td>2</td></tr></table></body></html>"
    ).encode()
    doc = parse_html(page)
    assert len(doc.grids) == 1 and doc.grids[0].rows[0][0] == "a"


def test_a_page_that_is_not_a_report_is_told_from_an_unreadable_one() -> None:
    notice = "<html><head><title>关于印发2023年政务公开工作要点的通知</title></head><body><p>各单位：</p></body></html>"
    with pytest.raises(NotAReport):
        parse_bytes(notice.encode(), "html")
    interpretation = (
        "<html><head><title>2022年政府信息公开工作年度报告解读</title></head><body><p>解读</p></body></html>"
    )
    with pytest.raises(NotAReport):
        parse_bytes(interpretation.encode(), "html")
    with pytest.raises(NotAReport):
        parse_bytes("一段与年报无关的文字。\n".encode(), "text")
    for unreadable in (b"", b"x" * (9 * 1024 * 1024)):
        with pytest.raises(ParseError) as info:
            parse_bytes(unreadable, "html")
        assert not isinstance(info.value, NotAReport)


def test_balance_needs_table_2_not_just_the_applications_part() -> None:
    report = Report(title="x", agency="某区人民政府", year=2022, template="2021", parts=["overview", "applications"])
    rules = {f.rule for f in assess_report(report)}
    assert "balance" not in rules  # no table 2: nothing to balance (missing_table says so)
    assert "missing_table" in rules


def test_blank_cells_are_named_the_same_way_in_both_findings() -> None:
    report = Report(agency="某区人民政府", year=2022, template="2021", tables=[2])
    report.applications = {"new_received": {"total": None}, "carried_over": {"total": 3}}
    findings = {(f.rule, f.severity): f.message for f in assess_report(report)}
    skipped = findings[("balance", "info")]
    assert skipped.startswith("not evaluated for 7 of its equations: blank cells (new_received.natural_person, ")
    assert skipped.endswith(" …)")
    blank = findings[("missing_cells", "warning")]
    assert "cells blank (new_received.natural_person, new_received.commercial_enterprise, " in blank


@pytest.mark.parametrize("declared", ["<meta charset=utf-8>", ""])
@pytest.mark.parametrize("bad", [b"\xff\xfe", "中".encode("gbk"), b"\xe4\xb8", b"\xc0\xaf", b"\xed\xa0\x80"])
def test_bytes_that_are_not_utf8_become_replacement_characters_and_lose_nothing(declared: str, bad: bytes) -> None:
    """A page that says (or looks) UTF-8 with a few bad bytes: every bad byte is read as U+FFFD,
    as Python's decoder reads it, and the text and table after them are all there."""
    before = f"<html><head>{declared}<title>年度报告</title></head><body><p>前文</p><p>a".encode()
    after = "中间</p><table><tr><td>收到申请</td><td>12</td></tr></table><p>后文</p></body></html>".encode()
    doc = parse_html(before + bad + after)
    lines = [b for b in doc.blocks if isinstance(b, str)]
    expected = "a" + bad.decode("utf-8", errors="replace") + "中间"
    assert lines == ["前文", expected, "后文"]
    (grid,) = doc.grids
    assert grid.rows == [["收到申请", "12"]]


def test_a_short_gbk_page_without_charset_is_still_gbk() -> None:
    from parsers.encoding import sniff_encoding

    page = "<html><body><p>北京市西城区人民政府</p></body></html>".encode("gbk")
    assert sniff_encoding(page) == "gb18030"
    # Two or three characters: as UTF-8 they are a bad byte or two and a valid character by chance.
    for text in ("年报", "年度报", "公开"):
        page = f"<html><body><p>{text}</p></body></html>".encode("gbk")
        assert sniff_encoding(page) == "gb18030", text
        assert parse_html(page).blocks == [text]
    # The price, chosen: a short undeclared UTF-8 page with a stray byte is read as GB18030. Report
    # pages are thousands of characters, where the stray byte is tolerated (the test below).
    short = "<p>Annual report 2023 年报 (see attached file)</p><p>".encode() + b"\xe5\xb9</p>"
    assert sniff_encoding(short) == "gb18030"


def test_bad_bytes_after_libxml2_stops_logging_errors_are_still_found() -> None:
    """libxml2 logs 100 errors a page at most: a page with more markup errors than that is
    checked in Python, so its bad bytes read as they always did."""
    noise = "</i>" * 150  # each an "Unexpected end tag" error
    page = f"<html><head><meta charset=utf-8></head><body>{noise}<p>a".encode() + b"\xe4\xb8" + b"b</p></body></html>"
    assert [b for b in parse_html(page).blocks if isinstance(b, str)] == ["a\ufffdb"]


def test_a_gbk_fragment_pasted_into_a_long_utf8_page_leaves_the_page_utf8() -> None:
    from parsers.encoding import sniff_encoding

    body = "政府信息公开工作年度报告" * 400  # 4,800 characters of UTF-8
    fragment = "北京市西城区人民政府办公室" * 3  # 39 characters of GBK: too many bad bytes for 'mostly'
    page = f"<html><body><p>{body}</p><p>".encode() + fragment.encode("gbk") + b"</p></body></html>"
    assert sniff_encoding(page) == "utf-8"
    assert body in parse_html(page).blocks


def test_a_gbk_page_with_a_stray_byte_is_still_gbk() -> None:
    from parsers.encoding import sniff_encoding

    page = ("<html><body><p>" + "北京市西城区人民政府" * 50 + "</p></body></html>").encode("gbk")
    broken = page.replace(b"<p>", b"<p>\xff", 1)
    assert sniff_encoding(broken) == "gb18030"
    assert "北京市西城区人民政府" * 50 in "".join(b for b in parse_html(broken).blocks if isinstance(b, str))
