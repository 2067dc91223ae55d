"""The arithmetic within a report's tables: each equation of the State Council template."""

from __future__ import annotations

from checks.collect import Collector, cells
from common.constants import Rule
from parsers.model import (
    APPLICANTS,
    ORG_COLUMNS,
    ORG_SUBTOTAL,
    REVIEW_FIELDS,
    REVIEW_GROUPS,
    Report,
    result_rows_of,
)


def check_balance(report: Report, out: Collector) -> None:
    if 2 not in report.tables:
        return
    for col in report.applicant_columns:
        out.equation(Rule.BALANCE, f"applications.{col}",
                     cells(report, "applications", ("new_received", "carried_over"), col),
                     cells(report, "applications", ("total_processed", "carried_forward"), col),
                     "一+二", "三(七)+四")  # fmt: skip


def check_results_sum(report: Report, out: Collector) -> None:
    if 2 not in report.tables or not report.result_rows:
        return
    # A result row of the template that the table lacks is a blank: the sum is not evaluated
    # (missing_cells names the row), rather than found wrong for want of it.
    known = report.template in ("2019", "2021")
    expected = result_rows_of(report.template, report.applications) if known else ()
    rows = [*report.result_rows, *(r for r in expected if r not in report.applications)]
    for col in report.applicant_columns:
        out.equation(Rule.RESULTS_SUM, f"applications.total_processed.{col}",
                     cells(report, "applications", ("total_processed",), col),
                     cells(report, "applications", rows, col),
                     "三(七)总计", "(一)…(六) 之和")  # fmt: skip


def check_row_total(report: Report, out: Collector) -> None:
    if 2 not in report.tables:
        return
    for row in report.applications:
        out.equation(Rule.ROW_TOTAL, f"applications.{row}.total",
                     {f"applications.{row}.total": report.applications[row].get("total")},
                     {f"applications.{row}.{c}": report.applications[row].get(c) for c in APPLICANTS},
                     "总计", "六类申请人之和")  # fmt: skip
        if ORG_SUBTOTAL in report.applicant_columns:
            out.equation(Rule.ROW_TOTAL, f"applications.{row}.{ORG_SUBTOTAL}",
                         {f"applications.{row}.{ORG_SUBTOTAL}": report.applications[row].get(ORG_SUBTOTAL)},
                         {f"applications.{row}.{c}": report.applications[row].get(c) for c in ORG_COLUMNS},
                         "小计", "法人或其他组织之和")  # fmt: skip


def check_review_total(report: Report, out: Collector) -> None:
    if 3 not in report.tables:
        return
    for group in REVIEW_GROUPS:
        row = report.review_litigation.get(group, {})
        out.equation(Rule.REVIEW_TOTAL, f"review_litigation.{group}.total",
                     {f"review_litigation.{group}.total": row.get("total")},
                     {f"review_litigation.{group}.{f}": row.get(f) for f in REVIEW_FIELDS[:4]},
                     "总计", "维持+纠正+其他+尚未审结")  # fmt: skip
