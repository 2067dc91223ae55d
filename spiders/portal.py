"""The generic portal spider: list pages -> pagination -> report pages.

Report links are recognised by their text and URL (a year plus 年度报告/年报, or the
site's report URL patterns, or the usual slugs), never only by a CSS path, so a
redesigned list page does not silently lose reports. Per-site differences live in
config.toml; a subclass is only for a portal that really needs code.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import date

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from common.constants import PageStatus
from spiders.discovery import ColumnDiscovery
from spiders.errors import OffsiteRedirect, RecentlyChecked
from spiders.items import ReportPage
from spiders.links import Link, LinkKind, LinkRules
from spiders.pagination import script_pages
from spiders.profile import Site
from spiders.stats import BUSY, LIST_FAILURES, LIST_PAGES, REPORT_LINKS, ROBOTS_FORBIDDEN

__all__ = ["PortalSpider", "script_pages"]  # script_pages: where the tests have always found it


class PortalSpider(ColumnDiscovery, scrapy.Spider):
    name = "portal"
    site_profile: Site | None = None  # set by the per-site subclasses (spiders.sites.spider_for)

    # Scrapy's check for `return value` in generator callbacks misses its cache on bound methods
    # and re-reads and re-parses the callback's source for each response: ~2.4 ms a page.
    custom_settings: dict = {"WARN_ON_GENERATOR_RETURN_VALUE": False}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        site = self.site_profile
        if site is None:
            raise ValueError("PortalSpider needs a site profile (use a per-site subclass)")
        self.site = site.key
        self.start_urls = list(site.start_urls)
        self.allowed_domains = list(site.allowed_domains)
        self.link_rules = LinkRules(
            self.allowed_domains,
            [re.compile(p) for p in site.report_patterns],
            [re.compile(p) for p in site.list_patterns],
        )
        self.columns_found: dict[str, str | None] = {}
        self.content_xpath = site.content_xpath  # translated from CSS once, when the config was loaded
        self.url_year = re.compile(site.url_year) if site.url_year else None

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:  # also what Scrapy < 2.13 calls
        if self.crawler.stats.get_value(BUSY):  # another process is crawling this site
            return
        for url in self.start_urls:
            yield self.list_request(url, start=True)
        if not self.start_urls and self.site_profile.home:  # the home page only: find the column
            yield self.discovery_request(self.site_profile.home)
        yield from self.probe_requests()

    def probe_requests(self) -> Iterator[scrapy.Request]:
        """Portals with predictable report URLs (Xicheng) are also probed unit × year, so a
        report is found even when the list page hides it. A miss means "not yet published"."""
        site = self.site_profile
        if not site.probe_url:
            return
        last = date.today().year - 1
        for unit in site.probe_units:
            for year in range(site.probe_first_year, last + 1):
                yield self.report_request(site.probe_url.format(unit=unit, year=year), probe=True)

    def report_request(self, url: str, **meta) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_report,
            errback=self.failed,
            meta={"report": True, "handle_httpstatus_list": [304], **meta},
        )

    def parse_list(self, response: Response) -> Iterator[scrapy.Request | ReportPage]:
        """Every <a href> and URL in script text; reports and list pages by text and URL (spiders.links).
        A start URL that lists no report and links no list page (a home page, a column that moved)
        sends the spider looking for the report column (spiders.discovery)."""
        self.crawler.stats.inc_value(LIST_PAGES)
        if not hasattr(response, "xpath"):
            return
        useful = False
        for link in self.link_rules.read(response):
            useful = useful or link.kind != LinkKind.SKIPPED
            yield from self.follow(link)
        if not useful and response.request is not None and response.meta.get("start"):
            yield from self.rediscover(response)

    def rediscover(self, response: Response) -> Iterator[scrapy.Request | ReportPage]:
        home = self.home_of(response.url)
        if home.rstrip("/") == response.url.rstrip("/"):  # the start URL is the home page: read it as one
            yield from self.parse_home(response)
            return
        request = self.discovery_request(home, moved_from=response.url)
        if request is not None:
            yield request

    def follow(self, link: Link) -> Iterator[scrapy.Request | ReportPage]:
        if link.kind == LinkKind.REPORT:
            self.crawler.stats.inc_value(REPORT_LINKS)
            yield self.report_request(link.url, link_title=link.text)  # the title, should the page hide it
        elif link.kind == LinkKind.FILE_REPORT:  # recorded, not parsed
            self.crawler.stats.inc_value(REPORT_LINKS)
            yield ReportPage(
                self.site, link.url, PageStatus.ATTACHMENT_ONLY, error=f"listed as “{link.text[:80]}”, a file"
            )
        elif link.kind == LinkKind.LIST:
            yield self.list_request(link.url)

    def list_request(self, url: str, **meta: object) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_list, errback=self.failed, meta={"list": True, **meta})

    def parse_report(self, response: Response) -> Iterator[ReportPage]:
        headers = response.headers
        if response.status == 304:
            yield ReportPage(self.site, response.url, PageStatus.NOT_MODIFIED, 304,
                             stored_status=response.meta.get("stored_status"))  # fmt: skip
            return
        encoding = None
        content_type = headers.get(b"Content-Type", b"").decode("latin-1")
        m = re.search(r"charset=([\w-]+)", content_type, re.I)
        if m:
            encoding = m.group(1)
        yield ReportPage(
            site=self.site,
            url=response.url,
            status=PageStatus.FETCHED,
            http_status=response.status,
            body=response.body,
            encoding=encoding,
            etag=(headers.get(b"ETag") or b"").decode("latin-1") or None,
            last_modified=(headers.get(b"Last-Modified") or b"").decode("latin-1") or None,
            probe=bool(response.meta.get("probe")),
            link_title=response.meta.get("link_title") or None,
            content=self.content_xpath,
            url_year=self._url_year(response.url),
        )

    def _url_year(self, url: str) -> int | None:
        m = self.url_year.search(url) if self.url_year else None
        return int(m.group(1)) if m and m.group(1) and m.group(1).isascii() and m.group(1).isdigit() else None

    def failed(self, failure: Failure) -> Iterator[ReportPage]:
        """Errback: a page that could not be fetched is recorded, never fatal."""
        request = failure.request
        if isinstance(failure.value, RecentlyChecked):  # skipped on purpose
            yield ReportPage(self.site, request.url, PageStatus.RECENTLY_CHECKED,
                             stored_status=request.meta.get("stored_status"))  # fmt: skip
            return
        if isinstance(failure.value, OffsiteRedirect):
            yield ReportPage(self.site, request.url, PageStatus.DROPPED, error=str(failure.value))
            return
        if request.meta.get("list") and "robots.txt" in str(failure.value):  # the portal does not allow it
            self.crawler.stats.inc_value(ROBOTS_FORBIDDEN)
            return
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else None
        if request.meta.get("probe") and status == 404:
            yield ReportPage(self.site, request.url, PageStatus.NOT_PUBLISHED, status, probe=True)
            return
        reason = f"HTTP {status}" if status else f"{failure.type.__name__}: {failure.getErrorMessage()}"[:300]
        if request.meta.get("list"):
            self.crawler.stats.inc_value(LIST_FAILURES)
        yield ReportPage(self.site, request.url, PageStatus.FAILED, status, error=reason)
        if request.meta.get("start") and status in (404, 410):  # the list moved: look for it from the home page
            again = self.discovery_request(self.home_of(request.url), moved_from=request.url)
            if again is not None:
                yield again
