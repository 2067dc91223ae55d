"""One spider class per site profile in config.toml, so `scrapy list` / `scrapy crawl xicheng` work.

A new portal is a [sites.NAME] block in config.toml plus a fixture test; a portal
that needs code gets its own subclass of PortalSpider here.
"""

from __future__ import annotations

import os

from crawler.config import ConfigError, Site, load_config
from spiders.portal import PortalSpider


def spider_for(site: Site) -> type[PortalSpider]:
    return type(f"{site.key.title()}Spider", (PortalSpider,), {"name": site.key, "site_profile": site})


def _register() -> None:
    try:
        config = load_config(os.environ.get("NIANBAO_CONFIG") or None)
    except ConfigError:
        return  # the crawl command reports config problems itself
    for site in config.sites.values():
        globals()[f"{site.key.title()}Spider"] = spider_for(site)


_register()
