"""Scrapy settings. Polite by default; `settings_for(config)` applies config.toml's [crawl]."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.config import Config

BOT_NAME = "nianbao"
SPIDER_LOADER_CLASS = "crawler.spider_loader.ConfigSpiderLoader"  # a spider per [sites.NAME]
COMMANDS_MODULE = "crawler.commands"  # `scrapy crawl` exits 1 when the site was not crawled
NEWSPIDER_MODULE = "spiders"

ROBOTSTXT_OBEY = True
USER_AGENT = "nianbao/0.1 (annual-report monitor; +https://github.com/nianbao/nianbao)"
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
# Scrapy starts CONCURRENT_ITEMS asyncio tasks for every response's output; a report page yields
# one item and a list page ~20 requests, so 100 (the default) was ~200,000 idle tasks a crawl.
CONCURRENT_ITEMS = 8
DOWNLOAD_MAXSIZE = 20_000_000
DOWNLOAD_WARNSIZE = 5_000_000
# A report's file (PDF, Word) gets a larger cap than a page: a PDF with page images runs to ~20 MB.
NIANBAO_FILE_MAXSIZE = 30_000_000
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 2.0  # seconds before the first retry; doubled for each next one
RETRY_BACKOFF_MAX = 60.0
# No Scrapy depth limit: list pages often link only a few neighbours, so a portal of 100 list
# pages is 30+ hops deep. The spider's own max_depth (spiders.limits) bounds the chain of list
# pages instead: it counts list pages only, and the run records that it was reached, where
# DEPTH_LIMIT would drop requests silently.
DEPTH_LIMIT = 0
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no listening ports on a monitoring host
LOG_LEVEL = "WARNING"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

DOWNLOADER_MIDDLEWARES = {
    # process_response runs from high to low: see off-site redirects before RedirectMiddleware (600).
    "crawler.middlewares.OffsiteRedirects": 650,
    "crawler.middlewares.ConditionalRequests": 560,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetry": 550,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.MetaRefresh": 580,
}
# The pipeline is a readable list of small stages: parse -> store (which also counts what became of each page).
ITEM_PIPELINES = {
    "crawler.pipelines.ParseStage": 100,
    "crawler.pipelines.StoreStage": 200,
}

# A live progress line on a terminal (crawler.progress; crawler.output draws it): `crawl` turns it on.
EXTENSIONS = {"crawler.progress.Progress": 500}
NIANBAO_PROGRESS = False

# `scrapy crawl SITE -O FILE`: what a page is, and its report in the JSON form (no page bytes, no parser state).
FEED_EXPORT_FIELDS = ["site", "url", "status", "http_status", "error", "report"]

NIANBAO_DB = os.environ.get("NIANBAO_DB", "data/nianbao.db")
# A stored report checked (200 or 304) within this many hours is not asked for again: a
# re-crawl of an unchanged portal is then its list pages only. --full ignores it.
NIANBAO_RECHECK_HOURS = 20.0
NIANBAO_FULL = False
NIANBAO_RUNS: dict[str, int] = {}  # site -> crawl_runs id, opened by `crawl` before Scrapy starts
# Parse in worker processes on the cores the crawl process leaves (0: parse in the crawl process).
# A worker parses ~150 Word-exported pages a second: more than a polite crawl of one portal fetches.
NIANBAO_PARSE_WORKERS = min(4, (os.cpu_count() or 1) - 1)
# [crawl]'s max_list_pages, max_report_pages, max_depth, max_bytes, max_seconds (spiders.limits):
# the spider puts a site's own over them, and max_seconds into CLOSESPIDER_TIMEOUT.
NIANBAO_LIMITS: dict[str, float] = {}
# Each page's budget in a parse worker ([crawl] parse_seconds, parse_memory_mb): a page over it is failed.
NIANBAO_PARSE_SECONDS = 60.0
NIANBAO_PARSE_MEMORY_MB = 2048
# Scans and page images: read by OCR ([crawl] ocr, off by default), each page within ocr_page_seconds.
NIANBAO_OCR = False
NIANBAO_OCR_PAGE_SECONDS = 60.0


def settings_for(
    config: Config, db_path: str, full: bool = False, overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """This module's settings with config.toml's [crawl] table applied."""
    crawl = config.crawl
    settings = {k: v for k, v in globals().items() if k.isupper()}
    settings.update(
        USER_AGENT=crawl.get("user_agent", USER_AGENT),
        CONCURRENT_REQUESTS_PER_DOMAIN=int(crawl.get("concurrent_per_site", CONCURRENT_REQUESTS_PER_DOMAIN)),
        DOWNLOAD_TIMEOUT=float(crawl.get("download_timeout", DOWNLOAD_TIMEOUT)),
        DOWNLOAD_MAXSIZE=int(crawl.get("download_maxsize", DOWNLOAD_MAXSIZE)),
        NIANBAO_FILE_MAXSIZE=int(crawl.get("file_maxsize", NIANBAO_FILE_MAXSIZE)),
        RETRY_TIMES=int(crawl.get("retries", RETRY_TIMES)),
        RETRY_BACKOFF_BASE=float(crawl.get("retry_backoff", RETRY_BACKOFF_BASE)),
        ROBOTSTXT_OBEY=bool(crawl.get("obey_robots", ROBOTSTXT_OBEY)),
        AUTOTHROTTLE_START_DELAY=float(crawl.get("start_delay", AUTOTHROTTLE_START_DELAY)),
        NIANBAO_DB=str(db_path),
        NIANBAO_FULL=full,
        NIANBAO_PARSE_WORKERS=int(crawl.get("parse_workers", NIANBAO_PARSE_WORKERS)),
        NIANBAO_RECHECK_HOURS=float(crawl.get("recheck_hours", NIANBAO_RECHECK_HOURS)),
        NIANBAO_PARSE_SECONDS=float(crawl.get("parse_seconds", NIANBAO_PARSE_SECONDS)),
        NIANBAO_PARSE_MEMORY_MB=int(crawl.get("parse_memory_mb", NIANBAO_PARSE_MEMORY_MB)),
        NIANBAO_OCR=bool(crawl.get("ocr", NIANBAO_OCR)),
        NIANBAO_OCR_PAGE_SECONDS=float(crawl.get("ocr_page_seconds", NIANBAO_OCR_PAGE_SECONDS)),
        NIANBAO_LIMITS={k: v for k, v in crawl.items() if k.startswith("max_")},
    )
    settings.update(overrides or {})
    return settings
