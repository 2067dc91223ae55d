"""Downloader middlewares: conditional re-fetching, backoff on retries, dropping off-site redirects."""

from __future__ import annotations

import asyncio
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest

from storage.store import Store


class ConditionalRequests:
    """Ask for a report page only if it changed: If-None-Match / If-Modified-Since from the store."""

    def __init__(self, db_path: str, full: bool) -> None:
        self.db_path, self.full = db_path, full
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("NIANBAO_DB"), crawler.settings.getbool("NIANBAO_FULL"))

    def process_request(self, request, spider=None):
        if self.full or not request.meta.get("report"):
            return None
        if self.store is None:
            self.store = Store(self.db_path)
        page = self.store.page(request.url)
        if page and page.get("report_id") and page.get("status") == "stored":
            if page.get("etag"):
                request.headers.setdefault("If-None-Match", page["etag"])
            if page.get("last_modified"):
                request.headers.setdefault("If-Modified-Since", page["last_modified"])
        return None


class OffsiteRedirect(IgnoreRequest):
    """A redirect to a host outside allowed_domains: dropped; the spider records it."""

    def __init__(self, url: str, target: str) -> None:
        super().__init__(f"redirect off site to {target}")
        self.url, self.target = url, target


class OffsiteRedirects:
    """A redirect to a host outside allowed_domains is dropped (and recorded by the errback)."""

    @classmethod
    def from_crawler(cls, crawler):
        return cls()

    def process_response(self, request, response, spider=None):
        if response.status not in (301, 302, 303, 307, 308) or b"Location" not in response.headers:
            return response
        target = urljoin(request.url, response.headers[b"Location"].decode("latin-1"))
        host = (urlsplit(target).hostname or "").lower()
        allowed = getattr(spider, "allowed_domains", None) or []
        if any(host == d or host.endswith("." + d) for d in allowed):
            return response
        if spider is not None:
            spider.crawler.stats.inc_value("nianbao/offsite_redirects")
        raise OffsiteRedirect(request.url, target)


class BackoffRetry(RetryMiddleware):
    """Scrapy's retries (5xx, time-outs), each one waiting longer: base × 2^(n-1), capped.

    The wait does not hold the reactor: the middleware is a coroutine and only this
    request waits, so a struggling portal gets room and the rest of the crawl goes on.
    """

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 2.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    async def _wait(self, result):
        if isinstance(result, Request):
            n = result.meta.get("retry_times", 1)
            await asyncio.sleep(min(self.cap, self.base * 2 ** (n - 1)))
        return result

    async def process_response(self, request, response, spider=None):
        return await self._wait(super().process_response(request, response))

    async def process_exception(self, request, exception, spider=None):
        return await self._wait(super().process_exception(request, exception))
