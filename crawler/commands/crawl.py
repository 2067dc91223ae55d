"""`scrapy crawl NAME` with the exit status `crawl --site NAME` has: 1 when the site could not be
crawled (another process is crawling it, or no list page could be fetched)."""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler
from scrapy.spiders import Spider


class Command(ScrapyCrawl):
    crawler: Crawler | None = None

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        self.crawler = super()._create_crawler(spidercls)
        return self.crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run(args, opts)
        stats = self.crawler.stats if self.crawler is not None else None
        if stats is not None and stats.get_value("nianbao/run_status") in ("busy", "failed"):
            self.exitcode = 1
