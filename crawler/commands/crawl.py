"""`scrapy crawl NAME` with the exit status `crawl --site NAME` has: 1 when the site could not be
crawled whole (another process is crawling it, no list page could be fetched, a limit or a signal stopped it), and its progress
lines on stdout as `crawl` shows them (Scrapy's own log keeps them too, with levels)."""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler
from scrapy.spiders import Spider

from common.constants import RunStatus
from crawler import output
from spiders.stats import RUN_STATUS


def refuse_broken_config(loader: object) -> None:
    """Exit 1 with the config's problems, one line each, when it did not load (crawler.spider_loader)."""
    error = getattr(loader, "error", None)
    if error is not None:
        raise SystemExit("\n".join(f"scrapy: {line}" for line in error.lines))


class Command(ScrapyCrawl):
    crawler: Crawler | None = None

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        self.crawler = super()._create_crawler(spidercls)
        return self.crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        refuse_broken_config(getattr(self.crawler_process, "spider_loader", None))
        output.progress_to_stdout()
        super().run(args, opts)
        stats = self.crawler.stats if self.crawler is not None else None
        if stats is not None and stats.get_value(RUN_STATUS) != RunStatus.OK:
            self.exitcode = 1
