"""A report whose numbers OCR read: its errors are warnings until a person confirms the numbers
(checks/assess.py, OCR_SEVERITY), with the same fingerprint, so confirming does not make a new finding."""

from __future__ import annotations

import copy
import functools
from pathlib import Path

from checks.assess import OCR_NOTE, OCR_SEVERITY, assess_history, assess_report
from parsers.load import parse_path

FILES = Path(__file__).resolve().parent.parent / "fixtures" / "attachments"


@functools.cache
def _hongze():
    return parse_path(FILES / "hongze-2024.pdf").report


def _broken(method: str | None, confirmed: bool = False):
    report = copy.deepcopy(_hongze())
    report.applications["granted"]["natural_person"] += 1  # breaks results_sum and row_total
    if method:
        report.source = {**report.source, "method": method, **({"confirmed": True} if confirmed else {})}
    return report


def test_errors_resting_on_ocr_numbers_are_warnings_until_confirmed() -> None:
    plain = {f.fingerprint: f for f in assess_report(_broken(None))}
    read = {f.fingerprint: f for f in assess_report(_broken("ocr"))}
    confirmed = {f.fingerprint: f for f in assess_report(_broken("ocr", confirmed=True))}
    errors = {fp for fp, f in plain.items() if f.severity == "error"}
    assert errors and set(read) == set(plain) == set(confirmed)  # the same findings, the same fingerprints
    for fp in errors:
        assert read[fp].severity == OCR_SEVERITY == "warning"
        assert read[fp].message == plain[fp].message + OCR_NOTE
        assert confirmed[fp].severity == "error" and confirmed[fp].message == plain[fp].message
    assert all(read[fp] == plain[fp] for fp in set(plain) - errors)  # warnings and notes as they were


def test_history_against_an_ocr_read_year_is_a_warning_too() -> None:
    this, previous = _broken(None), _broken("ocr")
    this.year, previous.year = 2025, 2024
    previous.applications["carried_forward"]["total"] = 7  # this year's carried_over (0) does not continue it
    findings = assess_history(this, previous)
    assert findings and {f.severity for f in findings} == {"warning"}
    carry = [f for f in findings if f.rule == "carry_continuity"]
    assert carry and all(f.message.endswith(OCR_NOTE) for f in carry)
    read_from_text = _broken(None)
    read_from_text.year, read_from_text.applications["carried_forward"]["total"] = 2024, 7
    assert {f.severity for f in assess_history(this, read_from_text) if f.rule == "carry_continuity"} == {"error"}
