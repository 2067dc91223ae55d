"""A digest: one site's news, as alerts.collect reads it from the store and alerts.render
shows it. Plain data: nothing here reads or writes a database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.monitors import Alarm


def about(finding: dict[str, Any]) -> int | str:
    """What a finding is about, to group a digest's findings by: its report's id, or the URL of its
    page with no report (a unit's report published as a file only: its missing_report)."""
    return finding["report_id"] if finding["report_id"] is not None else finding["url"]


def _covers() -> dict[str, list[Any]]:
    return {k: [] for k in ("reports", "findings", "fixed", "failures", "watchdog", "columns")}


@dataclass
class Digest:
    """One site's news. Rows are the store's (findings' `cells` decoded to lists)."""

    site: str
    site_name: str
    recipients: list[str]
    new: list[dict[str, Any]] = field(default_factory=list)  # reports never alerted
    revised: list[tuple[dict[str, Any], list[str]]] = field(default_factory=list)  # (report, diff of its records)
    findings: list[dict[str, Any]] = field(default_factory=list)
    fixed: list[dict[str, Any]] = field(default_factory=list)  # findings a later version resolved
    failing: Alarm | None = None  # the failure_streak monitor's alarm, not alerted yet
    stale: Alarm | None = None  # the watchdog's alarm, not alerted yet
    stopped: str | None = None  # why the site's last crawl stopped short (a limit, a signal), not alerted yet
    moved: list[dict[str, Any]] = field(default_factory=list)  # report columns found in a list page's place
    # The current report JSON of each report whose error findings name cells: its tables are drawn.
    reports: dict[int, dict[str, Any]] = field(default_factory=dict)
    # The season: (year, units expected to publish for it, units that did) — news only beside other news.
    season: tuple[int, int, int] | None = None
    covers: dict[str, list[Any]] = field(default_factory=_covers)  # what queueing marks as alerted

    def empty(self) -> bool:
        return not any(
            (self.new, self.revised, self.findings, self.fixed, self.failing, self.stale, self.stopped, self.moved)
        )
