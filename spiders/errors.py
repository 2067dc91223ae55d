"""Why a request was dropped on purpose. Raised by crawler.middlewares, told apart by the
spider's errback; they live here so the spider need not import the crawler package."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest


class RecentlyChecked(IgnoreRequest):
    """A stored report checked within the recheck window: not asked for again this crawl."""


class OffsiteRedirect(IgnoreRequest):
    """A redirect not followed (to a host outside allowed_domains, to another port or scheme, a
    loop; a meta refresh as well): dropped; the spider records it with `reason`."""

    def __init__(self, url: str, target: str, reason: str | None = None) -> None:
        super().__init__(reason or f"redirect off site to {target}")
        self.url, self.target = url, target
