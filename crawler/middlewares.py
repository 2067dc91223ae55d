"""Downloader middlewares: conditional re-fetching, backoff on retries, dropping off-site redirects."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any, Self
from urllib.parse import urljoin

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.settings import BaseSettings

from spiders.errors import OffsiteRedirect, RecentlyChecked
from spiders.stats import OFFSITE_REDIRECTS
from spiders.urls import redirect_refused, start_origins
from storage.store import Store


class ConditionalRequests:
    """Re-fetch a stored report, or a page read before and found no report (a 解读, a notice), only
    if it changed (If-None-Match / If-Modified-Since from the store), and not at all if it was
    checked within NIANBAO_RECHECK_HOURS. A report file fetched before but not read
    (attachment_only) is asked for so too: unchanged, it would fail the same way (`--full` reads it
    again, say once LibreOffice is installed). The images of a 图片版 report page (meta "image") are
    asked for so too, by what the store recorded of each with the page's outcome. The request
    carries the page's stored status (meta "stored_status"), so a 304 or a skip keeps what the page was."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler  # its spider names the site (see OffsiteRedirects)
        self.db_path, self.full = settings.get("NIANBAO_DB"), settings.getbool("NIANBAO_FULL")
        self.recheck = timedelta(hours=settings.getfloat("NIANBAO_RECHECK_HOURS"))
        self.known: dict[str, dict[str, Any]] | None = None
        self.unread: dict[str, dict[str, Any]] = {}
        self.now = datetime.now(UTC)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if self.full or not request.meta.get("report"):
            return None
        if self.known is None:
            # The site's stored report pages, read once: a query per request cost the crawl
            # process ~0.5 ms a page. Pages stored during this crawl are not asked again.
            store = Store(self.db_path)
            site = getattr(self.crawler.spider, "site", None)
            try:
                self.known, self.unread = store.pages.revisitable(site), store.pages.unread_files(site)
            finally:
                store.db.close()  # only read: nothing to index
        page = self.known.get(request.url)
        if page is None and (request.meta.get("file") or request.meta.get("image")):
            page = self.unread.get(request.url)
        if page is None:
            return None
        request.meta["stored_status"] = page["status"]
        checked = page["last_fetched"]
        if self.recheck and checked and self.now - datetime.fromisoformat(checked) < self.recheck:
            raise RecentlyChecked(f"checked at {checked}")
        if page["etag"]:
            request.headers.setdefault("If-None-Match", page["etag"])
        if page["last_modified"]:
            request.headers.setdefault("If-Modified-Since", page["last_modified"])
        return None


def refused(crawler: Crawler, request: Request, target: str, kind: str = "redirect") -> OffsiteRedirect | None:
    """The error that drops a redirect or meta refresh from `request` to `target` (the errback
    records it as a `dropped` page), or None when it is followed. A redirect to a page of its own
    chain is a loop: the duplicate filter would drop it silently, and the page would leave no row."""
    try:
        spider = crawler.spider
    except RuntimeError:  # no crawl running (a middleware on its own): nothing to compare with
        return None
    domains = getattr(spider, "allowed_domains", None)
    if spider is None or domains is None:  # a spider that names no domains (Scrapy's): any host will do
        reason = None
    else:
        home = getattr(getattr(spider, "site_profile", None), "home", None)  # a site given by its home page
        starts = [*getattr(spider, "start_urls", []), *([home] if home else [])]
        reason = redirect_refused(request.url, target, domains, start_origins(starts))
    chain = [*request.meta.get("redirect_urls", []), request.url]
    if reason is None and target in chain:
        reason = f"redirect loop: {' -> '.join([*chain[chain.index(target) :], target])}"
    if reason is None:
        return None
    crawler.stats.inc_value(OFFSITE_REDIRECTS)
    return OffsiteRedirect(request.url, target, reason.replace("redirect", kind, 1))


class OffsiteRedirects:
    """A redirect that is not followed (off site, another port or scheme, a loop) is dropped,
    and recorded by the errback."""

    def __init__(self, crawler: Crawler) -> None:
        # The spider comes from the crawler: Scrapy >= 2.13 no longer passes it to a middleware
        # method whose `spider` parameter has a default (it was None, and every redirect was
        # taken for an off-site one).
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        if response.status not in (301, 302, 303, 307, 308) or b"Location" not in response.headers:
            return response
        target = urljoin(request.url, response.headers[b"Location"].decode("latin-1"))
        error = refused(self.crawler, request, target)
        if error is None:
            return response
        raise error


class MetaRefresh(MetaRefreshMiddleware):
    """Scrapy's <meta http-equiv="refresh"> redirects, asked only of pages that can hold one.

    Scrapy decodes the whole page to look at its first 4096 characters (~0.3 ms of a 100 KB
    report page); a page with no "refresh" in the bytes those characters can span has none."""

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        head = response.body[:_META_REFRESH_BYTES]
        wide = b"\x00" in head  # UTF-16/32 (BOM or not): Scrapy's own check
        if not wide and b"refresh" not in head.lower():  # lower(): C, ~10x a re.I search
            return response
        result = super().process_response(request, response)
        if isinstance(result, Request) and (error := refused(self.crawler, request, result.url, "meta refresh")):
            raise error  # Scrapy's offsite filter would drop it without a word
        return result


# Scrapy honours a refresh in the first 4096 characters; no encoding a page uses here spends more
# than 4 bytes on one.
_META_REFRESH_BYTES = 4 * 4096


class BackoffRetry(RetryMiddleware):
    """Scrapy's retries (5xx, time-outs), each one waiting longer: base × 2^(n-1), capped.

    The wait does not hold the reactor: the middleware is a coroutine and only this
    request waits, so a struggling portal gets room and the rest of the crawl goes on.
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 2.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    async def _wait(self, result: Request | Response | None) -> Request | Response | None:
        if isinstance(result, Request):
            n = result.meta.get("retry_times", 1)
            await asyncio.sleep(min(self.cap, self.base * 2 ** (n - 1)))
        return result

    async def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        return await self._wait(super().process_response(request, response))

    async def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        return await self._wait(super().process_exception(request, exception))
