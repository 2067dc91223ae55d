"""copies_differ (checks/copies.py through checks.assess): the same report on two sites."""

from __future__ import annotations

import copy
from pathlib import Path

from checks.assess import assess_copies
from parsers.load import parse_path

SEED_003 = Path(__file__).resolve().parents[1] / "fixtures" / "seeds" / "003_42b2e6b1a7d7c7c9.txt"


def test_the_same_tables_are_no_finding_and_other_numbers_are_one_a_site() -> None:
    report = parse_path(SEED_003).report
    same = copy.deepcopy(report)
    assert assess_copies(report, "xicheng", {"beijing": ("https://b/1.html", same)}) == []
    other = copy.deepcopy(report)
    other.applications["granted"]["total"] = (other.applications["granted"]["total"] or 0) + 1
    del other.review_litigation["review"]["pending"]
    found = assess_copies(report, "xicheng", {"beijing": ("https://b/1.html", other), "dongcheng": ("u", same)})
    assert [(f.rule, f.where, f.severity) for f in found] == [("copies_differ", "copy.beijing", "error")]
    f = found[0]
    assert set(f.cells) == {"applications.granted.total", "review_litigation.review.pending"}
    assert f.lhs.expr == "xicheng" and f.rhs.expr == "beijing"
    assert f.rhs.cells["review_litigation.review.pending"] is None  # the copy lacks that cell
    again = assess_copies(report, "xicheng", {"beijing": ("https://b/2.html", other)})
    assert again[0].fingerprint == f.fingerprint  # the same copy found again: the same finding


def test_a_copy_read_by_ocr_differs_as_a_warning() -> None:
    report = parse_path(SEED_003).report
    scan = copy.deepcopy(report)
    scan.source = {"method": "ocr"}
    scan.applications["granted"]["total"] = 0
    found = assess_copies(report, "xicheng", {"beijing": ("https://b/1.pdf", scan)})
    assert [f.severity for f in found] == ["warning"]
