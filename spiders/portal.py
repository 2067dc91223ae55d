"""The generic portal spider: list pages -> pagination -> report pages (and report files).

Report links are recognised by their text and URL (spiders.links), never only by a CSS path, so a
redesigned list page does not silently lose reports. A site given by its home page, or whose list
page moved, has its report column found from the home page (spiders.discovery). Per-site
differences live in config.toml; a subclass is only for a portal that really needs code.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from datetime import date

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from common.constants import PageStatus
from parsers.metadata import read_title
from parsers.model import Report
from spiders.discovery import ColumnDiscovery
from spiders.errors import OffsiteRedirect, RecentlyChecked
from spiders.items import PageImage, ReportPage
from spiders.limits import CLOSE_BYTES, Budget, CrawlLimits
from spiders.links import Link, LinkKind, LinkRules
from spiders.pagination import script_pages
from spiders.profile import Site
from spiders.stats import BUSY, LIMIT, LIST_FAILURES, LIST_PAGES, REPORT_LINKS, ROBOTS_FORBIDDEN
from spiders.urls import link_refused, start_ports

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
            ports=start_ports([*self.start_urls, *([site.home] if site.home else [])]),
        )
        self.columns_found: dict[str, str | None] = {}
        self.reports_linked: set[str] = set()  # a report two list pages (or one, twice) link is one found
        self.content_xpath = site.content_xpath  # translated from CSS once, when the config was loaded
        self.url_year = re.compile(site.url_year) if site.url_year else None
        self.budget = Budget(CrawlLimits().merged(site.limits), None, LIMIT)  # start_requests makes the crawl's

    @classmethod
    def limits(cls, settings: BaseSettings) -> CrawlLimits:
        """[crawl]'s limits (NIANBAO_LIMITS) with the site's own over them."""
        site = cls.site_profile.limits if cls.site_profile else {}
        return CrawlLimits().merged(settings.getdict("NIANBAO_LIMITS")).merged(site)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        settings.set("CLOSESPIDER_TIMEOUT", cls.limits(settings).max_seconds, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args, **kwargs) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.response_received, signal=signals.response_received)
        return spider

    def response_received(self, response: Response, request: scrapy.Request, spider: scrapy.Spider) -> None:
        if not self.budget.received(len(response.body)) and self.crawler.engine.spider is not None:
            # Too many bytes: the crawl ends now (closing twice is a no-op for the engine).
            asyncio.ensure_future(self.crawler.engine.close_spider_async(reason=CLOSE_BYTES))

    def list_request(self, url: str, depth: int, **meta: object) -> Iterator[scrapy.Request]:
        """The request for a list page `depth` list pages from a start URL (or a column found), if
        the limits allow one."""
        if self.budget.list_page(url, depth):
            meta = {"list": True, "list_depth": depth, **meta}
            yield scrapy.Request(url, callback=self.parse_list, errback=self.failed, meta=meta)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:  # also what Scrapy < 2.13 calls
        # Made here: the crawler's stats exist only once the crawl starts.
        self.budget = Budget(self.limits(self.crawler.settings), self.crawler.stats, LIMIT)
        if self.crawler.stats.get_value(BUSY):  # another process is crawling this site
            return
        for url in self.start_urls:
            yield from self.list_request(url, 0, start=True)
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
                yield from self.report_request(site.probe_url.format(unit=unit, year=year), probe=True)

    def on_site(self, url: str) -> bool:
        """A link to one of the site's hosts, on its start URLs' port."""
        return link_refused(url, self.allowed_domains, self.link_rules.ports) is None

    def report_request(self, url: str, **meta) -> Iterator[scrapy.Request]:
        if not self.budget.report_page(url):
            return
        yield scrapy.Request(
            url,
            callback=self.parse_report,
            errback=self.failed,
            meta={"report": True, "handle_httpstatus_list": [304], **meta},
        )

    def file_request(self, url: str, **meta) -> Iterator[scrapy.Request]:
        """A report's file (PDF, Word, WPS, workbook), asked for as a report page is (conditionally,
        retried, on the allowed hosts, within the crawl's limits) but with the files' size cap; what
        it is, its bytes decide."""
        maxsize = self.crawler.settings.getint("NIANBAO_FILE_MAXSIZE")
        for request in self.report_request(url, file=True, **meta):
            if maxsize:
                request.meta["download_maxsize"] = maxsize  # Scrapy's per-request cap
            yield request

    def attachment_requests(
        self, page: str, urls: list[str], agency: str | None, year: int | None, link_title: str | None = None
    ) -> list[scrapy.Request]:
        """The files of a report page that holds no report text (the parse stage found them): the
        report is read from them, as the page's agency and year; an unread file's reason goes on the page."""
        meta = {"linked_from": page, "agency": agency, "year": year, "link_title": link_title}
        return [
            request
            for url in urls
            if self.on_site(url) and "/gate/big5/" not in url
            for request in self.file_request(url, **meta)
        ]

    def image_request(
        self, page: ReportPage, urls: list[str], got: tuple[PageImage, ...] = ()
    ) -> scrapy.Request | None:
        """The next of the images a report page shows as its pages (图片版), on the allowed hosts,
        with the files' size cap: asked for one after another, and once all are in, the page goes
        to the parse stage with them (parse_image). Each is asked for as a report file is (meta
        "report": conditionally, or not within recheck_hours; ConditionalRequests) until one has
        changed: OCR reads them all together, so from then on the rest, and any that answered 304,
        are fetched in full."""
        urls = [u for u in urls if self.on_site(u) and "/gate/big5/" not in u]
        fetched = {image.url for image in got if image.body is not None}
        asked = {image.url for image in got}
        changed = bool(fetched)
        todo = [u for u in urls if u not in (fetched if changed else asked)]
        if not todo:
            return None
        meta = {"page_images": (page, urls, got), "handle_httpstatus_list": [304]}
        if not changed:
            meta.update(report=True, image=True)
        maxsize = self.crawler.settings.getint("NIANBAO_FILE_MAXSIZE")
        if maxsize:
            meta["download_maxsize"] = maxsize
        return scrapy.Request(todo[0], callback=self.parse_image, errback=self.image_failed, meta=meta,
                              dont_filter=True)  # fmt: skip

    def parse_image(self, response: Response) -> Iterator[scrapy.Request | ReportPage]:
        page, urls, got = response.meta["page_images"]
        headers = response.headers
        image = PageImage(
            response.url,
            None if response.status == 304 else response.body,
            response.status,
            (headers.get(b"ETag") or b"").decode("latin-1") or None,
            (headers.get(b"Last-Modified") or b"").decode("latin-1") or None,
            response.meta.get("stored_status"),
        )
        yield from self._next_image(page, urls, (*got, image))

    def _next_image(
        self, page: ReportPage, urls: list[str], got: tuple[PageImage, ...]
    ) -> Iterator[scrapy.Request | ReportPage]:
        following = self.image_request(page, urls, got)
        if following is not None:
            yield following
            return
        latest = {image.url: image for image in got}  # an image asked for again: its full answer
        images = [latest[url] for url in urls if url in latest]
        if all(image.body is None for image in images):  # none changed: the report read from them stands
            yield ReportPage(page.site, page.url, PageStatus.NOT_MODIFIED, page.http_status, etag=page.etag,
                             last_modified=page.last_modified, stored_status=images[0].stored_status,
                             images=images)  # fmt: skip
            return
        yield ReportPage(
            page.site, page.url, PageStatus.FETCHED, page.http_status, body=page.body, encoding=page.encoding,
            etag=page.etag, last_modified=page.last_modified, link_title=page.link_title, content=page.content,
            url_year=page.url_year, agency=page.agency, year=page.year, images=images,
        )  # fmt: skip

    def image_failed(self, failure: Failure) -> Iterator[scrapy.Request | ReportPage]:
        """A page image not fetched: the page stays attachment_only, with the reason. One checked
        within recheck_hours is unchanged, as a 304 is."""
        page, urls, got = failure.request.meta["page_images"]
        if isinstance(failure.value, RecentlyChecked):
            stored = failure.request.meta.get("stored_status")
            yield from self._next_image(page, urls, (*got, PageImage(failure.request.url, None, stored_status=stored)))
            return
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else None
        reason = f"HTTP {status}" if status else f"{failure.type.__name__}: {failure.getErrorMessage()}"[:300]
        yield ReportPage(self.site, page.url, PageStatus.ATTACHMENT_ONLY, page.http_status, agency=page.agency,
                         year=page.year, error=f"page image {failure.request.url} not fetched: {reason}")  # fmt: skip

    def parse_list(self, response: Response) -> Iterator[scrapy.Request | ReportPage]:
        """Every <a href> and URL in script text; reports and list pages by text and URL (spiders.links).
        A start URL that lists no report and links no list page (a home page, a column that moved)
        sends the spider looking for the report column (spiders.discovery)."""
        self.crawler.stats.inc_value(LIST_PAGES)
        if not hasattr(response, "xpath"):
            return
        meta = response.request.meta if response.request is not None else {}
        depth = meta.get("list_depth", 0) + 1  # of the list pages this one links
        useful = False
        for link in self.link_rules.read(response):
            useful = useful or link.kind != LinkKind.SKIPPED
            yield from self.follow(link, depth)
        if not useful and meta.get("start"):
            yield from self.rediscover(response)

    def rediscover(self, response: Response) -> Iterator[scrapy.Request | ReportPage]:
        home = self.home_of(response.url)
        if home.rstrip("/") == response.url.rstrip("/"):  # the start URL is the home page: read it as one
            yield from self.parse_home(response)
            return
        request = self.discovery_request(home, moved_from=response.url)
        if request is not None:
            yield request

    def follow(self, link: Link, depth: int = 0) -> Iterator[scrapy.Request]:
        """What a list page's link is followed by (spiders.links decided what it is). A page this
        crawl asked for already is not asked again: the duplicate filter would drop the request, after
        its trip through the spider middlewares and the scheduler (list pages link their neighbours
        and the same reports again and again)."""
        if link.kind in (LinkKind.REPORT, LinkKind.FILE_REPORT) and link.url not in self.reports_linked:
            self.reports_linked.add(link.url)
            self.crawler.stats.inc_value(REPORT_LINKS)
        if link.url in (self.budget.lists if link.kind == LinkKind.LIST else self.budget.reports):
            return
        if link.kind == LinkKind.REPORT:
            yield from self.report_request(link.url, link_title=link.text)  # the title, should the page hide it
        elif link.kind == LinkKind.FILE_REPORT:  # a report listed as its PDF/Word file: read like a page
            yield from self.file_request(link.url, link_title=link.text, **_named_by(link.text))
        elif link.kind == LinkKind.LIST:
            yield from self.list_request(link.url, depth)

    def parse_report(self, response: Response) -> Iterator[ReportPage]:
        headers = response.headers
        meta = response.meta
        if response.status == 304:
            yield ReportPage(self.site, response.url, PageStatus.NOT_MODIFIED, 304, **_file_fields(meta),
                             stored_status=meta.get("stored_status"))  # fmt: skip
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
            probe=bool(meta.get("probe")),
            link_title=meta.get("link_title") or None,
            content=None if meta.get("file") else self.content_xpath,
            url_year=self._url_year(response.url),
            **_file_fields(meta),
        )

    def _url_year(self, url: str) -> int | None:
        m = self.url_year.search(url) if self.url_year else None
        return int(m.group(1)) if m and m.group(1) and m.group(1).isascii() and m.group(1).isdigit() else None

    def failed(self, failure: Failure) -> Iterator[ReportPage]:
        """Errback: a page that could not be fetched is recorded, never fatal."""
        request = failure.request
        if isinstance(failure.value, RecentlyChecked):  # skipped on purpose
            yield ReportPage(self.site, request.url, PageStatus.RECENTLY_CHECKED, **_file_fields(request.meta),
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
        if request.meta.get("file"):  # the report is published, in a file not read: say why
            listed = request.meta.get("link_title") if not request.meta.get("linked_from") else None
            error = (f"listed as “{listed[:80]}”, a file: " if listed else "") + f"file not fetched: {reason}"
            yield ReportPage(self.site, request.url, PageStatus.ATTACHMENT_ONLY, status, error=error,
                             **_file_fields(request.meta))  # fmt: skip
            return
        if request.meta.get("list"):
            self.crawler.stats.inc_value(LIST_FAILURES)
        yield ReportPage(self.site, request.url, PageStatus.FAILED, status, error=reason)
        if request.meta.get("start") and status in (404, 410):  # the list moved: look for it from the home page
            again = self.discovery_request(self.home_of(request.url), moved_from=request.url)
            if again is not None:
                yield again


def _named_by(text: str) -> dict:
    """The agency and year a list's link text names (as a report's title names them): a file not
    read still counts as that agency's report of that year."""
    report = Report()
    read_title(report, text)
    return {"agency": report.agency, "year": report.year}


def _file_fields(meta: dict) -> dict:
    """A file request's item fields: what it is and, for a report page's attachment, whose report."""
    if not meta.get("file"):
        return {}
    return {
        "file": True,
        "linked_from": meta.get("linked_from"),
        "agency": meta.get("agency"),
        "year": meta.get("year"),
    }
