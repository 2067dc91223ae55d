"""`scrapy list`: the configured sites; a config that does not load is its one-line reasons and exit 1
(Scrapy's own would list nothing and exit 0)."""

from __future__ import annotations

import argparse

from scrapy.commands.list import Command as ScrapyList
from scrapy.spiderloader import get_spider_loader

from crawler.commands.crawl import refuse_broken_config


class Command(ScrapyList):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        refuse_broken_config(get_spider_loader(self.settings))
        super().run(args, opts)
