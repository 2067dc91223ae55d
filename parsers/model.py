"""The report model: plain dataclasses and the keys of the State Council tables.

The keys and labels are those of docs/report-model.md (the README links it). No Scrapy, no
storage: this module is the contract between layers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from typing import Any

from common.constants import Severity
from parsers.labels import norm

Number = int | float

PARTS = ("overview", "active_disclosure", "applications", "review_litigation", "problems", "other")
TABLE_PARTS = {1: "active_disclosure", 2: "applications", 3: "review_litigation"}

APPLICANT_COLUMNS = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
    "total",
)
APPLICANTS = APPLICANT_COLUMNS[:6]
ORG_COLUMNS = APPLICANT_COLUMNS[1:6]
ORG_SUBTOTAL = "org_subtotal"  # the eighth column some reports add (法人或其他组织 小计)

WITHHELD = (
    "withheld_state_secret", "withheld_prohibited_by_law", "withheld_security_stability",
    "withheld_third_party", "withheld_internal_affairs", "withheld_process_info",
    "withheld_enforcement_file", "withheld_query_matter",
)  # fmt: skip
UNAVAILABLE = ("unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear")
REJECTED = (
    "rejected_petition", "rejected_duplicate", "rejected_publication",
    "rejected_excessive", "rejected_confirmation",
)  # fmt: skip
OTHER_2021 = ("other_no_correction", "other_unpaid_fee", "other_other")
RESULT_ROWS_2019 = ("granted", "partially_granted", *WITHHELD, *UNAVAILABLE, *REJECTED, "other")
RESULT_ROWS_2021 = ("granted", "partially_granted", *WITHHELD, *UNAVAILABLE, *REJECTED, *OTHER_2021)
APPLICATION_ROWS_2019 = ("new_received", "carried_over", *RESULT_ROWS_2019, "total_processed", "carried_forward")
APPLICATION_ROWS_2021 = ("new_received", "carried_over", *RESULT_ROWS_2021, "total_processed", "carried_forward")


def result_rows_of(template: str | None, rows: Collection[str]) -> tuple[str, ...]:
    """The result rows (三、本年度办理结果) a table 2 of `template` ("2021", else the 2019 form)
    holding `rows` should have. （六）其他处理 is one row (`other`) in the 2019 template and three
    sub-rows (OTHER_2021) in the 2021 one; a report that prints it in the other template's form (a
    2021 report with the lone row and no sub-rows, as hongze-2024.pdf) states the same count merged,
    not three rows left blank: its `other` is the total of the sub-rows, and the form it uses is
    the one expected (so results_sum adds it up, and missing_cells asks for no sub-rows)."""
    lone, split = "other" in rows, any(r in rows for r in OTHER_2021)
    if template == "2021":
        return RESULT_ROWS_2019 if lone and not split else RESULT_ROWS_2021
    return RESULT_ROWS_2021 if split and not lone else RESULT_ROWS_2019


def application_rows_of(template: str | None, rows: Collection[str]) -> tuple[str, ...]:
    """Every row table 2 should have, in the template's order (result_rows_of for （六）)."""
    return ("new_received", "carried_over", *result_rows_of(template, rows), "total_processed", "carried_forward")


REVIEW_GROUPS = ("review", "litigation_direct", "litigation_after_review")
REVIEW_FIELDS = ("upheld", "corrected", "other", "pending", "total")

Table = dict[str, dict[str, "Number | None"]]


@dataclass
class Side:
    """One side of a checked equation: what was added up and what it came to."""

    expr: str
    value: Number | str | None  # a number, or an ISO date (late_publication, missing_report)
    cells: dict[str, Number | None] = field(default_factory=dict)


@dataclass
class Finding:
    rule: str
    severity: str  # "error" | "warning" | "info" (info: a check that could not be evaluated)
    where: str
    message: str
    lhs: Side | None = None
    rhs: Side | None = None
    cells: list[str] = field(default_factory=list)  # every cell the finding involves
    fingerprint: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity,
            "where": self.where,
            "message": self.message,
        }
        for name in ("lhs", "rhs"):
            side = getattr(self, name)
            if side is not None:
                out[name] = {"expr": side.expr, "value": side.value, "cells": side.cells}
        out["cells"] = self.cells
        out["fingerprint"] = self.fingerprint
        return out


@dataclass
class Report:
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    published: str | None = None  # ISO date
    template: str | None = None  # "2019" | "2021" | "legacy" | None (unknown)
    active_disclosure: Table = field(default_factory=dict)
    applications: Table = field(default_factory=dict)
    review_litigation: Table = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)
    parts: list[str] = field(default_factory=list)  # which of PARTS were found
    tables: list[int] = field(default_factory=list)  # which of tables 1-3 were found
    applicant_columns: tuple[str, ...] = APPLICANT_COLUMNS
    result_rows: list[str] = field(default_factory=list)  # rows of 三、本年度办理结果, in order
    notes: dict[str, str] = field(default_factory=dict)  # cell -> its text where it said more than a number
    findings: list[Finding] = field(default_factory=list)
    source: dict[str, Any] | None = None  # a report read from a file: the file, its type, where each table is

    def to_json(self) -> dict[str, Any]:
        """The JSON form of docs/report-model.md."""
        return {
            "title": self.title,
            "agency": self.agency,
            "year": self.year,
            "published": self.published,
            "template": self.template,
            "active_disclosure": self.active_disclosure,
            "applications": self.applications,
            "review_litigation": self.review_litigation,
            "sections": self.sections,
            "parts": self.parts,
            "notes": self.notes,
            "findings": [f.to_json() for f in self.findings],
            **({"source": self.source} if self.source else {}),
        }


def report_from_json(data: dict[str, Any]) -> Report:
    """Rebuild a Report from its JSON form (as stored), enough for the checks to assess it again
    (the history checks, and a report's own when a person confirms its OCR'd numbers)."""
    report = Report(
        title=data.get("title"),
        agency=data.get("agency"),
        year=data.get("year"),
        published=data.get("published"),
        template=data.get("template"),
        active_disclosure=data.get("active_disclosure") or {},
        applications=data.get("applications") or {},
        review_litigation=data.get("review_litigation") or {},
        sections=data.get("sections") or {},
        parts=data.get("parts") or [],
        notes=data.get("notes") or {},
        source=data.get("source"),
    )
    report.tables = [n for n, part in TABLE_PARTS.items() if getattr(report, part)]
    report.result_rows = _result_rows(report.applications)
    if report.applications:
        first = next(iter(report.applications.values()))
        report.applicant_columns = tuple(first) if ORG_SUBTOTAL in first else APPLICANT_COLUMNS
    return report


def _result_rows(applications: Table) -> list[str]:
    """The rows of 三、本年度办理结果 as read (the JSON keeps table 2's rows in their order):
    those between 二、上年结转 and （七）总计."""
    rows, inside = [], False
    for key in applications:
        if key == "total_processed":
            break
        if inside:
            rows.append(key)
        inside = inside or key == "carried_over"
    return rows if inside else [k for k in applications if k not in _NOT_RESULTS]


_NOT_RESULTS = ("new_received", "carried_over", "total_processed", "carried_forward")


# --- identity: what makes a report, and a finding, the same one across versions and crawls ---


def report_key(report: Report) -> str:
    """What identifies a report across versions and URLs: agency + year."""
    return key_of(report.agency or report.title or "", report.year)


def key_of(agency: str, year: int | None) -> str:
    """The report key of an agency's report for a year: the agency after NFKC, without white
    space or quotes (full-width brackets and digits become half-width), then the year."""
    return f"{norm(agency)}|{year}"


def split_key(key: str) -> tuple[str, int | None]:
    """A report key's agency part (the same for every year of one agency) and its year (None
    for a key without one: a report known by its URL)."""
    agency, *year = key.rsplit("|", 1)
    return agency, int(year[0]) if year and year[0].isdigit() else None


def fingerprint(key: str, rule: str, where: str, severity: str | None = None) -> str:
    """A finding's identity: its report's key, its rule and its place. A "not evaluated" note
    (severity info) and a finding of the same rule at the same place are two findings."""
    if severity == Severity.INFO:
        where += ":skipped"
    return hashlib.sha1(f"{key}|{rule}|{where}".encode()).hexdigest()[:16]


def rekey(findings: list[Finding], key: str) -> list[Finding]:
    """The findings with fingerprints for another report key: a page that names neither agency
    nor title is known by its URL (storage), and two such reports must not share fingerprints."""
    return [replace(f, fingerprint=fingerprint(key, f.rule, f.where, f.severity)) for f in findings]
