"""Collect: what happened on one site that has not been alerted yet, read from the store.

Everything the digest shows is read here, the report tables included, so that rendering
(alerts.render) works on the `Digest` (alerts.digest) alone and opens no database.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from alerts.digest import Digest
from common.constants import RunStatus, Severity
from crawler.monitors import ON_HISTORY, SiteHistory, interval_of, run_checks
from storage import alert_queue as q

if TYPE_CHECKING:
    from crawler.config import Config
    from storage.store import Store


def recipients_for(config: Config, site: str) -> list[str]:
    profile = config.sites.get(site)
    return list(profile.recipients if profile and profile.recipients else config.alerts["recipients"])


def collect(store: Store, config: Config, site: str, now: datetime | None = None) -> Digest:
    """Everything about one site that has not been alerted yet."""
    profile = config.sites.get(site)
    d = Digest(site, profile.name if profile else site, recipients_for(config, site))
    _collect_reports(store, site, d)
    _collect_findings(store, site, d)
    _collect_health(store, config, site, d, now or datetime.now(UTC))
    d.moved = store.columns.pending(site)  # the report list moved: found again from the home page
    d.covers["columns"] = [(site, m["url"]) for m in d.moved]
    year = store.publishers.latest_year(site)
    if year is not None:  # who should have published this season (learned over the years), and who did
        season = store.publishers.season(site, year)
        d.season = (year, len(season.expected), len(season.published))
    return d


def _collect_reports(store: Store, site: str, d: Digest) -> None:
    for row in q.pending_reports(store, site):
        d.covers["reports"].append((row["id"], row["current_version"]))
        if row["alerted_version"] is None:
            d.new.append(row)
        else:
            old = store.reports.records(row["alerted_version"])
            diff = list(difflib.unified_diff(old, row["records"].split("\n"), "before", "after", lineterm="", n=1))
            d.revised.append((row, diff))


def _collect_findings(store: Store, site: str, d: Digest) -> None:
    d.findings = store.findings.pending(site)
    for f in d.findings:
        _decode(f)
        if f["severity"] == Severity.ERROR and f["cells"] and f["report_id"] not in d.reports:
            report = store.reports.current_json(f["report_id"])
            if report:
                d.reports[f["report_id"]] = report
    d.covers["findings"] = [f["id"] for f in d.findings]
    d.fixed = store.findings.fixed(site)
    for f in d.fixed:
        _decode(f)
    d.covers["fixed"] = [f["id"] for f in d.fixed]


def _decode(f: dict) -> None:
    """A finding's cells and the sides of its equation, stored as JSON."""
    f["cells"] = json.loads(f["cells"] or "[]")
    for side in ("lhs", "rhs"):
        f[side] = json.loads(f.get(side) or "null")


def _collect_health(store: Store, config: Config, site: str, d: Digest, now: datetime) -> None:
    """The ON_HISTORY monitors over the site's runs; an alarm is news once."""
    last_ok = store.runs.last_not_failed(site)
    history = SiteHistory(
        failed_runs=tuple(asdict(run) for run in store.runs.failed_since(site, last_ok)),
        last_success=store.runs.last_success(site),
        first_started=store.runs.first_started(site),
        interval=interval_of(config, site),
    )
    alarms = run_checks(ON_HISTORY, history, config.monitors, now)
    failing = alarms.get("failure_streak")
    if failing and q.failure_alerted_run(store, site) <= last_ok:  # else this streak was alerted already
        d.failing = failing
        d.covers["failures"].append((site, failing.runs[0]["id"]))
    last = store.runs.last_finished(site)
    if (
        last
        and last.status in (RunStatus.LIMITED, RunStatus.INTERRUPTED)
        and not q.queued_since(store, site, last.finished)
    ):
        d.stopped = last.errors[0] if last.errors else str(last.status)  # cut short: say where (once)
    stale = alarms.get("watchdog")
    if stale and not q.watchdog_alerted(store, site):
        d.stale = stale
        d.covers["watchdog"].append(site)
    elif not stale and q.watchdog_alerted(store, site):
        q.clear_watchdog(store, site)  # crawling again: the next outage is news
