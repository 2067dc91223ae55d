"""Scrapy settings. Polite by default; `settings_for(config)` applies config.toml's [crawl]."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from crawler.config_schema import TABLES

if TYPE_CHECKING:
    from crawler.config import Config


def _default(key: str) -> Any:
    """A [crawl] key's default, as the config schema says it: the settings a crawl with no config has."""
    return TABLES["crawl"][key].default


# config.toml's [crawl] key -> the Scrapy setting it sets
_FROM_CONFIG = {
    "user_agent": "USER_AGENT",
    "concurrent_per_site": "CONCURRENT_REQUESTS_PER_DOMAIN",
    "download_timeout": "DOWNLOAD_TIMEOUT",
    "download_maxsize": "DOWNLOAD_MAXSIZE",
    "file_maxsize": "NIANBAO_FILE_MAXSIZE",
    "retries": "RETRY_TIMES",
    "retry_backoff": "RETRY_BACKOFF_BASE",
    "obey_robots": "ROBOTSTXT_OBEY",
    "start_delay": "AUTOTHROTTLE_START_DELAY",
    "recheck_hours": "NIANBAO_RECHECK_HOURS",
    "parse_seconds": "NIANBAO_PARSE_SECONDS",
    "parse_memory_mb": "NIANBAO_PARSE_MEMORY_MB",
    "parse_workers": "NIANBAO_PARSE_WORKERS",
    "ocr": "NIANBAO_OCR",
    "ocr_page_seconds": "NIANBAO_OCR_PAGE_SECONDS",
}

BOT_NAME = "nianbao"
SPIDER_LOADER_CLASS = "crawler.spider_loader.ConfigSpiderLoader"  # a spider per [sites.NAME]
COMMANDS_MODULE = "crawler.commands"  # `scrapy crawl` exits 1 when the site was not crawled
NEWSPIDER_MODULE = "spiders"

ROBOTSTXT_OBEY = _default("obey_robots")
USER_AGENT = _default("user_agent")
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = _default("concurrent_per_site")
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = _default("start_delay")
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = _default("download_timeout")
# Scrapy starts CONCURRENT_ITEMS asyncio tasks for every response's output; a report page yields
# one item and a list page ~20 requests, so 100 (the default) was ~200,000 idle tasks a crawl.
CONCURRENT_ITEMS = 8
DOWNLOAD_MAXSIZE = _default("download_maxsize")
DOWNLOAD_WARNSIZE = 5_000_000
# A report's file (PDF, Word) gets a larger cap than a page: a PDF with page images runs to ~20 MB.
NIANBAO_FILE_MAXSIZE = _default("file_maxsize")
RETRY_ENABLED = True
RETRY_TIMES = _default("retries")
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = _default("retry_backoff")  # seconds before the first retry; doubled for each next one
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
# Every request and item a callback yields passes each spider middleware in turn. Two do nothing
# for this crawl: DepthMiddleware counts Scrapy's depth, which nothing reads (DEPTH_LIMIT is 0,
# spiders.limits bounds the chain of list pages), and MetaCopyDetectionMiddleware warns of meta
# copied from a response, a mistake for the spiders' tests to catch.
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
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
NIANBAO_RECHECK_HOURS = _default("recheck_hours")
NIANBAO_FULL = False
NIANBAO_RUNS: dict[str, int] = {}  # site -> crawl_runs id, opened by `crawl` before Scrapy starts
# Parse in worker processes on the cores the crawl process leaves (0: parse in the crawl process).
# A worker parses ~150 Word-exported pages a second: more than a polite crawl of one portal fetches.
NIANBAO_PARSE_WORKERS = min(4, (os.cpu_count() or 1) - 1)
# [crawl]'s max_list_pages, max_report_pages, max_depth, max_bytes, max_seconds (spiders.limits):
# the spider puts a site's own over them, and max_seconds into CLOSESPIDER_TIMEOUT.
NIANBAO_LIMITS: dict[str, float] = {}
# Each page's budget in a parse worker ([crawl] parse_seconds, parse_memory_mb): a page over it is failed.
NIANBAO_PARSE_SECONDS = _default("parse_seconds")
NIANBAO_PARSE_MEMORY_MB = _default("parse_memory_mb")
# Scans and page images: read by OCR ([crawl] ocr, off by default), each page within ocr_page_seconds.
NIANBAO_OCR = _default("ocr")
NIANBAO_OCR_PAGE_SECONDS = _default("ocr_page_seconds")


def settings_for(
    config: Config, db_path: str, full: bool = False, overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """This module's settings with config.toml's [crawl] table applied."""
    settings = {k: v for k, v in globals().items() if k.isupper() and not k.startswith("_")}
    settings.update(from_config(config))
    settings.update(NIANBAO_DB=str(db_path), NIANBAO_FULL=full)
    settings.update(overrides or {})
    return settings


def from_config(config: Config) -> dict[str, Any]:
    """The Scrapy settings config.toml's [crawl] table sets: `crawl` lays them over this module's,
    and `scrapy crawl` gets them as each spider's custom_settings (crawler.spider_loader)."""
    crawl = config.crawl
    settings = {name: crawl[key] for key, name in _FROM_CONFIG.items() if key in crawl}
    settings["NIANBAO_LIMITS"] = {k: v for k, v in crawl.items() if k.startswith("max_")}
    return settings
