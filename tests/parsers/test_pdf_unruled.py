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


def test_table_1_as_the_form_it_was_made_from_has_it(parsed) -> None:
    """Its sub-tables of one to three value columns, few rows each: the same cells as the .docx
    the PDF was exported from (tests/parsers/test_docx.py reads that one against its numbers)."""
    form = parse_path(FILES / "huaian-2024-form.docx").report.active_disclosure
    assert parsed.report.active_disclosure == form
    assert form["regulations"] == {"issued": 1, "repealed": 0, "in_force": 11}
    assert form["fees"] == {"amount": 96171.6}


def test_no_finding_and_the_text_stays_text(parsed) -> None:
    assert [f.to_json() for f in assess_report(parsed.report)] == []
    # The text between the tables is not taken into them: every part is there.
    assert parsed.report.parts == ["overview", "active_disclosure", "applications", "review_litigation",
                                   "problems", "other"]  # fmt: skip
    assert any("政策解读质量仍需提升" in p for p in parsed.document.paragraphs)
    tables = parsed.report.to_json()["source"]["tables"]
    assert tables == {"active_disclosure": {"pages": [1]}, "applications": {"pages": [1, 2]},
                      "review_litigation": {"pages": [2]}}  # fmt: skip
