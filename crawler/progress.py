"""A crawl's progress as numbers: a Scrapy extension that, twice a second, logs one DEBUG record
carrying the crawl's counts (`record.progress`). The output layer (crawler.output) draws them as
a live line on a terminal; elsewhere the record is below every handler's level and the per-report
lines stay the log."""

from __future__ import annotations

import logging
import time
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from spiders.stats import LIST_FAILURES, LIST_PAGES, REPORT_LINKS

log = logging.getLogger(__name__)
EVERY = 0.5  # seconds between two updates of the line


class Progress:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.loop: task.LoopingCall | None = None
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NIANBAO_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.tick, spider, False)
        self.loop.start(EVERY, now=False)

    def closed(self, spider: Spider) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.tick(spider, True)

    def numbers(self, spider: Spider) -> dict[str, Any]:
        get = self.crawler.stats.get_value
        seconds = time.monotonic() - self.started
        done = get("item_scraped_count", 0)
        found = get(REPORT_LINKS, 0)
        rate = done / seconds if seconds > 0 else 0.0
        left = (found - done) / rate if rate and found > done else None
        failed = get(LIST_FAILURES, 0) + get("item_dropped_count", 0) + get("downloader/exception_count", 0)
        return {"site": getattr(spider, "name", "?"), "list_pages": get(LIST_PAGES, 0), "found": found,
                "fetched": get("downloader/response_count", 0), "stored": done, "failed": failed,
                "rate": rate, "left": left, "seconds": seconds}  # fmt: skip

    def tick(self, spider: Spider, final: bool) -> None:
        log.debug("progress", extra={"progress": {**self.numbers(spider), "final": final}})
