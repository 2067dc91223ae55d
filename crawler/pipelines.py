"""Item pipeline stages: report page -> parsed report -> store. Each stage does one thing."""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from checks.assess import JUDGE
from common.constants import PageStatus, RunStatus, SaveStatus, Severity
from crawler.monitors import ON_CLOSE, CrawlStats, run_checks
from crawler.page_images import fetch_images
from crawler.parse_pool import ParsePool, WorkerDied
from crawler.parse_worker import ParsedPage, parse_page, serve
from parsers.errors import NoReportText, NotAReport, OverBudget, ParseError
from parsers.ocr import OcrOptions
from spiders.items import ColumnFound, ReportPage
from spiders.limits import CLOSE_TIMEOUT, message
from spiders.stats import BUSY, LIMIT, OFFSITE_REDIRECTS, ROBOTS_FORBIDDEN, RUN_STATUS
from storage.errors import SiteBusy
from storage.store import Store

# The parse worker pools of this process, shared by its crawlers: `crawl --all` runs a crawler a
# site in one process, and a pool each meant a worker process each (17 for the Beijing profiles,
# each spawned and importing the parsers: ~4 s of CPU a crawl, and more processes than cores).
# (workers, memory_mb) -> [the pool, how many open ParseStages use it]
_POOLS: dict[tuple[int, int], list] = {}


class ParseStage:
    """Bytes -> text records -> report model -> checks. A page that fails is kept as failed.

    Parsing is pure Python CPU work; on a machine with a spare core it runs in a worker
    process (NIANBAO_PARSE_WORKERS), so the crawl's event loop keeps fetching meanwhile.
    """

    def __init__(
        self, workers: int = 0, seconds: float = 60.0, memory_mb: int = 2048, ocr: OcrOptions | None = None
    ) -> None:
        self.workers = workers
        self.seconds, self.memory_mb = seconds, memory_mb  # each page's budget in a worker
        self.ocr = ocr or OcrOptions()  # scans and images: by OCR, each of their pages with its own budget
        self._key: tuple[int, int] | None = None  # its pool in _POOLS, while open

    @property
    def pool(self) -> ParsePool | None:
        entry = _POOLS.get(self._key) if self._key else None
        return entry[0] if entry else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        s = crawler.settings
        ocr = OcrOptions(s.getbool("NIANBAO_OCR", False), s.getfloat("NIANBAO_OCR_PAGE_SECONDS", 60.0))
        stage = cls(s.getint("NIANBAO_PARSE_WORKERS", 0), s.getfloat("NIANBAO_PARSE_SECONDS", 60.0),
                    s.getint("NIANBAO_PARSE_MEMORY_MB", 2048), ocr)  # fmt: skip
        stage.crawler = crawler  # a page's files are asked for through its engine
        return stage

    def open_spider(self, spider: Spider | None = None) -> None:
        if self.workers > 0 and self._key is None:
            self._key = (self.workers, self.memory_mb)
            entry = _POOLS.setdefault(self._key, [None, 0])
            if entry[0] is None:
                entry[0] = self._new_pool()
            entry[1] += 1

    def _new_pool(self) -> ParsePool:
        return ParsePool(self.workers, serve, (os.getpid(), self.memory_mb))

    def close_spider(self, spider: Spider | None = None) -> None:
        key, self._key = self._key, None
        entry = _POOLS.get(key) if key else None
        if entry is not None:
            entry[1] -= 1
            if entry[1] <= 0:  # the last crawler of the process using it
                del _POOLS[key]
                entry[0].close()

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
            item.agency, item.year = item.agency or exc.agency, item.year or exc.year
            if not item.file and not item.images and exc.links:
                self._fetch_files(item, exc.links)  # the report is read from them
            elif not item.file and not item.images:  # its pages as images (图片版): by OCR, where it is on
                fetch_images(item, self.ocr, getattr(self, "crawler", None))
        except NotAReport as exc:
            # On a guessed (probe) URL, a readable page with no report on it is a soft 404.
            item.status = PageStatus.NOT_PUBLISHED if item.probe else PageStatus.NOT_REPORT
            item.error = str(exc)
        except (ParseError, OverBudget) as exc:  # unreadable, or over its budget: a failure, probe or not
            item.status, item.error = PageStatus.FAILED, str(exc)
        except Exception as exc:  # a parser bug must not stop the crawl; keep the page and the reason
            item.status, item.error = PageStatus.FAILED, f"parser error: {type(exc).__name__}: {exc}"
        unread = item.file or item.images
        if unread and item.status != PageStatus.FETCHED and not (item.error or "").startswith("parser error"):
            # A report file not read (needs LibreOffice or OCR, damaged, not a report): still a
            # published report, recorded with the reason, never failed silently. (A parser bug fails.)
            item.status = PageStatus.ATTACHMENT_ONLY
            if item.link_title and not item.linked_from:  # a list's link: say which report it named
                item.error = f"listed as “{item.link_title[:80]}”, a file: {item.error}"
        return item

    def _fetch_files(self, item: ReportPage, urls: list[str]) -> None:
        """Ask for the files of a page whose report is only in them (through the scheduler: the
        same politeness, duplicate filter and middlewares as every page)."""
        crawler = getattr(self, "crawler", None)
        requests = getattr(crawler.spider, "attachment_requests", None) if crawler else None
        if requests is None or not urls:
            return
        for request in requests(item.url, urls, item.agency, item.year, item.link_title):
            crawler.engine.crawl(request)
            item.files.append(request.url)

    async def _parse(self, item: ReportPage, again: bool = False) -> ParsedPage:
        page = (
            item.body,
            item.encoding,
            item.content,
            item.url,
            item.url_year,
            item.link_title,
            item.agency,
            item.year,
            self.ocr,
            [(image.url, image.body) for image in item.images],
        )
        pool = self.pool
        if pool is None:
            return parse_page(*page)
        try:
            return await pool.run(self.seconds, *page)
        except WorkerDied:
            # A worker died (killed, out of memory): the pool has started another, and the page is
            # tried once more; one that kills a worker twice fails.
            if again:
                raise OverBudget("the parse worker died on this page twice (out of memory?)") from None
            return await self._parse(item, again=True)


# The StoreStages open in this process, by database: `crawl --all` runs a crawler a site in one
# process, and only the last to finish brings the search index up to date. Indexing is a long
# write (trigrams of every report stored so far) that stalled every other crawl of the process
# when each site's crawl ended.
_OPEN_STAGES: Counter[str] = Counter()

FORBIDDEN_MESSAGE = "the portal does not allow crawling: its robots.txt forbids the report list"


class StoreStage:
    """Write each report (one transaction) and the page state; count what happened."""

    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self.counts: Counter[str] = Counter()
        self.errors: list[str] = []
        self.export = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        stage = cls(crawler.settings.get("NIANBAO_DB"))
        stage.crawler = crawler
        crawler.signals.connect(stage.spider_closed, signal=signals.spider_closed)
        stage.export = bool(crawler.settings.getdict("FEEDS"))  # `scrapy crawl -O FILE`: items carry their report
        return stage

    def open_spider(self, spider: Spider | None = None) -> None:
        spider = spider or self.crawler.spider
        self.store = Store(self.db_path)
        _OPEN_STAGES[self.db_path] += 1
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
            return self._unchanged(item)
        if item.status != PageStatus.FETCHED:
            if item.files:  # its report is counted once, by what becomes of its files
                self.counts["report_files"] += len(item.files)
            else:
                self.counts[item.status] += 1
            if item.linked_from:  # a report page's file not read: the reason goes on the page too
                self.store.pages.record(
                    item.linked_from, item.site, status=item.status, error=f"{item.url}: {item.error}"
                )
            if item.status == PageStatus.FAILED:
                self.errors.append(f"{item.url}: {item.error}")
            if item.agency and item.year:  # whose report of which year (attachment_only)
                page = {**page, "agency": item.agency, "year": item.year}
            self.store.pages.record(item.url, item.site, status=item.status, error=item.error, **page)
            self._record_images(item, status=item.status, error=item.error)  # unread: asked again only if changed
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
        self._record_images(item, status=PageStatus.STORED, error=None, report_id=saved.report_id)
        for f in parsed.report.findings:
            if saved.status not in (SaveStatus.UNCHANGED, SaveStatus.COPY) and f.severity != Severity.INFO:
                self.counts[f"findings_{f.severity}"] += 1
        report = parsed.report
        if self.export:
            item.report = report.to_json()
        n_err = sum(f.severity == Severity.ERROR for f in report.findings)
        _progress(self.site, f"{saved.status}: {report.agency} {report.year}" + (f" ({n_err} errors)" if n_err else ""))
        return item

    def _unchanged(self, item: ReportPage) -> ReportPage:
        """A page not downloaded again (304, or checked recently): a stored report, unchanged; a page
        that held no report, still none; or a report file still unread, which counts and says why as
        when it was fetched. A 图片版 page fetched again whose images are all unchanged is so too: its
        report (or why it was not read) is what its images gave; it keeps the page's new validators."""
        recent = item.status == PageStatus.RECENTLY_CHECKED
        # etag and last_modified stay as stored unless the page brought new ones: record leaves columns it is not given
        answer = {"http_status": item.http_status or 304}
        answer |= {k: v for k, v in (("etag", item.etag), ("last_modified", item.last_modified)) if v}
        if item.stored_status == PageStatus.NOT_REPORT:  # still no report (a 解读, a notice): counted as one again
            self.counts[PageStatus.NOT_REPORT] += 1
            if not recent:
                self.store.pages.record(item.url, item.site, **answer)  # status stays
            return item
        self._record_images(item)
        unread = self.store.pages.unread_reason(item.url) if item.file or item.images else None
        if recent:
            self.counts["not_rechecked"] += 1
        if unread is None:
            self.counts[SaveStatus.UNCHANGED] += 1
            if not recent:
                self.store.pages.record(item.url, item.site, status=PageStatus.STORED, **answer)
            return item
        self.counts[PageStatus.ATTACHMENT_ONLY] += 1
        if not recent:
            self.store.pages.record(item.url, item.site, **answer)  # still attachment_only, with its reason
        if item.linked_from:  # its page was read again this crawl: the reason goes on it again
            self.store.pages.record(item.linked_from, item.site, status=PageStatus.ATTACHMENT_ONLY,
                                    error=f"{item.url}: {unread}")  # fmt: skip
        return item

    def _record_images(self, item: ReportPage, **values: object) -> None:
        """The page images a 图片版 page was read from (or not), each with its validators and the page's
        outcome: the next crawl asks for them conditionally (ConditionalRequests), as for a report file."""
        for image in item.images:
            if image.body is None:  # not downloaded: its validators and outcome stay as stored
                if image.http_status == 304:  # checked now (one checked recently keeps its time)
                    self.store.pages.record(image.url, item.site, http_status=304)
                continue
            answer = {"etag": image.etag, "last_modified": image.last_modified, "http_status": image.http_status}
            self.store.pages.record(image.url, item.site, **answer, **values)

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

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """The run is finished here rather than in close_spider: only this signal says why the
        crawl ended (finished, a limit, a signal); items in hand are all stored by then."""
        _OPEN_STAGES[self.db_path] -= 1
        last = _OPEN_STAGES[self.db_path] <= 0  # the last crawl of this process on this database
        if last:
            del _OPEN_STAGES[self.db_path]
        if self.run_id is None:  # busy: another process's run, not ours to close
            self.store.close(index=last)
            return
        stats = self.crawler.stats
        crawl = CrawlStats.of(stats, self.counts)
        self.counts["pages_fetched"] = stats.get_value("downloader/response_count", 0)
        self.counts["list_pages"] = crawl.list_pages
        self.counts["offsite_redirects"] = stats.get_value(OFFSITE_REDIRECTS, 0)
        self.counts["seconds"] = round(time.monotonic() - self.started, 1)
        alarms = run_checks(ON_CLOSE, crawl).values()  # the crawl's health (crawler.monitors)
        status, why = self._ending(reason, any(a.fails_run for a in alarms))
        self.errors[:0] = [*why, *(a.message for a in alarms)]
        if not crawl.list_pages and stats.get_value(ROBOTS_FORBIDDEN):  # asked not to: no failure, no streak
            status, self.errors = RunStatus.FORBIDDEN, [FORBIDDEN_MESSAGE]
        stats.set_value(RUN_STATUS, RunStatus.FAILED)  # until the run is written: `scrapy crawl` exits 1
        self.store.finish_run(self.run_id, status, dict(self.counts), self.errors, index=last)
        stats.set_value(RUN_STATUS, status)
        self.store.close(index=last)

    def _ending(self, reason: str, alarmed: bool) -> tuple[RunStatus, list[str]]:
        """The run's status by why Scrapy closed the spider, and the error that says so."""
        if reason == "shutdown":  # Ctrl-C or SIGTERM: Scrapy stopped the crawl gracefully
            return RunStatus.INTERRUPTED, ["stopped by a signal (Ctrl-C or SIGTERM) before it finished"]
        limit = self.crawler.stats.get_value(LIMIT)
        if reason == CLOSE_TIMEOUT:
            limit = message("max_seconds", self.crawler.settings.getfloat("CLOSESPIDER_TIMEOUT"))
        if alarmed:
            return RunStatus.FAILED, [limit] if limit else []
        return (RunStatus.LIMITED, [limit]) if limit else (RunStatus.OK, [])


logger = logging.getLogger(__name__)


def _progress(site: str, message: str, level: int = logging.INFO) -> None:
    """A line of the crawl's progress: the CLI shows these on stdout (crawler.output)."""
    logger.log(level, "[%s] %s", site, message)
