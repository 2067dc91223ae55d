"""`crawl check SITE`: a dry run of a site's crawl (spiders.check), storing nothing, and the pages
it fetched saved as the portal's test fixtures (`--save DIR`, each at its URL's path, as the test
`crawl new-site` writes reads them)."""

from __future__ import annotations

import logging
from pathlib import Path

from crawler.config import Config
from crawler.scaffold import saved_path
from crawler.settings import settings_for
from spiders.check import CheckLog, check_spider_for


def dry_run(config: Config, key: str, reports: int = 0) -> CheckLog:
    """Fetch the site's robots.txt and list pages (and `reports` report pages) as a crawl would; no
    database is opened: no pipeline, no conditional requests (they read the store)."""
    from scrapy.crawler import CrawlerProcess

    settings = settings_for(
        config, db_path="", overrides={"SPIDER_LOADER_CLASS": "scrapy.spiderloader.DummySpiderLoader"}
    )
    middlewares = dict(settings["DOWNLOADER_MIDDLEWARES"], **{"crawler.middlewares.ConditionalRequests": None})
    settings.update(
        ITEM_PIPELINES={},
        DOWNLOADER_MIDDLEWARES=middlewares,
        ROBOTSTXT_OBEY=False,  # the check spider reads robots.txt itself, to say what it forbids
        LOG_ENABLED=False,
    )
    process = CrawlerProcess(settings)
    logging.getLogger().setLevel(settings.get("LOG_LEVEL", "WARNING"))
    crawler = process.create_crawler(check_spider_for(config.site(key), reports))
    process.crawl(crawler)
    process.start()
    return crawler.spider.log


def save_pages(log: CheckLog, folder: Path) -> list[Path]:
    """Each fetched page at its URL's path under `folder` (a folder's page as index.html)."""
    written = []
    for url, body in log.bodies.items():
        path = folder / saved_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        written.append(path)
    return written
