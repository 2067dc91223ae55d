"""Crawl-health checks, declared in one place.

As spidermon's monitors do, each check reads the numbers of a crawl and raises an `Alarm`
when they are wrong; the thresholds come from config.toml `[monitors]`. Two suites:

- ON_CLOSE reads one crawl's stats when it closes (the pipeline's StoreStage): a crawl that
  fetched no list page, or whose lists link no report, is failed and says why.
- ON_HISTORY reads a site's crawl runs as the store has them (the alert digest): a streak of
  failed crawls, and the watchdog (no successful crawl for longer than `stale_factor` times
  the site's interval).

A check only decides; what is done with its alarm (the run's status, a digest, not alerting
it twice) is the caller's. spidermon itself is not used: its monitors are unittest cases run
by a Scrapy extension after the crawl, while the run's status is needed inside close_spider
and the history checks run outside Scrapy (the scheduler's watchdog).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from common.constants import PageStatus, SaveStatus
from spiders.stats import LIST_FAILURES, LIST_PAGES, REPORT_LINKS

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector

    from crawler.config import Config


@dataclass(frozen=True)
class Thresholds:
    """config.toml `[monitors]`."""

    failure_streak: int = 3  # failed crawls in a row that make an alert
    stale_factor: float = 2.0  # no successful crawl for this many intervals: the watchdog's alert


@dataclass(frozen=True)
class Alarm:
    """A check that failed: which one, and what it says (the run's error, the digest's subject)."""

    monitor: str
    message: str
    fails_run: bool = True  # ON_CLOSE: the crawl is recorded as failed
    runs: tuple[dict[str, Any], ...] = ()  # failure_streak: the failed runs, newest first
    since: str | None = None  # watchdog: the last successful crawl ("never")

    @property
    def last_error(self) -> str:
        """failure_streak: the first error of the newest failed run."""
        return (self.runs[0].get("errors") or ["?"])[0] if self.runs else "?"


@dataclass(frozen=True)
class CrawlStats:
    """What ON_CLOSE reads: Scrapy's stats of one crawl and what the store stage counted."""

    list_pages: int  # list pages fetched
    list_failures: int  # list pages that could not be fetched
    report_links: int  # report links the list pages gave
    reports_found: int  # reports stored or seen unchanged, by link or by probing

    @classmethod
    def of(cls, stats: StatsCollector, counts: Mapping[str, int]) -> CrawlStats:
        found = (SaveStatus.NEW, SaveStatus.CHANGED, SaveStatus.UNCHANGED, SaveStatus.COPY, PageStatus.ATTACHMENT_ONLY)
        return cls(
            list_pages=stats.get_value(LIST_PAGES, 0),
            list_failures=stats.get_value(LIST_FAILURES, 0),
            report_links=stats.get_value(REPORT_LINKS, 0),
            reports_found=sum(counts.get(k, 0) for k in found),
        )


@dataclass(frozen=True)
class SiteHistory:
    """What ON_HISTORY reads: a site's crawl runs, as the store has them."""

    failed_runs: tuple[dict[str, Any], ...] = ()  # since the last finished run that did not fail, newest first
    last_success: str | None = None  # when the last successful crawl finished (ISO 8601, UTC)
    first_started: str | None = None  # when the site's first crawl started
    interval: timedelta | None = None  # how often the site is crawled


# --- ON_CLOSE: one crawl ---------------------------------------------------------


def no_list_page(crawl: CrawlStats, limits: Thresholds, now: datetime) -> Alarm | None:
    """No list page could be fetched: the portal is down, or blocks us."""
    if crawl.list_pages:
        return None
    return Alarm("no_list_page", f"no list page could be fetched ({crawl.list_failures} failed)")


def no_report_link(crawl: CrawlStats, limits: Thresholds, now: datetime) -> Alarm | None:
    """Lists that link no report: the portal changed its pages (or a script writes the links).
    Reports found by probing only are still a crawl."""
    if not crawl.list_pages or crawl.report_links:
        return None
    message = f"its {crawl.list_pages} list pages link no report: has the portal changed its pages?"
    return Alarm("no_report_link", message, fails_run=not crawl.reports_found)


# --- ON_HISTORY: a site's runs ---------------------------------------------------


def failure_streak(history: SiteHistory, limits: Thresholds, now: datetime) -> Alarm | None:
    """The last `failure_streak` crawls or more all failed."""
    n = len(history.failed_runs)
    if n < limits.failure_streak:
        return None
    return Alarm("failure_streak", f"crawl failed {n} times in a row", runs=history.failed_runs)


def watchdog(history: SiteHistory, limits: Thresholds, now: datetime) -> Alarm | None:
    """No successful crawl for more than `stale_factor` intervals: is the scheduler running?
    With no success yet, the clock starts at the first crawl: a new site is not stale at once."""
    since = history.last_success or history.first_started
    if not history.interval or not since:
        return None
    if now - datetime.fromisoformat(since) <= limits.stale_factor * history.interval:
        return None
    return Alarm("watchdog", "no successful crawl recently", since=history.last_success or "never")


Check = Callable[[Any, Thresholds, datetime], Alarm | None]
ON_CLOSE: tuple[Check, ...] = (no_list_page, no_report_link)
ON_HISTORY: tuple[Check, ...] = (failure_streak, watchdog)


def run_checks(suite: tuple[Check, ...], data: CrawlStats | SiteHistory, limits: Thresholds | None = None,
               now: datetime | None = None) -> dict[str, Alarm]:  # fmt: skip
    """The alarms a suite raises over its data, by monitor name, in the suite's order."""
    limits, now = limits or Thresholds(), now or datetime.now(UTC)
    alarms = (check(data, limits, now) for check in suite)
    return {alarm.monitor: alarm for alarm in alarms if alarm is not None}


def interval_of(config: Config, site: str) -> timedelta | None:
    """The site's crawl interval, for the watchdog: explicit hours, else the gap of its cron."""
    profile = config.sites.get(site)
    hours = (profile.interval_hours if profile else None) or config.schedule.get("interval_hours")
    if hours:
        return timedelta(hours=float(hours))
    from crawler.schedule_triggers import trigger_for  # it imports crawler.config, which imports this

    trigger = trigger_for(config, site)
    t0 = datetime.now(UTC)
    first = trigger.get_next_fire_time(None, t0)
    second = trigger.get_next_fire_time(first, first + timedelta(seconds=1)) if first else None
    return (second - first) if first and second else None
