"""How far one crawl may go: [crawl] max_* in config.toml, each of which a [sites.NAME] may override.

The defaults are several times what the largest real portal needs (a district with ~150
reporting units over 7 years is ~1,050 report pages on ~60 list pages; the city portal fewer),
and small enough that a portal whose list never ends, or that links 100,000 "reports", is left
within minutes. A crawl that reaches one ends as `limited`, with the message naming the limit.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class CrawlLimits:
    max_list_pages: int = 1_000  # distinct list pages requested
    max_report_pages: int = 5_000  # distinct report pages requested (links and probes)
    max_depth: int = 200  # list pages followed from list pages, one after another (pagination depth)
    max_bytes: int = 2_000_000_000  # bytes of responses downloaded
    max_seconds: float = 7_200.0  # wall time (Scrapy's CLOSESPIDER_TIMEOUT)

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def merged(self, table: dict[str, Any]) -> CrawlLimits:
        """These limits with those `table` sets (a [crawl] or [sites.NAME] table) replaced."""
        return replace(self, **{k: table[k] for k in self.names() if k in table})


# Spider close reasons of the limits that end a crawl at once (the others stop following links).
CLOSE_BYTES = "limit_max_bytes"
CLOSE_TIMEOUT = "closespider_timeout"  # Scrapy's CloseSpider extension


def message(limit: str, value: float) -> str:
    """The run's error for a limit reached: the limit's value, its name in config.toml, a hint."""
    n = f"{value:,.0f}"
    return {
        "max_list_pages": f"stopped after {n} list pages (max_list_pages): the list never ends?",
        "max_report_pages": f"stopped after {n} report pages (max_report_pages): more report links than any portal has",
        "max_depth": f"stopped following pagination {n} pages deep (max_depth): the pagination never ends?",
        "max_bytes": f"stopped after {n} bytes downloaded (max_bytes)",
        "max_seconds": f"stopped after {n} s (max_seconds)",
    }[limit]


class Budget:
    """What one crawl has spent of its limits. The list and report limits stop following links
    (what is queued still comes in); the first limit reached is the run's reason, in `stats`."""

    def __init__(self, limits: CrawlLimits, stats: Any | None, key: str) -> None:
        self.limits = limits
        self.stats, self.key = stats, key  # the Scrapy stats key that holds the reason (spiders.stats.LIMIT)
        self.lists: set[str] = set()
        self.reports: set[str] = set()
        self.bytes = 0

    def reached(self, limit: str) -> None:
        if self.stats is not None and not self.stats.get_value(self.key):  # the first one is what ended the crawl
            self.stats.set_value(self.key, message(limit, getattr(self.limits, limit)))

    def list_page(self, url: str, depth: int) -> bool:
        """May the list page at `url`, `depth` list pages from a start URL, be requested?"""
        if url in self.lists:  # asked for already (the duplicate filter drops it): no new page
            return True
        if depth > self.limits.max_depth:
            self.reached("max_depth")
            return False
        if len(self.lists) >= self.limits.max_list_pages:
            self.reached("max_list_pages")
            return False
        self.lists.add(url)
        return True

    def report_page(self, url: str) -> bool:
        if url in self.reports:
            return True
        if len(self.reports) >= self.limits.max_report_pages:
            self.reached("max_report_pages")
            return False
        self.reports.add(url)
        return True

    def received(self, size: int) -> bool:
        """Count a response's bytes: False once the crawl has downloaded more than it may."""
        self.bytes += size
        if self.bytes <= self.limits.max_bytes:
            return True
        self.reached("max_bytes")
        return False
