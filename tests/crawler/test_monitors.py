"""crawler.monitors: each crawl-health check over the numbers it reads, with no crawl and no
database; the [monitors] thresholds as config.toml gives them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.config import ConfigError, load_config
from crawler.monitors import (
    ON_CLOSE,
    ON_HISTORY,
    CrawlStats,
    SiteHistory,
    Thresholds,
    interval_of,
    run_checks,
)

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)


def crawl(list_pages: int = 3, list_failures: int = 0, report_links: int = 10, reports_found: int = 10) -> CrawlStats:
    return CrawlStats(list_pages, list_failures, report_links, reports_found)


def failed(n: int) -> tuple[dict, ...]:
    return tuple({"id": 10 - i, "errors": [f"error {10 - i}"]} for i in range(n))


def test_a_healthy_crawl_raises_nothing() -> None:
    assert run_checks(ON_CLOSE, crawl()) == {}


def test_no_list_page_fails_the_run() -> None:
    alarms = run_checks(ON_CLOSE, crawl(list_pages=0, list_failures=2, report_links=0, reports_found=0))
    assert list(alarms) == ["no_list_page"]  # not also "no report link": there were no lists to read
    assert alarms["no_list_page"].message == "no list page could be fetched (2 failed)"
    assert alarms["no_list_page"].fails_run


def test_lists_that_link_no_report_fail_the_run_unless_probing_found_reports() -> None:
    alarm = run_checks(ON_CLOSE, crawl(list_pages=4, report_links=0, reports_found=0))["no_report_link"]
    assert alarm.message == "its 4 list pages link no report: has the portal changed its pages?"
    assert alarm.fails_run
    probed = run_checks(ON_CLOSE, crawl(list_pages=4, report_links=0, reports_found=3))["no_report_link"]
    assert probed.message == alarm.message and not probed.fails_run


def test_crawl_stats_read_scrapy_stats_and_the_store_stage_counts() -> None:
    from scrapy.statscollectors import MemoryStatsCollector
    from scrapy.utils.test import get_crawler

    stats = MemoryStatsCollector(get_crawler())
    stats.set_value("nianbao/list_pages", 5)
    stats.set_value("nianbao/report_links", 7)
    counts = {"new": 2, "changed": 1, "unchanged": 3, "attachment_only": 1, "failed": 4, "not_report": 9}
    assert CrawlStats.of(stats, counts) == CrawlStats(5, 0, 7, 7)


@pytest.mark.parametrize(("streak", "limit", "raised"), [(2, 3, False), (3, 3, True), (5, 3, True), (2, 2, True)])
def test_failure_streak_counts_failed_runs_against_its_threshold(streak: int, limit: int, raised: bool) -> None:
    history = SiteHistory(failed_runs=failed(streak))
    alarm = run_checks(ON_HISTORY, history, Thresholds(failure_streak=limit), NOW).get("failure_streak")
    assert (alarm is not None) == raised
    if alarm:
        assert alarm.message == f"crawl failed {streak} times in a row"
        assert alarm.runs[0]["id"] == 10 and alarm.last_error == "error 10"


def test_a_failed_run_without_errors_says_so() -> None:
    alarm = run_checks(ON_HISTORY, SiteHistory(failed_runs=({"id": 1, "errors": []},) * 3), now=NOW)
    assert alarm["failure_streak"].last_error == "?"


def test_the_watchdog_waits_stale_factor_intervals() -> None:
    history = SiteHistory(last_success=(NOW - 2 * DAY - timedelta(minutes=1)).isoformat(), interval=DAY)
    alarm = run_checks(ON_HISTORY, history, Thresholds(), NOW)["watchdog"]
    assert alarm.message == "no successful crawl recently" and alarm.since == history.last_success
    assert run_checks(ON_HISTORY, history, Thresholds(stale_factor=3), NOW) == {}
    fresh = SiteHistory(last_success=(NOW - DAY).isoformat(), interval=DAY)
    assert run_checks(ON_HISTORY, fresh, Thresholds(), NOW) == {}


def test_the_watchdog_clock_of_a_site_never_crawled_well_starts_at_its_first_crawl() -> None:
    assert run_checks(ON_HISTORY, SiteHistory(interval=DAY), now=NOW) == {}  # never crawled: nothing to say
    new = SiteHistory(first_started=(NOW - DAY).isoformat(), interval=DAY)
    assert run_checks(ON_HISTORY, new, now=NOW) == {}
    old = SiteHistory(first_started=(NOW - 3 * DAY).isoformat(), interval=DAY)
    assert run_checks(ON_HISTORY, old, now=NOW)["watchdog"].since == "never"


def write(tmp_path: Path, text: str) -> Path:
    site = '[sites.xicheng]\nstart_urls = ["http://127.0.0.1:1/"]\nallowed_domains = ["127.0.0.1"]\n'
    path = tmp_path / "config.toml"
    path.write_text(text + "\n" + site, encoding="utf-8")
    return path


def test_thresholds_come_from_the_monitors_table(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")).monitors == Thresholds(failure_streak=3, stale_factor=2)
    config = load_config(write(tmp_path, "[monitors]\nfailure_streak = 5\nstale_factor = 1.5"))
    assert config.monitors == Thresholds(failure_streak=5, stale_factor=1.5)


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("failure_streak = 0", "monitors.failure_streak"),
        ("failure_streak = 2.5", "monitors.failure_streak"),
        ('stale_factor = "2"', "monitors.stale_factor"),
        ("stale_factor = 0", "monitors.stale_factor"),
        ("failure_steak = 3", "monitors.failure_steak"),  # misspelt: it would keep the default silently
    ],
)
def test_a_bad_threshold_is_one_line_naming_it(tmp_path: Path, table: str, key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        load_config(write(tmp_path, f"[monitors]\n{table}"))


def test_interval_of_a_site(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[schedule]\ninterval_hours = 6"))
    assert interval_of(config, "xicheng") == timedelta(hours=6)
    daily = load_config(write(tmp_path, '[schedule]\ncron = "0 6 * * *"\nbusy_cron = "0 6 * * *"'))
    assert interval_of(daily, "xicheng") == DAY
