"""The rules that compare a report with the same agency's report of year N-1."""

from __future__ import annotations

from checks.collect import Collector, cells
from common.constants import Rule
from parsers.model import Report


def check_carry_continuity(report: Report, previous: Report, out: Collector) -> None:
    if 2 not in report.tables or 2 not in previous.tables:
        return
    for col in report.applicant_columns:
        if col not in previous.applicant_columns:
            continue
        out.equation(Rule.CARRY_CONTINUITY, f"applications.carried_over.{col}",
                     cells(report, "applications", ("carried_over",), col),
                     {f"previous.applications.carried_forward.{col}":
                      previous.applications.get("carried_forward", {}).get(col)},
                     f"二、上年结转 ({report.year})", f"四、结转下年度 ({previous.year})")  # fmt: skip


def check_in_force_continuity(report: Report, previous: Report, out: Collector) -> None:
    if report.template != "2021" or previous.template != "2021":
        return
    for row in ("regulations", "normative_documents"):
        cur = report.active_disclosure.get(row, {})
        prev = previous.active_disclosure.get(row, {})
        out.equation(Rule.IN_FORCE_CONTINUITY, f"active_disclosure.{row}.in_force",
                     {f"active_disclosure.{row}.in_force": cur.get("in_force")},
                     {f"previous.active_disclosure.{row}.in_force": prev.get("in_force"),
                      f"active_disclosure.{row}.issued": cur.get("issued"),
                      f"active_disclosure.{row}.repealed": cur.get("repealed")},
                     f"现行有效 ({report.year})", f"现行有效 ({previous.year}) + 制发 − 废止",
                     minus=(f"active_disclosure.{row}.repealed",))  # fmt: skip


HISTORY_CHECKS = (check_carry_continuity, check_in_force_continuity)
