"""Each site's APScheduler trigger, from config.toml: a site's own cron or interval, else
[schedule]: daily, and more often from January to March when reports fall due."""

from __future__ import annotations

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from common.constants import PORTAL_TZ
from crawler.config import Config, ConfigError


def _cron(expr: str, where: str) -> CronTrigger:
    try:
        return CronTrigger.from_crontab(expr, timezone=PORTAL_TZ)
    except ValueError as exc:
        raise ConfigError(f"{where}: bad cron expression {expr!r}: {exc}") from None


def trigger_for(config: Config, site: str) -> BaseTrigger:
    profile = config.sites.get(site)
    sched = config.schedule
    seconds = sched.get("interval_seconds")
    if profile and profile.interval_hours:
        return IntervalTrigger(hours=float(profile.interval_hours))
    if profile and profile.cron:
        return _cron(profile.cron, f"sites.{site}.cron")
    if seconds:  # for tests and demos
        return IntervalTrigger(seconds=float(seconds))
    if sched.get("interval_hours"):
        return IntervalTrigger(hours=float(sched["interval_hours"]))
    return OrTrigger(
        [
            _cron(sched["cron"], "schedule.cron"),
            _cron(sched["busy_cron"], "schedule.busy_cron"),
        ]
    )
