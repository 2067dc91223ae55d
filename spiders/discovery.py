"""Finding a portal's annual-report column from its home page (or its 政府信息公开 page).

A site may be configured by its home page alone, or its configured list page may have moved (a
third party saw over ten district year roots turn 404 within days: docs/portals.md §2.10). The
spider then reads the home page's links: a link named like the column (政府信息公开年报, 年度报告)
or with its slug in the URL (zfxxgknb, xxgknb, gknb …) is the column, followed as a list page; a
link to the 政府信息公开 section is a way there, read the same way, within a small page budget and
the site's hosts. Inside a column found so, links under its path and its per-year and per-unit
sub-columns are list pages too (spiders.links).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response

from spiders.items import ColumnFound
from spiders.links import Link, LinkKind, LinkRules

COLUMN_TEXT = re.compile(r"信息公开(工作)?年(度报告|报)|公开年报|年度报告|工作年报")
COLUMN_URL = re.compile(r"zfxxgknb|xxgknb|gknb|zfxxgkndbg|ndbg|/nb/|/nb\.s?html?$", re.I)
WAY_TEXT = re.compile(r"政府信息公开|信息公开|政务公开")
WAY_URL = re.compile(r"zfxxgk|xxgk|zwgk|gongkai", re.I)
# A home page that is a script redirect shell (石景山): location.href = "…", location.replace("…").
SCRIPT_REDIRECT = re.compile(r"""location(?:\.href)?\s*=\s*["']([^"']+)["']|location\.replace\(\s*["']([^"']+)["']""")
DISCOVERY_BUDGET = 10  # pages read looking for the column (home page, 政府信息公开 pages)
DISCOVERY_DEPTH = 2  # home page -> 政府信息公开 -> its sub-page


def column_prefix(url: str) -> str:
    """The path under which a column's pages live: /a/zfxxgknb/ for /a/zfxxgknb/index.html,
    /zt/xxgkzl/zfxxgknb for /zt/xxgkzl/zfxxgknb.html (its pages are zfxxgknb_2.html …)."""
    path = urlsplit(url).path or "/"
    folder, _, name = path.rpartition("/")
    if not name or re.fullmatch(r"(index|default)(_\d+)?\.\w+", name):
        return folder + "/"
    return folder + "/" + name.split(".")[0]


def is_column(link: Link) -> bool:
    """A link to an annual-report column: by its name or its slug, not one report's name."""
    return bool(COLUMN_TEXT.search(re.sub(r"\s+", "", link.text)) or COLUMN_URL.search(urlsplit(link.url).path))


def is_way(link: Link) -> bool:
    return bool(WAY_TEXT.search(link.text) or WAY_URL.search(urlsplit(link.url).path))


class ColumnDiscovery:
    """The spider's part that finds report columns (mixed into spiders.portal.PortalSpider)."""

    site: str
    link_rules: LinkRules
    discovery_pages: int = 0
    columns_found: dict[str, str | None]  # column url -> the configured list page it replaces (or None)

    def discovery_request(self, url: str, depth: int = 0, moved_from: str | None = None) -> scrapy.Request | None:
        if self.discovery_pages >= DISCOVERY_BUDGET:
            return None
        self.discovery_pages += 1
        meta = {"discovery_depth": depth, "moved_from": moved_from, "list": True}
        return scrapy.Request(url, callback=self.parse_home, errback=self.failed, meta=meta, dont_filter=depth == 0)

    def home_of(self, url: str) -> str:
        return self.site_profile.home or urljoin(url, "/")

    def parse_home(self, response: Response) -> Iterator[scrapy.Request | ColumnFound]:
        """A page on the way to the report column: reports it links are taken, a column is followed
        as a list page (and recorded), a 政府信息公开 link is read the same way."""
        if not hasattr(response, "xpath"):
            return
        depth, moved_from = response.meta.get("discovery_depth", 0), response.meta.get("moved_from")
        ways = []
        if not response.xpath("//a[@href]"):  # a script redirect shell: where it sends a browser
            for m in SCRIPT_REDIRECT.finditer("\n".join(response.xpath("//script/text()").getall())):
                ways.append(response.urljoin(m.group(1) or m.group(2)))
            depth -= 1  # the shell is not a step on the way
        for link in self.link_rules.read(response):
            if link.kind in (LinkKind.REPORT, LinkKind.FILE_REPORT):
                yield from self.follow(link)
            elif (
                link.kind == LinkKind.SKIPPED
                and link.why.startswith("neither")
                and is_column(link)
                or link.kind == LinkKind.LIST
                and link.why == "list_patterns"
            ):
                yield from self.column(link.url, moved_from)
            elif link.kind == LinkKind.SKIPPED and link.why.startswith("neither") and is_way(link):
                ways.append(link.url)
        if depth < DISCOVERY_DEPTH and not self.columns_found:  # a column found: no need to look further
            for url in dict.fromkeys(ways):
                request = self.discovery_request(url, depth + 1, moved_from)
                if request is not None:
                    yield request

    def column(self, url: str, moved_from: str | None) -> Iterator[scrapy.Request | ColumnFound]:
        if url in self.columns_found or any(url.startswith(c) for c in self.columns_found):
            return  # inside a column found already: its own crawl follows it
        self.columns_found[url] = moved_from
        prefix = column_prefix(url)
        if prefix.strip("/"):  # never the whole site
            self.link_rules.column_prefixes.append(prefix)
        yield ColumnFound(self.site, url, moved_from)
        yield from self.list_request(url, 0)  # a column found is crawled as a start URL is

    def follow(self, link: Link, depth: int = 0) -> Iterator[object]:  # the spider's own handling of a link
        raise NotImplementedError

    def list_request(self, url: str, depth: int, **meta: object) -> Iterator[scrapy.Request]:
        raise NotImplementedError

    def failed(self, failure: object) -> Iterator[object]:
        raise NotImplementedError
