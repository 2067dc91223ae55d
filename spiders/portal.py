"""The generic portal spider: list pages -> pagination -> report pages.

Report links are recognised by their text and URL (a year plus 年度报告/年报, or the
site's report URL patterns, or the usual slugs), never only by a CSS path, so a
redesigned list page does not silently lose reports. Per-site differences live in
config.toml; a subclass is only for a portal that really needs code.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from datetime import date
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from common.constants import PageStatus
from parsers.document import Document
from parsers.extract import NOT_REPORT_TITLE
from parsers.metadata import read_metadata
from parsers.model import Report
from spiders.errors import OffsiteRedirect, RecentlyChecked
from spiders.items import ReportPage
from spiders.limits import CLOSE_BYTES, Budget, CrawlLimits
from spiders.profile import Site
from spiders.stats import BUSY, LIMIT, LIST_FAILURES, LIST_PAGES, REPORT_LINKS
from spiders.urls import ATTACHMENT, host_allowed

REPORT_TEXT = re.compile(r"(?:19|20)\d{2}\s*年.{0,60}?(?:年度报告|年报|信息公开工作报告)")
REPORT_SLUGS = re.compile(r"zfxxgkndbg|xxgknb|gknb|ndbg", re.I)
PAGINATION_TEXT = re.compile(r"^(下一页|下页|后页|尾页|末页|\d{1,3}|>|»)$")
PAGINATION_URL = re.compile(r"(index|list)?_\d+\.s?html?$|[?&](page|p|pageNo)=\d+")
SCRIPT_URL = re.compile(r"""["']((?:https?:)?/?[\w./-]+\.s?html?)["']""")
# TRS list pages write their page links from script: createPageHTML(count, current, "index", "html")
# (some with a leading element id: createPageHTML('page_div', 5, 0, 'index', 'html', 93)) links
# index.html, index_1.html … index_{count-1}.html; count and current (0-based) are numbers or
# variables (var countPage = 5). Older TRS templates only set countPage and write the links with
# document.write("<a href=\"index_" + nextPage + ...): the pages are then named as this one is.
_ARG = r"([A-Za-z_$][\w$]*|[0-9]{1,6})"
CREATE_PAGE_HTML = re.compile(
    rf"""createPageHTML\(\s*(?:["'][^"']*["']\s*,\s*)?{_ARG}\s*,\s*{_ARG}\s*,\s*["']([\w.-]+)["']\s*,\s*["'](\w+)["']""",
    re.ASCII,
)
SCRIPT_NUMBER = re.compile(r"""(?<![\w$.])([A-Za-z_$][\w$]*)\s*=\s*["']?([0-9]{1,6})(?![0-9])""", re.ASCII)
LIST_PAGE_NAME = re.compile(r"(?:(.+?)(?:_[0-9]+)?\.(s?html?))?", re.ASCII)  # index_3.html -> index, html
MAX_SCRIPT_PAGES = 500  # a list of 10,000 reports at 20 a page; a larger count is a broken script


def script_pages(script: str, page_url: str = "") -> list[str]:
    """The further pages of a list that a TRS pagination script writes links to, as relative URLs:
    pages 1 … count-1 but the current one. Page 0 (index.html) is the list's own address, which
    the crawl came in by (often as the folder, ./dcqzf2021/): asking for it again would fetch it twice."""
    variables = [(m.start(), m.group(1), int(m.group(2))) for m in SCRIPT_NUMBER.finditer(script)]

    def value(token: str, before: int) -> int:
        """A number, or the variable's value set last before `before` (0 if none)."""
        if token.isdigit():
            return int(token)
        return next((v for at, name, v in reversed(variables) if name == token and at < before), 0)

    def numbered(name: str, ext: str, count: int, here: int) -> list[str]:
        return [f"{name}_{i}.{ext}" for i in range(1, min(count, MAX_SCRIPT_PAGES)) if i != here]

    pages: list[str] = []
    for call in CREATE_PAGE_HTML.finditer(script):
        count, current, name, ext = call.groups()
        pages += numbered(name, ext, value(count, call.start()), value(current, call.start()))
    if not pages and value("countPage", len(script)) > 1:  # the older template: no call to read
        page = LIST_PAGE_NAME.fullmatch(urlsplit(page_url).path.rsplit("/", 1)[-1])
        if page:
            name, ext = page.groups() if page.group(1) else ("index", "html")
            pages = numbered(name, ext, value("countPage", len(script)), value("currentPage", len(script)))
    return list(dict.fromkeys(pages))


def _names_report(text: str) -> bool:
    """Link text that names an annual report (a year and 年度报告/年报), not a 解读 or notice of one."""
    text = re.sub(r"\s+", "", text)
    return bool(REPORT_TEXT.search(text)) and not NOT_REPORT_TITLE.search(text)


def _match_any(patterns: list[re.Pattern[str]], url: str) -> bool:
    path = urlsplit(url).path
    return any(p.search(path) for p in patterns)


class PortalSpider(scrapy.Spider):
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
        self.report_patterns = [re.compile(p) for p in site.report_patterns]
        self.list_patterns = [re.compile(p) for p in site.list_patterns]
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

    def list_request(self, url: str, depth: int) -> Iterator[scrapy.Request]:
        """The request for a list page `depth` list pages from a start URL, if the limits allow one."""
        if self.budget.list_page(url, depth):
            meta = {"list": True, "list_depth": depth}
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
            yield from self.list_request(url, 0)
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
            if host_allowed(url, self.allowed_domains) and "/gate/big5/" not in url
            for request in self.file_request(url, **meta)
        ]

    def image_request(self, page: ReportPage, urls: list[str], got: tuple = ()) -> scrapy.Request | None:
        """The next of the images a report page shows as its pages (图片版), on the allowed hosts,
        with the files' size cap: asked for one after another, and once all are in, the page goes
        to the parse stage with them (parse_image). Not asked for conditionally: the page itself is."""
        urls = [u for u in urls if host_allowed(u, self.allowed_domains) and "/gate/big5/" not in u]
        if len(got) >= len(urls):
            return None
        meta = {"page_images": (page, urls, got)}
        maxsize = self.crawler.settings.getint("NIANBAO_FILE_MAXSIZE")
        if maxsize:
            meta["download_maxsize"] = maxsize
        url = urls[len(got)]
        return scrapy.Request(url, callback=self.parse_image, errback=self.image_failed, meta=meta, dont_filter=True)

    def parse_image(self, response: Response) -> Iterator[scrapy.Request | ReportPage]:
        page, urls, got = response.meta["page_images"]
        got = (*got, (response.url, response.body))
        following = self.image_request(page, urls, got)
        if following is not None:
            yield following
            return
        yield ReportPage(
            page.site, page.url, PageStatus.FETCHED, page.http_status, body=page.body, encoding=page.encoding,
            etag=page.etag, last_modified=page.last_modified, link_title=page.link_title, content=page.content,
            url_year=page.url_year, agency=page.agency, year=page.year, images=list(got),
        )  # fmt: skip

    def image_failed(self, failure: Failure) -> Iterator[ReportPage]:
        """A page image not fetched: the page stays attachment_only, with the reason."""
        page, _, _ = failure.request.meta["page_images"]
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else None
        reason = f"HTTP {status}" if status else f"{failure.type.__name__}: {failure.getErrorMessage()}"[:300]
        yield ReportPage(self.site, page.url, PageStatus.ATTACHMENT_ONLY, page.http_status, agency=page.agency,
                         year=page.year, error=f"page image {failure.request.url} not fetched: {reason}")  # fmt: skip

    def parse_list(self, response: Response) -> Iterator[scrapy.Request]:
        """Every <a href> and URL in script text; reports and list pages by text and URL."""
        self.crawler.stats.inc_value(LIST_PAGES)
        if not hasattr(response, "xpath"):
            return
        paged = _match_any(self.list_patterns, response.url)  # a list page: its page-2 links are pages too
        depth = (
            response.request.meta.get("list_depth", 0) if response.request else 0
        ) + 1  # of the list pages this one links
        scripts = response.xpath("//script/text()").getall()
        for href in script_pages("\n".join(scripts), response.url):  # list pages by construction
            url = response.urljoin(href)
            if host_allowed(url, self.allowed_domains):
                yield from self.list_request(url, depth)
        for href, text in self._links(response, scripts):
            url = response.urljoin(href)  # honours the page's <base href>
            if "/gate/big5/" in url or not url.startswith(("http://", "https://")):
                continue
            if not host_allowed(url, self.allowed_domains):
                continue
            if ATTACHMENT.search(urlsplit(url).path):  # a file: fetched only when it names a report
                if _names_report(text):  # a report listed as its PDF/Word file: read like a page
                    self.crawler.stats.inc_value(REPORT_LINKS)
                    yield from self.file_request(url, link_title=text, **_named_by(text))
            elif self._is_report(url, text):
                self.crawler.stats.inc_value(REPORT_LINKS)
                yield from self.report_request(url, link_title=text)  # the title, should the page hide it
            elif (
                _match_any(self.list_patterns, url)
                or PAGINATION_TEXT.match(text)
                or (paged and PAGINATION_URL.search(url))
            ):
                yield from self.list_request(url, depth)

    def _links(self, response: Response, scripts: list[str]) -> Iterator[tuple[str, str]]:
        for a in response.xpath("//a[@href]"):
            text = " ".join(a.xpath(".//text()").getall()).strip()
            title = (a.attrib.get("title") or "").strip()
            yield a.attrib["href"].strip(), (title if len(title) > len(text) else text)
        for script in scripts:
            for m in SCRIPT_URL.finditer(script):
                yield m.group(1), ""

    def _is_report(self, url: str, text: str) -> bool:
        """A link to a report page (not a file): by the site's URL patterns, its text, or a slug."""
        if _match_any(self.report_patterns, url):
            return True
        if _match_any(self.list_patterns, url):
            return False
        if _names_report(text):
            return True
        return bool(REPORT_SLUGS.search(url) and re.search(r"(19|20)\d{2}", url) and text)

    def parse_report(self, response: Response) -> Iterator[ReportPage]:
        headers = response.headers
        meta = response.meta
        if response.status == 304:
            yield ReportPage(self.site, response.url, PageStatus.NOT_MODIFIED, 304, **_file_fields(meta))
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
            yield ReportPage(self.site, request.url, PageStatus.RECENTLY_CHECKED, **_file_fields(request.meta))
            return
        if isinstance(failure.value, OffsiteRedirect):
            yield ReportPage(self.site, request.url, PageStatus.DROPPED, error=str(failure.value))
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


def _named_by(text: str) -> dict:
    """The agency and year a list's link text names (as a report's title names them): a file not
    read still counts as that agency's report of that year."""
    report = Report()
    read_metadata(Document(blocks=[]), report, title_hint=text)
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
