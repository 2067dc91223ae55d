"""A spider class per site profile (crawler.spider_loader makes one for each [sites.NAME]).

A new portal is a [sites.NAME] block in config.toml plus a fixture test; a portal
that needs code gets its own subclass of PortalSpider here, chosen in spider_for.
"""

from __future__ import annotations

from spiders.portal import PortalSpider
from spiders.profile import Site


def spider_for(site: Site) -> type[PortalSpider]:
    return type(f"{site.key.title()}Spider", (PortalSpider,), {"name": site.key, "site_profile": site})
