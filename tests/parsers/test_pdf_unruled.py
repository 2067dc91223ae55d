"""A PDF whose tables are drawn without ruled lines (huaian-2024-unruled.pdf: the official 2021
form filled with huaian-2024's numbers, every border removed, exported by LibreOffice; see
tests/fixtures/attachments/make_attachments.py): pdfplumber's lines strategy finds no table, so
its text strategy reads them (parsers/unruled.py), through the same grid path."""

from __future__ import annotations

import json
from pathlib import Path

import pdfplumber
import pytest

from checks.assess import assess_report
from parsers.load import parse_path

FILES = Path(__file__).resolve().parent.parent / "fixtures" / "attachments"
UNRULED = FILES / "huaian-2024-unruled.pdf"
TRUTH = {t["file"]: t for t in json.loads((FILES / "truth.json").read_text(encoding="utf-8"))}["huaian-2024.pdf"]


@pytest.fixture(scope="module")
def parsed():
    return parse_path(UNRULED)


def test_the_fixture_has_no_ruled_table() -> None:
    with pdfplumber.open(UNRULED) as pdf:
        assert [len(page.find_tables()) for page in pdf.pages] == [0, 0]


def test_every_cell_of_tables_2_and_3(parsed) -> None:
    report = parsed.report
    for part in ("applications", "review_litigation"):
        wrong = [
            (row, col, want, getattr(report, part).get(row, {}).get(col, "missing"))
            for row, cols in TRUTH[part].items()
            for col, want in cols.items()
            if getattr(report, part).get(row, {}).get(col, "missing") != want
        ]
        assert wrong == [], part
    assert set(report.applications) == set(TRUTH["applications"])  # no row of a label's second line
    assert (report.agency, report.year, report.template) == ("淮安市人民政府", 2024, "2021")


def test_no_false_error_in_tables_2_and_3_and_the_text_stays_text(parsed) -> None:
    # Table 1 (its sub-tables of one or three columns, few rows each) is not read without rules yet:
    # its missing_table is the one finding; tables 2 and 3 add up, none of their cells blank.
    findings = [f.to_json() for f in assess_report(parsed.report)]
    assert [(f["rule"], f["message"]) for f in findings] == [("missing_table", "table 1 (active_disclosure) not found")]
    # The text between the tables is not taken into them: every part is there.
    assert parsed.report.parts == ["overview", "active_disclosure", "applications", "review_litigation",
                                   "problems", "other"]  # fmt: skip
    assert any("政策解读质量仍需提升" in p for p in parsed.document.paragraphs)
    assert parsed.report.to_json()["source"]["tables"]["applications"] == {"pages": [1, 2]}
