"""When a report is due and filed: late publication, a missing report, the year its URL gives."""

from __future__ import annotations

from datetime import date

from checks.collect import Collector
from common.constants import Rule
from parsers.model import Finding, Report, Side


def deadline(report: Report) -> date | None:
    """31 March of year+1 for a people's government's own report, 31 January otherwise."""
    if report.year is None:
        return None
    if (report.agency or "").endswith("人民政府"):
        return date(report.year + 1, 3, 31)
    return date(report.year + 1, 1, 31)


def check_late(report: Report, out: Collector) -> None:
    due = deadline(report)
    if due is None or not report.published:
        return
    published = date.fromisoformat(report.published)
    if published > due:
        out.add(Rule.LATE_PUBLICATION, "published",
                f"published {published.isoformat()}, after the deadline {due.isoformat()}",
                Side("published", published.isoformat()), Side("deadline", due.isoformat()), cells=[])  # fmt: skip


def url_year_mismatch(report: Report, url_year: int | None) -> list[Finding]:
    """The year a portal files the report under (its URL: a year folder, a year parameter) against
    the year of its title, which is the one used: a report filed under another year is mislabelled
    somewhere, and a 'missing' report of that other year may be this one."""
    if url_year is None or report.year is None or url_year == report.year:
        return []
    out = Collector(report)
    out.add(Rule.URL_YEAR_MISMATCH, "year", f"the title says {report.year}, the URL {url_year}",
            Side("title", report.year), Side("URL", url_year), cells=[])  # fmt: skip
    return out.findings


def missing_report(agency: str, last_year: int, today: date) -> Finding | None:
    """An agency that published for last_year and not for last_year+1 once that is due."""
    probe = Report(agency=agency, year=last_year + 1)
    due = deadline(probe)
    if due is None or today <= due:
        return None
    out = Collector(probe)
    out.add(Rule.MISSING_REPORT, "report",
            f"no {last_year + 1} report from {agency}; it was due by {due.isoformat()}",
            Side("published", None), Side("deadline", due.isoformat()), cells=[])  # fmt: skip
    return out.findings[0]
