"""Why a request was dropped on purpose. Raised by crawler.middlewares, told apart by the
spider's errback; they live here so the spider need not import the crawler package."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest


class RecentlyChecked(IgnoreRequest):
    """A stored report checked within the recheck window: not asked for again this crawl."""


class OffsiteRedirect(IgnoreRequest):
    """A redirect to a host outside allowed_domains: dropped; the spider records it."""

    def __init__(self, url: str, target: str) -> None:
        super().__init__(f"redirect off site to {target}")
        self.url, self.target = url, target
