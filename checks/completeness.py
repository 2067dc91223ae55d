"""Whether a report is whole: its three tables, their cells, its six parts, the right template."""

from __future__ import annotations

from checks.collect import Collector, shown
from common.constants import Rule
from parsers.model import (
    PARTS,
    REVIEW_FIELDS,
    REVIEW_GROUPS,
    TABLE_PARTS,
    Report,
    Side,
    application_rows_of,
)


def _fixed_tables_apply(report: Report) -> bool:
    return report.template != "legacy" and (report.year is None or report.year >= 2019)


def check_missing_table(report: Report, out: Collector) -> None:
    if not _fixed_tables_apply(report):
        return
    for n, part in TABLE_PARTS.items():
        if n not in report.tables:
            out.add(Rule.MISSING_TABLE, part, f"table {n} ({part}) not found", cells=[])


def check_missing_cells(report: Report, out: Collector) -> None:
    if not _fixed_tables_apply(report):
        return
    if 2 in report.tables:
        expected = application_rows_of(report.template, report.applications)
        rows = list(dict.fromkeys([*expected, *report.applications]))
        blanks = [f"applications.{r}.{c}" for r in rows for c in report.applicant_columns
                  if report.applications.get(r, {}).get(c) is None]  # fmt: skip
        _blank_finding(out, "applications", blanks, len(rows) * len(report.applicant_columns))
    if 3 in report.tables:
        blanks = [f"review_litigation.{g}.{f}" for g in REVIEW_GROUPS for f in REVIEW_FIELDS
                  if report.review_litigation.get(g, {}).get(f) is None]  # fmt: skip
        _blank_finding(out, "review_litigation", blanks, 15)


def _blank_finding(out: Collector, part: str, blanks: list[str], total: int) -> None:
    if blanks:
        out.add(Rule.MISSING_CELLS, part, f"{len(blanks)} of {total} cells blank ({shown(blanks)})", cells=blanks)


def check_template(report: Report, out: Collector) -> None:
    if report.year is None or report.template not in ("2019", "2021"):
        return
    expected = "2021" if report.year >= 2021 else "2019" if report.year >= 2019 else None
    if expected and report.template != expected:
        out.add(Rule.TEMPLATE_MISMATCH, "template",
                f"a {report.year} report should use the {expected} template but uses the {report.template} one",
                Side("template", int(report.template)), Side("expected", int(expected)), cells=[])  # fmt: skip


def check_missing_section(report: Report, out: Collector) -> None:
    if not _fixed_tables_apply(report):
        return
    for part in PARTS:
        if part not in report.parts:
            out.add(Rule.MISSING_SECTION, f"sections.{part}", f"part {part} not found", cells=[])
