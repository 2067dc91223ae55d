"""A district portal built from a few facts (fixture_portal.beijing holds the facts of each Beijing
portal): a home page (or a script redirect shell in front of it), a 政府信息公开 page linking the
report column, the column with per-year sub-columns, lists written as the portal writes them
(plain links, TRS createPageHTML pages, a menu written by script), report pages at the portal's
URL scheme, in its encoding, and its robots.txt.

    site = district_site(PortalFacts("haidian", "海淀区", column="/zfxxgk/gknb/", lists="script"))
    with PortalServer(site) as portal: ...
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from fixture_portal.content import ReportContent, synthetic_reports
from fixture_portal.pages import report_body
from fixture_portal.server import Page, html, robots
from fixture_portal.sites import Site


def trs_path(folder: str, when: datetime, docid: int) -> str:
    return f"{folder}{when:%Y%m}/t{when:%Y%m%d}_{docid}.html"


def hex_path(folder: str, when: datetime, docid: int) -> str:  # 朝阳: opaque 32-hex ids, no date
    return f"{folder}{hashlib.md5(str(docid).encode()).hexdigest()}.html"


def channel_path(folder: str, when: datetime, docid: int) -> str:  # 丰台: /ftq/c{CHANNEL}/{YYYYMM}/{32hex}.shtml
    return f"/ftq/c{100200 + docid % 7}/{when:%Y%m}/{hashlib.md5(str(docid).encode()).hexdigest()}.shtml"


def auto_path(folder: str, when: datetime, docid: int) -> str:  # 海淀: /jbdt/auto{U}_{A}/auto{U}_{B}/auto{U}_{C}
    return f"/jbdt/auto4522_51806/auto4522_{53870 + docid % 3}/auto4522_{53910 + docid}"


@dataclass
class PortalFacts:
    key: str
    district: str  # 朝阳区; "" for the city portal
    column: str = "/zfxxgk/zfxxgknb/"  # the report column's folder
    way: str = "/zfxxgk/"  # the 政府信息公开 page that links the column
    column_text: str = "政府信息公开年报"
    year_folder: Callable[[int], str] = lambda y: f"{y}nb/"  # a year's sub-column, under the column
    year_label: Callable[[int], str] = lambda y: f"{y}年"
    report_path: Callable[[str, datetime, int], str] = trs_path
    lists: str = "plain"  # plain | trs (createPageHTML pages) | script (menu written by document.write)
    encoding: str = "utf-8"
    declare_charset: bool = True
    shell_home: str | None = None  # 石景山: "/" is a script redirect to this page
    robots_disallow: tuple[str, ...] = ("/search/",)
    years: tuple[int, ...] = (2023, 2024)
    units: int = 3  # agencies reporting each year
    per_page: int = 2  # reports a list page shows (trs lists page the rest)
    agencies: list[str] = field(default_factory=list)
    absent: tuple[tuple[str, int], ...] = ()  # (agency, year): a report the portal neither lists nor holds

    @property
    def agency(self) -> str:
        return f"北京市{self.district}人民政府" if self.district else "北京市人民政府"


def district_site(facts: PortalFacts) -> Site:  # long because it lays out one whole portal
    home = facts.shell_home or "/"
    site = Site(facts.key, facts.column)
    names = facts.agencies or [facts.agency] + [
        f"北京市{facts.district}{d}" for d in ("发展和改革委员会", "教育委员会", "财政局", "民政局", "司法局")
    ]
    reports = synthetic_reports("dongcheng", facts.units * len(facts.years), years=facts.years, names=iter(names))
    by_year: dict[int, list[tuple[str, ReportContent]]] = {}
    reports = [r for r in reports if (r.agency, r.year) not in facts.absent]
    for docid, content in enumerate(sorted(reports, key=lambda r: (r.year, r.agency)), start=1):
        folder = facts.column + facts.year_folder(content.year)
        path = facts.report_path(folder, content.published, docid)
        page = _page(_detail(facts, content), facts, last_modified=content.published)
        site.add_report(path, content, page)
        by_year.setdefault(content.year, []).append((path, content))
    if facts.shell_home:  # a script redirect shell: no link a parser that ignores scripts can see
        site["/"] = _page(_shell(facts.shell_home), facts)
    site[home] = _page(_chrome(facts, "首页", _menu([(facts.way, "政府信息公开"), ("/xwzx/", "新闻中心")])), facts)
    site["/xwzx/"] = _page(_chrome(facts, "新闻中心", _menu([("/xwzx/1.html", "区政府召开常务会议")])), facts)
    site[facts.way] = _page(_chrome(facts, "政府信息公开", _menu([
        ("zcwj/", "政策文件"), (facts.column, facts.column_text), ("gkzn/", "政府信息公开指南"),
    ])), facts)  # fmt: skip
    if not any(facts.year_folder(y) for y in by_year):  # one flat list (朝阳, 丰台, 海淀): newest first
        by_year = {0: [e for y in sorted(by_year, reverse=True) for e in by_year[y]]}
    else:
        years = [(facts.column + facts.year_folder(y), facts.year_label(y)) for y in sorted(by_year, reverse=True)]
        site[facts.column] = _page(_list_page(facts, facts.column_text, years, facts.lists), facts)
        site.list_pages.append(facts.column)
    for year, entries in by_year.items():
        folder = facts.column + (facts.year_folder(year) if year else "")
        links = [(path, content.title) for path, content in entries]
        pages = [links[i : i + facts.per_page] for i in range(0, len(links), facts.per_page)]
        if facts.lists != "trs":
            pages = [links]
        for n, chunk in enumerate(pages):
            name = folder + ("" if n == 0 else f"index_{n}.html")
            pager = f'<script>var countPage = {len(pages)};createPageHTML(countPage, {n}, "index", "html");</script>'
            body = _list_page(facts, facts.year_label(year) if year else facts.column_text, chunk, facts.lists) + (
                pager if facts.lists == "trs" else ""
            )
            site[name] = _page(body, facts)
            site.list_pages.append(name)
    site["/robots.txt"] = robots(*facts.robots_disallow)
    site.disallowed = list(facts.robots_disallow)
    return site


def _page(body: str, facts: PortalFacts, last_modified: datetime | None = None) -> Page:
    return html(body, encoding=facts.encoding, declare_charset=facts.declare_charset, last_modified=last_modified)


def _chrome(facts: PortalFacts, title: str, main: str) -> str:
    charset = f'<meta http-equiv="Content-Type" content="text/html; charset={facts.encoding}">'
    return (f"<!DOCTYPE html><html><head>{charset}<title>{escape(title)}_{escape(facts.agency)}</title></head><body>"
            f'<div class="header"><a href="/">{escape(facts.agency)}</a></div>{main}'
            f'<div class="footer">主办：{escape(facts.agency)}办公室</div></body></html>')  # fmt: skip


def _menu(links: list[tuple[str, str]]) -> str:
    return '<ul class="nav">' + "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for h, t in links) + "</ul>"


def _list_page(facts: PortalFacts, title: str, links: list[tuple[str, str]], style: str) -> str:
    if style == "script":  # 海淀's older TRS list: each row written by script, the link in a variable
        rows = "".join(
            f"<script>var strLink = '{h}';document.write('<li><a href=\"' + strLink + '\">{escape(t)}</a></li>');</script>"
            for h, t in links
        )
        return _chrome(facts, title, f'<div class="list-title">{escape(title)}</div><ul class="mlList">{rows}</ul>')
    return _chrome(facts, title, f'<div class="list-title">{escape(title)}</div>' + _menu(links))


def _detail(facts: PortalFacts, content: ReportContent) -> str:
    stamp = content.published.strftime("%Y-%m-%d %H:%M")
    main = (f'<div class="crumb">首页&gt;&gt;政府信息公开&gt;&gt;{escape(facts.column_text)}</div>'
            f'<div class="title">{escape(content.title)}</div><div class="info">日期:{stamp} 来源:{escape(content.source)}</div>'
            f'<div class="TRS_Editor">{report_body(content, word=False)}</div>')  # fmt: skip
    return _chrome(facts, content.title, main)


def _shell(target: str) -> str:
    return f'<!DOCTYPE html><html><head><script>window.location.href = "{target}";</script></head><body></body></html>'
