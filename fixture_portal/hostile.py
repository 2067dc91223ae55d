"""Hostile portals for the crawl's limits: pages made up on request, so a portal can be endless.

with PortalServer(endless_site(), routes=endless_pages) as portal:
    portal.url(ENDLESS_START)   # list_1.html, whose 下一页 leads to list_2.html, and so on for ever
with PortalServer(many_links_site()) as portal:
    portal.url(MANY_START)      # one list page linking 100,000 report pages (made on request)
"""

from __future__ import annotations

import functools
import re

from fixture_portal.server import Page, html, robots

ENDLESS_START = "/endless/list_1.html"
MANY_START = "/many/index.html"
MANY_LINKS = 100_000
_ENDLESS_LIST = re.compile(r"/endless/list_([0-9]{1,9})\.html")
_REPORT = re.compile(r"/(?:endless|many)/report_([0-9]{1,9})\.html")


def _page(title: str, body: str) -> str:
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>{body}</body></html>'


def _report_link(prefix: str, n: int) -> str:
    return f'<li><a href="{prefix}/report_{n}.html">2023年单位{n}政府信息公开工作年度报告</a></li>'


def endless_list(n: int) -> str:
    """List page n: one report link and a 下一页 to page n + 1, whatever n is."""
    return _page(
        f"政府信息公开年报 第{n}页",
        f'<ul>{_report_link("/endless", n)}</ul><div class="page"><a href="/endless/list_{n + 1}.html">下一页</a></div>',
    )


def many_links(count: int = MANY_LINKS) -> str:
    return _page("政府信息公开年报", "<ul>" + "".join(_report_link("/many", n) for n in range(count)) + "</ul>")


@functools.lru_cache(maxsize=256)  # a few pages are asked for twice (retries): one Page, one cached rendering
def endless_pages(path: str) -> Page | None:
    """routes= for PortalServer: the endless list pages, and a small page (no report) at each report link."""
    if m := _ENDLESS_LIST.fullmatch(path):
        return html(endless_list(int(m.group(1))))
    if m := _REPORT.fullmatch(path):
        return html(_page(f"单位{m.group(1)}", "<p>本单位政府信息公开工作年度报告见附件。</p>"))
    return None


def endless_site() -> dict[str, Page]:
    return {"/robots.txt": robots()}


def many_links_site(count: int = MANY_LINKS) -> dict[str, Page]:
    """The list page is rendered on its first request (a callable body), not when the site is built."""
    return {"/robots.txt": robots(), MANY_START: html(lambda: many_links(count))}
