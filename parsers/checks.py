"""Checks: Report -> findings. Plain Python; each rule of report-model.md is one function.

A rule that cannot be evaluated because a cell is blank does not pass and does not
fail: it yields one `info` finding per rule naming the blank cells.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from parsers.labels import norm
from parsers.model import (
    APPLICANTS,
    APPLICATION_ROWS_2019,
    APPLICATION_ROWS_2021,
    ORG_COLUMNS,
    ORG_SUBTOTAL,
    PARTS,
    RESULT_ROWS_2019,
    RESULT_ROWS_2021,
    REVIEW_FIELDS,
    REVIEW_GROUPS,
    TABLE_PARTS,
    Finding,
    Number,
    Report,
    Side,
)

SEVERITY = {
    "balance": "error",
    "results_sum": "error",
    "row_total": "error",
    "review_total": "error",
    "missing_table": "error",
    "missing_cells": "warning",
    "template_mismatch": "warning",
    "carry_continuity": "error",
    "narrative_mismatch": "warning",
    "in_force_continuity": "warning",
    "missing_section": "warning",
    "late_publication": "warning",
    "missing_report": "error",
    "url_year_mismatch": "warning",  # docs/portals.md §9.7; needs the page's URL, so a crawl runs it
}
ROW_NAMES = {
    "new_received": "一",
    "carried_over": "二",
    "total_processed": "三(七)",
    "carried_forward": "四",
}


def report_key(report: Report) -> str:
    """What identifies a report across versions and URLs: agency + year."""
    return key_of(report.agency or report.title or "", report.year)


def key_of(agency: str, year: int | None) -> str:
    """The report key of an agency's report for a year: the agency after NFKC, without white
    space or quotes (full-width brackets and digits become half-width), then the year."""
    return f"{norm(agency)}|{year}"


def fingerprint(key: str, rule: str, where: str) -> str:
    return hashlib.sha1(f"{key}|{rule}|{where}".encode()).hexdigest()[:16]


def _fingerprint_of(key: str, rule: str, where: str, severity: str) -> str:
    # A "not evaluated" note and a finding of the same rule at the same place are two findings.
    return fingerprint(key, rule, where + ":skipped" if severity == "info" else where)


def rekey(findings: list[Finding], key: str) -> list[Finding]:
    """The findings with fingerprints for another report key: a page that names neither agency
    nor title is known by its URL (storage), and two such reports must not share fingerprints."""
    return [replace(f, fingerprint=_fingerprint_of(key, f.rule, f.where, f.severity)) for f in findings]


class _Collector:
    """Gathers findings for one report; blank-cell skips are folded into one info per rule."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.key = report_key(report)
        self.findings: list[Finding] = []
        self.skipped: dict[str, tuple[list[str], dict[str, None]]] = {}  # rule -> wheres, cells (ordered set)

    def add(self, rule: str, where: str, message: str, lhs: Side | None = None, rhs: Side | None = None,
            cells: list[str] | None = None) -> None:  # fmt: skip
        if cells is None:
            cells = [*(lhs.cells if lhs else {}), *(rhs.cells if rhs else {})]
        severity = SEVERITY[rule]
        fp = _fingerprint_of(self.key, rule, where, severity)
        self.findings.append(Finding(rule, severity, where, message, lhs, rhs, cells, fp))

    def skip(self, rule: str, where: str, blanks: list[str]) -> None:
        wheres, cells = self.skipped.setdefault(rule, ([], {}))
        wheres.append(where)
        cells.update(dict.fromkeys(blanks))

    def equation(self, rule: str, where: str, lhs: dict[str, Number | None], rhs: dict[str, Number | None],
                 lhs_expr: str, rhs_expr: str, minus: tuple[str, ...] = ()) -> None:  # fmt: skip
        """lhs = rhs, each the sum of its cells; the cells named in `minus` are subtracted (the
        finding still shows them as the table has them)."""
        blanks = [c for c, v in {**lhs, **rhs}.items() if v is None]
        if blanks:
            self.skip(rule, where, blanks)
            return
        lv, rv = _sum(lhs.values()), _sum(-v if c in minus else v for c, v in rhs.items())
        if abs(lv - rv) > 1e-6:
            self.add(rule, where, f"{lhs_expr} = {_fmt(lv)} but {rhs_expr} = {_fmt(rv)}",
                     Side(lhs_expr, lv, lhs), Side(rhs_expr, rv, rhs))  # fmt: skip

    def done(self) -> list[Finding]:
        for rule, (wheres, blank) in self.skipped.items():
            cells = list(blank)
            shown = _shown(cells)
            part = wheres[0].split(".", 1)[0]
            self.findings.append(
                Finding(
                    rule,
                    "info",
                    part,
                    f"not evaluated for {len(wheres)} of its equations: blank cells ({shown})",
                    cells=cells,
                    fingerprint=_fingerprint_of(self.key, rule, part, "info"),
                )  # fmt: skip
            )
        return self.findings


def _shown(cells: list[str]) -> str:
    """The first few cells, without their part: 'new_received.total, carried_over.total …'."""
    return ", ".join(c.split(".", 1)[1] for c in cells[:4]) + (" …" if len(cells) > 4 else "")


def _sum(values) -> Number:
    total = sum(values)
    return round(total, 6) if isinstance(total, float) else total


def _fmt(v: Number) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _cells(report: Report, part: str, rows: tuple[str, ...] | list[str], col: str) -> dict[str, Number | None]:
    table = getattr(report, part)
    return {f"{part}.{r}.{col}": table.get(r, {}).get(col) for r in rows}


# --- the parse-time rules -----------------------------------------------------


def check_balance(report: Report, out: _Collector) -> None:
    if 2 not in report.tables:
        return
    for col in report.applicant_columns:
        out.equation("balance", f"applications.{col}",
                     _cells(report, "applications", ("new_received", "carried_over"), col),
                     _cells(report, "applications", ("total_processed", "carried_forward"), col),
                     "一+二", "三(七)+四")  # fmt: skip


def check_results_sum(report: Report, out: _Collector) -> None:
    if 2 not in report.tables or not report.result_rows:
        return
    # A result row of the template that the table lacks is a blank: the sum is not evaluated
    # (missing_cells names the row), rather than found wrong for want of it.
    expected = {"2021": RESULT_ROWS_2021, "2019": RESULT_ROWS_2019}.get(report.template or "", ())
    rows = [*report.result_rows, *(r for r in expected if r not in report.applications)]
    for col in report.applicant_columns:
        out.equation("results_sum", f"applications.total_processed.{col}",
                     _cells(report, "applications", ("total_processed",), col),
                     _cells(report, "applications", rows, col),
                     "三(七)总计", "(一)…(六) 之和")  # fmt: skip


def check_row_total(report: Report, out: _Collector) -> None:
    if 2 not in report.tables:
        return
    for row in report.applications:
        out.equation("row_total", f"applications.{row}.total",
                     {f"applications.{row}.total": report.applications[row].get("total")},
                     {f"applications.{row}.{c}": report.applications[row].get(c) for c in APPLICANTS},
                     "总计", "六类申请人之和")  # fmt: skip
        if ORG_SUBTOTAL in report.applicant_columns:
            out.equation("row_total", f"applications.{row}.{ORG_SUBTOTAL}",
                         {f"applications.{row}.{ORG_SUBTOTAL}": report.applications[row].get(ORG_SUBTOTAL)},
                         {f"applications.{row}.{c}": report.applications[row].get(c) for c in ORG_COLUMNS},
                         "小计", "法人或其他组织之和")  # fmt: skip


def check_review_total(report: Report, out: _Collector) -> None:
    if 3 not in report.tables:
        return
    for group in REVIEW_GROUPS:
        row = report.review_litigation.get(group, {})
        out.equation("review_total", f"review_litigation.{group}.total",
                     {f"review_litigation.{group}.total": row.get("total")},
                     {f"review_litigation.{group}.{f}": row.get(f) for f in REVIEW_FIELDS[:4]},
                     "总计", "维持+纠正+其他+尚未审结")  # fmt: skip


def _fixed_tables_apply(report: Report) -> bool:
    return report.template != "legacy" and (report.year is None or report.year >= 2019)


def check_missing_table(report: Report, out: _Collector) -> None:
    if not _fixed_tables_apply(report):
        return
    for n, part in TABLE_PARTS.items():
        if n not in report.tables:
            out.add("missing_table", part, f"table {n} ({part}) not found", cells=[])


def check_missing_cells(report: Report, out: _Collector) -> None:
    if not _fixed_tables_apply(report):
        return
    if 2 in report.tables:
        expected = APPLICATION_ROWS_2021 if report.template == "2021" else APPLICATION_ROWS_2019
        rows = list(dict.fromkeys([*expected, *report.applications]))
        blanks = [f"applications.{r}.{c}" for r in rows for c in report.applicant_columns
                  if report.applications.get(r, {}).get(c) is None]  # fmt: skip
        _blank_finding(out, "applications", blanks, len(rows) * len(report.applicant_columns))
    if 3 in report.tables:
        blanks = [f"review_litigation.{g}.{f}" for g in REVIEW_GROUPS for f in REVIEW_FIELDS
                  if report.review_litigation.get(g, {}).get(f) is None]  # fmt: skip
        _blank_finding(out, "review_litigation", blanks, 15)


def _blank_finding(out: _Collector, part: str, blanks: list[str], total: int) -> None:
    if blanks:
        out.add("missing_cells", part, f"{len(blanks)} of {total} cells blank ({_shown(blanks)})", cells=blanks)


def check_template(report: Report, out: _Collector) -> None:
    if report.year is None or report.template not in ("2019", "2021"):
        return
    expected = "2021" if report.year >= 2021 else "2019" if report.year >= 2019 else None
    if expected and report.template != expected:
        out.add("template_mismatch", "template",
                f"a {report.year} report should use the {expected} template but uses the {report.template} one",
                Side("template", int(report.template)), Side("expected", int(expected)), cells=[])  # fmt: skip


def check_missing_section(report: Report, out: _Collector) -> None:
    if not _fixed_tables_apply(report):
        return
    for part in PARTS:
        if part not in report.parts:
            out.add("missing_section", f"sections.{part}", f"part {part} not found", cells=[])


_STATED = re.compile(r"共(?:收到|受理|接收|接到|办理)[^。；;，,]{0,30}?申请\D{0,6}?([\d,]+)\s*件")
# "No requests received"; not "未收到…行政复议申请", which is about appeals.
_NONE_STATED = re.compile(r"(?:未|没有)(?:收到|受理|接到|接收)(?:(?!复议|诉讼)[^。；;，,]){0,20}?(?:公开)?申请")


def check_narrative(report: Report, out: _Collector) -> None:
    text = report.sections.get("overview", "")
    stated: int | None = None
    m = _STATED.search(text)
    if m:
        stated = int(m.group(1).replace(",", ""))
    elif _NONE_STATED.search(text):
        stated = 0
    if stated is None or 2 not in report.tables:
        return
    where = "applications.new_received.total"
    total = report.applications.get("new_received", {}).get("total")
    if total is None:
        out.skip("narrative_mismatch", where, [where])
    elif total != stated:
        snippet = m.group(0) if m else _NONE_STATED.search(text).group(0)
        out.add("narrative_mismatch", where, f"the overview says “{snippet}” but table 2 says {total}",
                Side("overview", stated), Side("一、本年新收 总计", total, {where: total}), cells=[where])  # fmt: skip


def deadline(report: Report) -> date | None:
    """31 March of year+1 for a people's government's own report, 31 January otherwise."""
    if report.year is None:
        return None
    if (report.agency or "").endswith("人民政府"):
        return date(report.year + 1, 3, 31)
    return date(report.year + 1, 1, 31)


def check_late(report: Report, out: _Collector) -> None:
    due = deadline(report)
    if due is None or not report.published:
        return
    published = date.fromisoformat(report.published)
    if published > due:
        out.add("late_publication", "published",
                f"published {published.isoformat()}, after the deadline {due.isoformat()}",
                Side("published", published.isoformat()), Side("deadline", due.isoformat()), cells=[])  # fmt: skip


PARSE_RULES: tuple[Callable[[Report, _Collector], None], ...] = (
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


def run_checks(report: Report, previous: Report | None = None) -> list[Finding]:
    """Every rule that needs only this report, plus the continuity rules when the
    report of year N-1 of the same agency is given."""
    out = _Collector(report)
    for rule in PARSE_RULES:
        rule(report, out)
    if previous is not None:
        _history_rules(report, previous, out)
    return out.done()


def run_history_checks(report: Report, previous: Report) -> list[Finding]:
    """Only the rules that compare a report with the same agency's report of year N-1."""
    out = _Collector(report)
    _history_rules(report, previous, out)
    return out.done()


def _history_rules(report: Report, previous: Report, out: _Collector) -> None:
    check_carry_continuity(report, previous, out)
    check_in_force_continuity(report, previous, out)


# --- the history rules (need the stored report of year N-1) -------------------


def check_carry_continuity(report: Report, previous: Report, out: _Collector) -> None:
    if 2 not in report.tables or 2 not in previous.tables:
        return
    for col in report.applicant_columns:
        if col not in previous.applicant_columns:
            continue
        out.equation("carry_continuity", f"applications.carried_over.{col}",
                     _cells(report, "applications", ("carried_over",), col),
                     {f"previous.applications.carried_forward.{col}":
                      previous.applications.get("carried_forward", {}).get(col)},
                     f"二、上年结转 ({report.year})", f"四、结转下年度 ({previous.year})")  # fmt: skip


def check_in_force_continuity(report: Report, previous: Report, out: _Collector) -> None:
    if report.template != "2021" or previous.template != "2021":
        return
    for row in ("regulations", "normative_documents"):
        cur = report.active_disclosure.get(row, {})
        prev = previous.active_disclosure.get(row, {})
        out.equation("in_force_continuity", f"active_disclosure.{row}.in_force",
                     {f"active_disclosure.{row}.in_force": cur.get("in_force")},
                     {f"previous.active_disclosure.{row}.in_force": prev.get("in_force"),
                      f"active_disclosure.{row}.issued": cur.get("issued"),
                      f"active_disclosure.{row}.repealed": cur.get("repealed")},
                     f"现行有效 ({report.year})", f"现行有效 ({previous.year}) + 制发 − 废止",
                     minus=(f"active_disclosure.{row}.repealed",))  # fmt: skip


def url_year_mismatch(report: Report, url_year: int | None) -> list[Finding]:
    """The year a portal files the report under (its URL: a year folder, a year parameter) against
    the year of its title, which is the one used: a report filed under another year is mislabelled
    somewhere, and a 'missing' report of that other year may be this one."""
    if url_year is None or report.year is None or url_year == report.year:
        return []
    out = _Collector(report)
    out.add("url_year_mismatch", "year", f"the title says {report.year}, the URL {url_year}",
            Side("title", report.year), Side("URL", url_year), cells=[])  # fmt: skip
    return out.findings


def missing_report(agency: str, last_year: int, today: date) -> Finding | None:
    """An agency that published for last_year and not for last_year+1 once that is due."""
    probe = Report(agency=agency, year=last_year + 1)
    due = deadline(probe)
    if due is None or today <= due:
        return None
    out = _Collector(probe)
    out.add("missing_report", "report",
            f"no {last_year + 1} report from {agency}; it was due by {due.isoformat()}",
            Side("published", None), Side("deadline", due.isoformat()), cells=[])  # fmt: skip
    return out.findings[0]
