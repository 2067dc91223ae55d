"""Collect: what happened on one site that has not been alerted yet, read from the store.

Everything the digest shows is read here, the report tables included, so that rendering
(alerts.render) works on the `Digest` (alerts.digest) alone and opens no database.
"""

from __future__ import annotations

import difflib
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from alerts.digest import Digest
from common.constants import Severity
from crawler.monitors import ON_HISTORY, SiteHistory, interval_of, run_checks
from storage import alert_queue as q

if TYPE_CHECKING:
    from crawler.config import Config
    from storage.store import Store


def recipients_for(config: Config, site: str) -> list[str]:
    profile = config.sites.get(site)
    return list(profile.recipients if profile and profile.recipients else config.alerts.get("recipients", []))


def collect(store: Store, config: Config, site: str, now: datetime | None = None) -> Digest:
    """Everything about one site that has not been alerted yet."""
    profile = config.sites.get(site)
    d = Digest(site, profile.name if profile else site, recipients_for(config, site))
    _collect_reports(store, site, d)
    _collect_findings(store, site, d)
    _collect_health(store, config, site, d, now or datetime.now(UTC))
    d.moved = store.columns.pending(site)  # the report list moved: found again from the home page
    d.covers["columns"] = [(site, m["url"]) for m in d.moved]
    return d


def _collect_reports(store: Store, site: str, d: Digest) -> None:
    for row in q.pending_reports(store, site):
        d.covers["reports"].append((row["id"], row["current_version"]))
        if row["alerted_version"] is None:
            d.new.append(row)
        else:
            old = q.records_of(store, row["alerted_version"])
            diff = list(difflib.unified_diff(old, row["records"].split("\n"), "before", "after", lineterm="", n=1))
            d.revised.append((row, diff))


def _collect_findings(store: Store, site: str, d: Digest) -> None:
    d.findings = q.pending_findings(store, site)
    for f in d.findings:
        f["cells"] = json.loads(f["cells"] or "[]")
        if f["severity"] == Severity.ERROR and f["cells"] and f["report_id"] not in d.reports:
            report = q.current_report_json(store, f["report_id"])
            if report:
                d.reports[f["report_id"]] = report
    d.covers["findings"] = [f["id"] for f in d.findings]
    d.fixed = q.pending_fixed(store, site)
    for f in d.fixed:
        f["cells"] = json.loads(f["cells"] or "[]")
    d.covers["fixed"] = [f["id"] for f in d.fixed]


def _collect_health(store: Store, config: Config, site: str, d: Digest, now: datetime) -> None:
    """The ON_HISTORY monitors over the site's runs; an alarm is news once."""
    last_ok, runs = q.failed_runs(store, site)
    history = SiteHistory(
        failed_runs=tuple({**r, "errors": json.loads(r["errors"] or "[]")} for r in runs),
        last_success=q.last_success(store, site),
        first_started=q.first_run_started(store, site),
        interval=interval_of(config, site),
    )
    alarms = run_checks(ON_HISTORY, history, config.monitors, now)
    failing = alarms.get("failure_streak")
    if failing and q.failure_alerted_run(store, site) <= last_ok:  # else this streak was alerted already
        d.failing = failing
        d.covers["failures"].append((site, failing.runs[0]["id"]))
    stopped = q.stopped_run(store, site)
    if stopped:  # this crawl was cut short: say where it stopped (failures make a streak as well)
        errors = json.loads(stopped["errors"] or "[]")
        d.stopped = errors[0] if errors else str(stopped["status"])
    stale = alarms.get("watchdog")
    if stale and not q.watchdog_alerted(store, site):
        d.stale = stale
        d.covers["watchdog"].append(site)
    elif not stale and q.watchdog_alerted(store, site):
        q.clear_watchdog(store, site)  # crawling again: the next outage is news
