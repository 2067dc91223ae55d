"""Item pipeline stages: report page -> parsed report -> store. Each stage does one thing."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Self

from scrapy import Spider
from scrapy.crawler import Crawler

from checks.assess import JUDGE, assess_report
from common.constants import PageStatus, RunStatus, SaveStatus, Severity
from crawler.monitors import ON_CLOSE, CrawlStats, run_checks
from parsers.errors import NoReportText, NotAReport, ParseError
from parsers.load import parse_bytes
from parsers.model import Report
from spiders.items import ColumnFound, ReportPage
from spiders.stats import BUSY, OFFSITE_REDIRECTS, ROBOTS_FORBIDDEN, RUN_STATUS
from spiders.urls import attachment_urls
from storage.errors import SiteBusy
from storage.store import Store


class ParseStage:
    """Bytes -> text records -> report model -> checks. A page that fails is kept as failed.

    Parsing is pure Python CPU work; on a machine with a spare core it runs in a worker
    process (NIANBAO_PARSE_WORKERS), so the crawl's event loop keeps fetching meanwhile.
    """

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.settings.getint("NIANBAO_PARSE_WORKERS", 0))

    def open_spider(self, spider: Spider | None = None) -> None:
        if self.workers > 0:
            # spawn, not fork: the crawl process runs threads and an event loop.
            self.pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_exit_with_parent,
                initargs=(os.getpid(),),
            )

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    async def process_item(self, item: ReportPage | ColumnFound, spider: Spider | None = None) -> ReportPage:
        if isinstance(item, ColumnFound) or item.status != PageStatus.FETCHED:
            return item
        try:
            item.parsed = await self._parse(item)
            if item.parsed.content_found is False:  # the portal's template changed?
                _progress(item.site, f"content area ({item.content}) not found, read the whole page: {item.url}",
                          logging.WARNING)  # fmt: skip
        except NoReportText as exc:  # the report is there, as images or an attachment: published
            item.status, item.error = PageStatus.ATTACHMENT_ONLY, str(exc)
            item.agency, item.year = exc.agency, exc.year
        except NotAReport as exc:
            # On a guessed (probe) URL, a readable page with no report on it is a soft 404.
            item.status = PageStatus.NOT_PUBLISHED if item.probe else PageStatus.NOT_REPORT
            item.error = str(exc)
        except ParseError as exc:  # unreadable: a genuine failure, probe or not
            item.status, item.error = PageStatus.FAILED, str(exc)
        except Exception as exc:  # a parser bug must not stop the crawl; keep the page and the reason
            item.status, item.error = PageStatus.FAILED, f"parser error: {type(exc).__name__}: {exc}"
        return item

    async def _parse(self, item: ReportPage) -> ParsedPage:
        if self.pool is not None:
            try:
                future = self.pool.submit(parse_page, item.body, item.encoding, item.content, item.url, item.url_year,
                                          item.link_title)  # fmt: skip
                return await asyncio.wrap_future(future)
            except BrokenProcessPool:
                self.pool = None  # a worker died (killed, out of memory): parse here from now on
        return parse_page(item.body, item.encoding, item.content, item.url, item.url_year, item.link_title)


@dataclass
class ParsedPage:
    """What the store needs of a parsed page: the Document (its grids) stays in the worker, as
    pickling it back would cost the crawl process more than parsing saved it."""

    report: Report  # with its findings (checks.assess)
    records: list[str]
    content_found: bool | None
    attachments: list[str]


def parse_page(
    body: bytes,
    encoding: str | None,
    content: str | None,
    url: str,
    url_year: int | None = None,
    link_title: str | None = None,
) -> ParsedPage:
    """A report page parsed and assessed (with the year its URL files it under and the title its
    list link gave) and its attachment links read: the CPU work of a page, done together in the
    worker so the crawl process only fetches and writes (reading the links in the spider parsed
    a page with attachments twice)."""
    try:
        parsed = parse_bytes(body, "html", encoding, content, title_hint=link_title)
    except NoReportText as exc:  # say where the report is: its attachments
        found = attachment_urls(url, exc.links)
        message = str(exc) + (f" Attachments: {' '.join(found)}" if found else "")
        raise NoReportText(message, exc.links, exc.agency, exc.year) from None
    parsed.report.findings = assess_report(parsed.report, url_year)
    doc = parsed.document
    return ParsedPage(parsed.report, parsed.records, doc.content_found, attachment_urls(url, doc.links))


def _exit_with_parent(parent: int) -> None:
    """In a parse worker: leave when the crawl process is gone (even if it was SIGKILLed)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


FORBIDDEN_MESSAGE = "the portal does not allow crawling: its robots.txt forbids the report list"


class StoreStage:
    """Write each report (one transaction) and the page state; count what happened."""

    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self.counts: Counter[str] = Counter()
        self.errors: list[str] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        stage = cls(crawler.settings.get("NIANBAO_DB"))
        stage.crawler = crawler
        return stage

    def open_spider(self, spider: Spider | None = None) -> None:
        spider = spider or self.crawler.spider
        self.store = Store(self.db_path)
        self.site = spider.site
        # `crawl` opened the run already (crawler.run); `scrapy crawl` did not.
        run_id = self.crawler.settings.getdict("NIANBAO_RUNS").get(self.site)
        self.started = time.monotonic()
        try:
            self.run_id = run_id if run_id is not None else self.store.runs.start(self.site)
        except SiteBusy as exc:  # the spider sees the stat and requests nothing
            self.run_id = None
            self.crawler.stats.set_value(BUSY, str(exc))
            self.crawler.stats.set_value(RUN_STATUS, RunStatus.BUSY)
            _progress(self.site, f"not crawled: {exc}", logging.WARNING)

    def process_item(self, item: ReportPage | ColumnFound, spider: Spider | None = None) -> ReportPage | ColumnFound:
        if isinstance(item, ColumnFound):
            return self.column(item)
        page = {"etag": item.etag, "last_modified": item.last_modified, "http_status": item.http_status}
        if item.status in (PageStatus.RECENTLY_CHECKED, PageStatus.NOT_MODIFIED):
            if item.stored_status == PageStatus.NOT_REPORT:  # still no report: counted as one again
                self.counts[PageStatus.NOT_REPORT] += 1
            else:
                self.counts[SaveStatus.UNCHANGED] += 1
                self.counts["not_rechecked"] += item.status == PageStatus.RECENTLY_CHECKED
            if item.status == PageStatus.NOT_MODIFIED:
                # status, etag and last_modified stay as stored: record leaves columns it is not given.
                self.store.pages.record(item.url, item.site, http_status=304)
            return item
        if item.status != PageStatus.FETCHED:
            self.counts[item.status] += 1
            if item.status == PageStatus.FAILED:
                self.errors.append(f"{item.url}: {item.error}")
            if item.agency and item.year:  # whose report of which year (attachment_only)
                page = {**page, "agency": item.agency, "year": item.year}
            self.store.pages.record(item.url, item.site, status=item.status, error=item.error, **page)
            if item.status != PageStatus.NOT_PUBLISHED:  # probing for next year's reports is routine
                level = logging.WARNING if item.status == PageStatus.FAILED else logging.INFO
                _progress(self.site, f"{item.status}: {item.url} ({item.error})", level)
            return item
        parsed = item.parsed
        if parsed.content_found is False:
            self.counts["content_not_found"] += 1
        saved = self.store.save_report(
            item.site, item.url, parsed.report, parsed.records, judge=JUDGE, raw=item.body, encoding=item.encoding,
            attachments=parsed.attachments, page=page,
        )  # fmt: skip
        self.counts[saved.status] += 1
        for f in parsed.report.findings:
            if saved.status != SaveStatus.UNCHANGED and f.severity != Severity.INFO:
                self.counts[f"findings_{f.severity}"] += 1
        report = parsed.report
        n_err = sum(f.severity == Severity.ERROR for f in report.findings)
        _progress(self.site, f"{saved.status}: {report.agency} {report.year}" + (f" ({n_err} errors)" if n_err else ""))
        return item

    def column(self, item: ColumnFound) -> ColumnFound:
        """A report column found from the home page: stored (the next crawl starts there), and said."""
        news = self.store.columns.found(item.site, item.url, item.moved_from)
        self.counts["columns_found"] += 1
        if item.moved_from:
            _progress(
                self.site,
                f"the report list moved: {item.moved_from} -> {item.url}",
                logging.WARNING if news else logging.INFO,
            )
        else:
            _progress(self.site, f"report column found from the home page: {item.url}")
        return item

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.run_id is None:  # busy: another process's run, not ours to close
            self.store.close()
            return
        stats = self.crawler.stats
        crawl = CrawlStats.of(stats, self.counts)
        self.counts["pages_fetched"] = stats.get_value("downloader/response_count", 0)
        self.counts["list_pages"] = crawl.list_pages
        self.counts["offsite_redirects"] = stats.get_value(OFFSITE_REDIRECTS, 0)
        self.counts["seconds"] = round(time.monotonic() - self.started, 1)
        alarms = run_checks(ON_CLOSE, crawl).values()  # the crawl's health (crawler.monitors)
        status = RunStatus.FAILED if any(a.fails_run for a in alarms) else RunStatus.OK
        self.errors[:0] = [a.message for a in alarms]
        if not crawl.list_pages and stats.get_value(ROBOTS_FORBIDDEN):  # asked not to: no failure, no streak
            status, self.errors = RunStatus.FORBIDDEN, [FORBIDDEN_MESSAGE]
        stats.set_value(RUN_STATUS, RunStatus.FAILED)  # until the run is written: `scrapy crawl` exits 1
        self.store.finish_run(self.run_id, status, dict(self.counts), self.errors)
        stats.set_value(RUN_STATUS, status)
        self.store.close()


logger = logging.getLogger(__name__)


def _progress(site: str, message: str, level: int = logging.INFO) -> None:
    """A line of the crawl's progress: the CLI shows these on stdout (crawler.output)."""
    logger.log(level, "[%s] %s", site, message)
