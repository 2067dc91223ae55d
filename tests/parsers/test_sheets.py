"""Tables published as a workbook: the official form's three tables as sheets (.xlsx, and .xls as
Excel 97 saves it), merged cells as merged ranges. Made by make_attachments.py from the numbers of
the real huaian-2024.pdf."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checks.assess import assess_report
from parsers.errors import ParseError
from parsers.load import parse_bytes, parse_path
from parsers.sheets import read_xls, read_xlsx

FILES = Path(__file__).resolve().parent.parent / "fixtures" / "attachments"
HUAIAN = next(
    t for t in json.loads((FILES / "truth.json").read_text(encoding="utf-8")) if t["file"] == "huaian-2024.pdf"
)


@pytest.mark.parametrize("name", ["huaian-2024-tables.xlsx", "huaian-2024-tables.xls"])
def test_workbook_tables(name: str) -> None:
    report = parse_path(FILES / name).report
    assert report.applications == HUAIAN["applications"]
    assert report.review_litigation == HUAIAN["review_litigation"]
    assert report.active_disclosure["fees"] == {"amount": 96171.6}
    assert (report.agency, report.year, report.template) == ("淮安市人民政府", 2024, "2021")
    assert not [f for f in assess_report(report) if f.severity == "error"]
    sheets = {part: {"sheets": [s]} for part, s in zip(("active_disclosure", "applications", "review_litigation"),
                                                       ("表一", "表二", "表三"))}  # fmt: skip
    assert report.source == {"file": name, "type": name.rsplit(".", 1)[1], "tables": sheets}


def test_broken_workbooks_are_parse_errors() -> None:
    xlsx = (FILES / "huaian-2024-tables.xlsx").read_bytes()
    xls = (FILES / "huaian-2024-tables.xls").read_bytes()
    with pytest.raises(ParseError, match="not a readable .xlsx"):
        read_xlsx(xlsx[: len(xlsx) // 2])
    with pytest.raises(ParseError, match="not a readable .xls"):
        read_xls(xls[: len(xls) // 2])
    with pytest.raises(ParseError):
        parse_bytes(xls[:600])


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["seed000.docx", "huaian-2024-tables.xlsx", "huaian-2024-tables.xls"]), st.data())
def test_damaged_files_are_a_report_or_a_parse_error(name: str, data) -> None:
    """Bytes changed anywhere in a Word file or a workbook: a report, or one readable ParseError."""
    raw = bytearray((FILES / name).read_bytes())
    for _ in range(data.draw(st.integers(1, 8), label="changes")):
        at = data.draw(st.integers(0, len(raw) - 1), label="at")
        raw[at] = data.draw(st.integers(0, 255), label="byte")
    try:
        parse_bytes(bytes(raw), name=name)
    except ParseError as exc:
        assert str(exc) and "\n" not in str(exc)
