"""parsers.metadata: a report's title, agency, year and publication date, from its page's
metadata, its first lines and its closing date."""

from __future__ import annotations

import pytest

from parsers.document import Document
from parsers.metadata import read_metadata
from parsers.model import Report

TITLE = "北京市西城区民政局2022年政府信息公开工作年度报告"
BODY = ["一、总体情况", "本机关依法公开政府信息。", "二、主动公开政府信息情况"]


def report(*blocks: str, title: str | None = None, meta: dict[str, str] | None = None, hint: str | None = None):
    """What read_metadata finds in a document of these paragraphs."""
    found = Report()
    read_metadata(Document(blocks=list(blocks), title=title, meta=meta or {}), found, hint)
    return found


def test_the_title_line_names_agency_and_year() -> None:
    got = report("首页", TITLE, *BODY)
    assert (got.title, got.agency, got.year, got.published) == (TITLE, "北京市西城区民政局", 2022, None)


def test_a_title_broken_over_two_lines() -> None:
    got = report("山西省人民政府外事办公室", "2021年政府信息公开工作年度报告", *BODY)  # seed 004's first lines
    assert (got.agency, got.year) == ("山西省人民政府外事办公室", 2021)


def test_no_title_no_year() -> None:
    got = report("通知公告", "今天开会")
    assert (got.title, got.agency, got.year) == (None, None, None)


def test_the_page_title_without_the_portals_suffix() -> None:
    got = report(*BODY, title=TITLE + "_北京市西城区人民政府网站")
    assert (got.title, got.agency, got.year) == (TITLE, "北京市西城区民政局", 2022)


def test_the_list_links_title_when_the_page_names_no_year() -> None:
    got = report(*BODY, title="政府信息公开年报", hint=TITLE)
    assert (got.title, got.year) == (TITLE, 2022)


def test_of_two_names_the_agency_is_the_first() -> None:
    title = "北京市东城区对外联络服务办公室（北京市东城区支援合作办公室）2021年政府信息公开工作年度报告"
    assert report(title, *BODY).agency == "北京市东城区对外联络服务办公室"


@pytest.mark.parametrize(
    ("lines", "meta", "published"),
    [
        (["发布时间：2023-01-20 09:00"], {}, "2023-01-20"),
        (["日期:2023-01-20 17:10"], {}, "2023-01-20"),  # the portals' bare 日期 line
        (["发布日期：2023年1月20日"], {"PubDate": "2023-01-18 10:00"}, "2023-01-20"),  # the page's line first
        (["成文日期：2023-01-10"], {"PubDate": "2023-01-18 10:00"}, "2023-01-18"),  # the meta before 成文日期
        (["成文日期：2023-01-10"], {}, "2023-01-10"),  # the date written, as a last resort
        (["发布时间：2023-02-30"], {}, None),  # no such day
    ],
)
def test_the_publication_date(lines: list[str], meta: dict[str, str], published: str | None) -> None:
    assert report(TITLE, *lines, *BODY, meta=meta).published == published


def test_the_closing_date_when_the_page_has_no_other() -> None:
    got = report(TITLE, *BODY, "北京市西城区民政局", "2023年1月20日")
    assert got.published == "2023-01-20"
