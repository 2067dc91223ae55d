"""A site's content area (config.toml `content`): only that element's blocks are read, the page's
title and <meta> still count, and a selector that matches nothing reads the whole page."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.assess import assessed
from crawler.cli import main
from parsers.html import css_to_xpath, parse_html
from parsers.load import parse_bytes

PAGE = Path(__file__).parent.parent / "fixtures" / "html" / "xicheng-003.html"

# Beside the report: a 最新发布 box naming another year's report with its own 发布时间, before
# the body in reading order, and 相关链接 tables in the sidebar and above the footer.
SIDEBAR = """<div class="sidebar">
<div class="side-title">最新发布</div>
<ul><li><a href="/zt/xxgkzl/gknbxq/pnidpv379pntypepvnbpnnfpv2021.html">北京市西城区人民政府{year}年政府信息公开工作年度报告</a>
<span>发布时间:{year_after}-01-28</span></li></ul>
<table class="links"><tr><th>相关链接</th><th>发布时间</th></tr>
<tr><td>北京市西城区人民政府2019年政府信息公开工作年度报告</td><td>2020-03-20</td></tr>
<tr><td>北京市西城区人民政府2018年政府信息公开工作年度报告</td><td>2019-03-28</td></tr></table>
</div>
"""
FOOTER = """<div class="footer-links"><table><tr><th>相关链接</th></tr>
<tr><td>网站地图</td><td>行政复议</td><td>行政诉讼</td></tr></table></div>
"""
DETAIL = css_to_xpath("div.detail")  # title, 发布时间 and body: the article, not only its text


def sidebar_page(latest: int = 2021) -> bytes:
    """The Xicheng fixture with a sidebar and footer links around its article (div.detail)."""
    page = PAGE.read_text(encoding="utf-8")
    sidebar = SIDEBAR.format(year=latest, year_after=latest + 1)
    page = page.replace('<div class="detail">', sidebar + '<div class="detail">', 1)
    return page.replace('<div class="footer">', FOOTER + '<div class="footer">', 1).encode("utf-8")


def test_the_content_area_keeps_the_sidebar_out() -> None:
    plain = assessed(parse_bytes(PAGE.read_bytes(), "html").report)
    whole = parse_bytes(sidebar_page(), "html")
    # Read whole, the sidebar's newer report wins: wrong year, wrong date.
    assert (whole.report.year, whole.report.published) == (2021, "2022-01-28")
    assert whole.document.content_found is None

    parsed = parse_bytes(sidebar_page(), "html", content=DETAIL)
    report = assessed(parsed.report)
    assert parsed.document.content_found is True
    assert (report.title, report.year, report.published) == (plain.title, 2020, "2021-03-10")
    assert report.tables == [1, 2, 3] and report.parts == plain.parts
    assert report.active_disclosure == plain.active_disclosure
    assert report.applications == plain.applications
    assert report.review_litigation == plain.review_litigation
    assert [f.message for f in report.findings] == [f.message for f in plain.findings]
    records = "\n".join(parsed.records)
    for outside in ("最新发布", "相关链接", "网站地图", "京ICP备", "信息公开专栏"):
        assert outside not in records
    assert records.startswith("北京市西城区人民政府2020年政府信息公开工作年度报告\n发布时间:2021-03-10 09:30")


def test_a_changed_sidebar_is_no_new_version() -> None:
    """Stored versions compare text records: with the content area, a sidebar update changes nothing."""
    before, after = sidebar_page(2021), sidebar_page(2022)
    assert parse_bytes(before, "html").records != parse_bytes(after, "html").records
    assert parse_bytes(before, "html", content=DETAIL).records == parse_bytes(after, "html", content=DETAIL).records


def test_a_selector_that_matches_nothing_reads_the_whole_page() -> None:
    data = sidebar_page()
    whole = parse_html(data)
    for css in ("div.TRS_Editor", "#zoom"):
        doc = parse_html(data, content=css_to_xpath(css))
        assert doc.content_found is False  # for the caller to log: the portal changed its template
        assert doc.blocks == whole.blocks and doc.title == whole.title and doc.meta == whole.meta
    assert parse_bytes(data, "html", content=css_to_xpath("#zoom")).report.tables == [1, 2, 3]  # not lost


HEAD = '<html><head><title>政府信息公开年报_某区</title><meta name="PubDate" content="2021-03-10"></head><body>'


@pytest.mark.parametrize(
    ("body", "title"),
    [
        ('<div id="zoom"><p>正文</p><table><tr><td>1</td></tr></table></div>', "政府信息公开年报_某区"),
        ('<h1>页外标题</h1><div id="zoom"><p>正文</p><table><tr><td>1</td></tr></table></div>', "页外标题"),
        ('<h1>页外标题</h1><div id="zoom"><h1>区内标题</h1><p>正文</p><table><tr><td>1</td></tr></table>', "区内标题"),
    ],
)
def test_title_and_meta_come_from_the_whole_page(body: str, title: str) -> None:
    """The area's <h1>, else the page's <h1>, else <title>; <meta> always from the page."""
    page = f'{HEAD}<div class="nav"><p>导航</p><table><tr><td>相关链接</td></tr></table></div>{body}</body></html>'
    doc = parse_html(page.encode("utf-8"), content=css_to_xpath("#zoom"))
    assert doc.content_found is True and doc.title == title
    assert doc.meta["PubDate"] == "2021-03-10"
    assert [b for b in doc.blocks if isinstance(b, str) and "导航" in b] == []
    assert [g.rows for g in doc.grids] == [[["1"]]]  # the nav's table is not read
    twice = f"{HEAD}<div class=a><p>一</p></div><div class=a><p>二</p></div>".encode()
    first = parse_html(twice, content=css_to_xpath(".a"))
    assert first.paragraphs == ["一"]  # only the first match


@pytest.mark.parametrize("css", ["div..x", "p::text", "a[href", "", "  "])
def test_css_to_xpath_refuses_what_is_not_a_selector(css: str) -> None:
    with pytest.raises(ValueError) as info:
        css_to_xpath(css)
    assert "\n" not in str(info.value)


def test_crawl_parse_content(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(sidebar_page())
    # exit 1: the page is seed 003, whose report has balance errors (issue 12: parse exits 1 on errors)
    assert main(["parse", "--content", "div.detail", "--json", str(page)]) == 1
    out, err = capsys.readouterr()
    assert '"year": 2020' in out and err == ""
    assert main(["parse", "--content", "#zoom", str(page)]) == 1  # whole page, and a note saying so
    out, err = capsys.readouterr()
    assert err.strip() == f"crawl parse: {page}: no '#zoom' on the page; read the whole page"
    assert main(["parse", "--content", "div..x", str(page)]) == 2
    out, err = capsys.readouterr()
    assert len(err.splitlines()) == 1 and err.startswith("crawl: --content: bad CSS selector")
