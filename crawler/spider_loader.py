"""Scrapy's spider loader for nianbao: one spider per [sites.NAME] of config.toml, so
`scrapy list` and `scrapy crawl xicheng` (and scrapyd) know the configured sites.

It lives here, not in spiders/: reading the configuration is the crawler's job, and the
spiders take a site profile without knowing where it came from."""

from __future__ import annotations

import os
from typing import Self

from scrapy import Request, Spider
from scrapy.settings import BaseSettings

from crawler.config import ConfigError, load_config
from crawler.settings import from_config
from spiders.sites import spider_for


class ConfigSpiderLoader:
    def __init__(self, config_path: str | None) -> None:
        self.error: ConfigError | None = None
        try:
            config = load_config(config_path)
        except ConfigError as exc:
            config = None  # the commands (crawler/commands/) report it, one line per problem, and exit 1
            self.error = exc
        # `crawl` lays [crawl] over the settings itself; `scrapy crawl` and scrapyd take only the
        # project's settings, so each spider here carries [crawl] as its own.
        custom = from_config(config) if config else {}
        self._spiders = {
            key: _with_settings(spider_for(site), custom) for key, site in (config.sites.items() if config else ())
        }

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        return cls(os.environ.get("NIANBAO_CONFIG") or None)

    def load(self, spider_name: str) -> type[Spider]:
        try:
            return self._spiders[spider_name]
        except KeyError:
            raise KeyError(f"Spider not found: {spider_name}") from None

    def list(self) -> list[str]:
        return sorted(self._spiders)

    def find_by_request(self, request: Request) -> list[str]:
        return [name for name, cls in self._spiders.items() if cls.handles_request(request)]


def _with_settings(spider: type[Spider], settings: dict) -> type[Spider]:
    return type(spider.__name__, (spider,), {"custom_settings": {**(spider.custom_settings or {}), **settings}})
