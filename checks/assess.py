"""The one place that decides a report's findings. Every caller asks here:

- assess_report: the rules that need only the report (and the year its URL files it under):
  the crawl's parse worker, `crawl parse`, `crawl ingest`, the tests and benches;
- assess_history: the rules against the same agency's report of year N-1;
- missing_reports / answered: the monitoring rule, over what the store knows was published;
- assess_copies: the same report's copies on other sites against it (copies_differ).

Storage calls the last three inside a report's transaction through its Judge protocol
(storage.judge), which JUDGE implements: storage hands over reports and facts and stores the
findings returned; it decides nothing itself.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from datetime import date

from checks.collect import Collector
from checks.completeness import check_missing_cells, check_missing_section, check_missing_table, check_template
from checks.copies import check_copy
from checks.dates import check_late, missing_report, url_year_mismatch
from checks.history import HISTORY_CHECKS
from checks.narrative import check_narrative
from checks.tables import check_balance, check_results_sum, check_review_total, check_row_total
from common.constants import OCR_NOTE, Rule, Severity
from parsers.model import Finding, Report, fingerprint, report_key, split_key

# In this order: the findings of a report come out in it.
PARSE_CHECKS: tuple[Callable[[Report, Collector], None], ...] = (
    check_missing_table,
    check_balance,
    check_results_sum,
    check_row_total,
    check_review_total,
    check_missing_cells,
    check_template,
    check_missing_section,
    check_narrative,
    check_late,
)
# Rules that need the stored report of year N-1 (re-run when N-1 arrives after N), and the
# monitoring rule, which no version of a report can resolve: only the next year's report can.
HISTORY_RULES: tuple[Rule, ...] = (Rule.CARRY_CONTINUITY, Rule.IN_FORCE_CONTINUITY)
MONITOR_RULES: tuple[Rule, ...] = (Rule.MISSING_REPORT,)
# Rules about the report's copies on other sites: evaluated when a copy arrives or the report
# changes, not by the report's own checks (a new version of it leaves them to assess_copies).
COPY_RULES: tuple[Rule, ...] = (Rule.COPIES_DIFFER,)
# Rules that need what only the crawl knew (the year the report's URL files it under): a report
# assessed again from the store (its OCR'd numbers confirmed) keeps their findings as they were.
CONTEXT_RULES: tuple[Rule, ...] = (Rule.URL_YEAR_MISMATCH,)
# Numbers read by OCR (a scan, page images: the report's source says "method": "ocr") may be
# misread, so an error that rests on them is this severity instead, until a person confirms the
# numbers (the source's "confirmed": true). Every error of such a report rests on them: the
# arithmetic of its tables, a table not found, continuity with the year before.
OCR_SEVERITY = Severity.WARNING


def assess_report(report: Report, url_year: int | None = None, previous: Report | None = None) -> list[Finding]:
    """Every rule that needs only this report; url_year_mismatch when the year its URL files it
    under is given; the continuity rules when the same agency's report of year N-1 is given."""
    out = Collector(report)
    for check in PARSE_CHECKS:
        check(report, out)
    if previous is not None:
        for history_check in HISTORY_CHECKS:
            history_check(report, previous, out)
    return read_by_ocr([*out.done(), *url_year_mismatch(report, url_year)], report, previous)


def assessed(report: Report, url_year: int | None = None) -> Report:
    """The report with its findings set (assess_report): what is shown, or handed to the store."""
    report.findings = assess_report(report, url_year)
    return report


def assess_history(report: Report, previous: Report) -> list[Finding]:
    """Only the rules that compare a report with the same agency's report of year N-1."""
    out = Collector(report)
    for check in HISTORY_CHECKS:
        check(report, previous, out)
    return read_by_ocr(out.done(), report, previous)


def unconfirmed_ocr(report: Report | None) -> bool:
    """Whether the report's numbers were read by OCR and no person has confirmed them yet."""
    source = report.source if report is not None else None
    return bool(source) and source.get("method") == "ocr" and not source.get("confirmed")


def read_by_ocr(findings: list[Finding], *reports: Report | None) -> list[Finding]:
    """The findings, with each error lowered to OCR_SEVERITY when a report they rest on has
    unconfirmed OCR'd numbers (the rule of OCR_SEVERITY). Its fingerprint stays: once the
    numbers are confirmed, the same finding is an error again, not a new one."""
    if not any(unconfirmed_ocr(r) for r in reports):
        return findings
    return [
        replace(f, severity=OCR_SEVERITY, message=f.message + OCR_NOTE) if f.severity == Severity.ERROR else f
        for f in findings
    ]


def assess_copies(report: Report, home: str, copies: Mapping[str, tuple[str, Report]]) -> list[Finding]:
    """copies_differ for each copy (site -> (its URL, the report as read there)) whose tables are
    not those of `report`, the one stored from site `home`."""
    found = [f for site, (url, copy) in sorted(copies.items()) for f in check_copy(report, copy, home, site, url)]
    return read_by_ocr(found, report, *(copy for _, copy in copies.values()))


def answered_by(report: Report) -> list[str]:
    """Fingerprints of the findings the arrival of `report` answers: the missing_report about it."""
    if report.agency is None or report.year is None:
        return []
    return [fingerprint(report_key(report), Rule.MISSING_REPORT, "report")]


def missing_reports(
    latest: Mapping[str, tuple[str, int]], published: Mapping[str, Collection[int]], today: date
) -> dict[str, Finding]:
    """missing_report for every agency whose latest year N has no report for N+1 once N+1 is due
    (31 January, or 31 March for a people's government). `latest`: agency key -> (the agency as
    its newest report names it, that report's year); `published`: agency key -> the years it
    published (a report stored, or one published as a file only). Returns agency key -> the
    finding its newest report carries: the fingerprint (agency + N+1) is stable, so a later sweep
    refreshes it rather than adding another, and storing the N+1 report resolves it."""
    found = {}
    for akey, (agency, year) in latest.items():
        if year + 1 in published.get(akey, ()):  # N+1 published as a file only
            continue
        finding = missing_report(agency, year, today)
        if finding is not None:
            found[akey] = finding
    return found


def answered(open_findings: Mapping[int, str], published: Mapping[str, Collection[int]]) -> list[int]:
    """Of the open missing_report findings (id -> the key of the report they are on, year N), those
    a published N+1 report answers: one stored since on another site, or under a spelling of the
    agency that save_report did not match."""
    ids = []
    for fid, key in open_findings.items():
        akey, year = split_key(key)
        if year is not None and year + 1 in published.get(akey, ()):
            ids.append(fid)
    return ids


class Assessor:
    """The rules as storage asks them (storage.judge.Judge)."""

    history_rules = HISTORY_RULES
    monitor_rules = MONITOR_RULES
    copy_rules = COPY_RULES
    context_rules = CONTEXT_RULES

    def copies(self, report: Report, home: str, copies: Mapping[str, tuple[str, Report]]) -> list[Finding]:
        return assess_copies(report, home, copies)

    def own(self, report: Report) -> list[Finding]:
        return assess_report(report)

    def history(self, report: Report, previous: Report) -> list[Finding]:
        return assess_history(report, previous)

    def answered_by(self, report: Report) -> list[str]:
        return answered_by(report)

    def missing(
        self, latest: Mapping[str, tuple[str, int]], published: Mapping[str, Collection[int]], today: date
    ) -> dict[str, Finding]:
        return missing_reports(latest, published, today)

    def answered(self, open_findings: Mapping[int, str], published: Mapping[str, Collection[int]]) -> list[int]:
        return answered(open_findings, published)


JUDGE = Assessor()
