"""Word reports: the official 2021 form filled with real numbers (tests/fixtures/attachments,
made by make_attachments.py) as .docx, and as .doc and .wps, which LibreOffice converts.

seed000.* carry seed 000's numbers and text: they must parse to what the seed's text rendering
parses to (tests/test_seeds.py checks that against values typed by hand). huaian-2024-form.*
carry the real huaian-2024.pdf's numbers, nearly all distinct, so a number in the wrong column
shows."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from checks.assess import assess_report
from parsers import office
from parsers.docx import read_docx
from parsers.errors import MissingTool, ParseError
from parsers.load import parse_bytes, parse_path

HERE = Path(__file__).resolve().parent
FILES = HERE.parent / "fixtures" / "attachments"
(SEED_000,) = (HERE.parent / "fixtures" / "seeds").glob("000_*.txt")
HUAIAN = next(
    t for t in json.loads((FILES / "truth.json").read_text(encoding="utf-8")) if t["file"] == "huaian-2024.pdf"
)
HUAIAN_ACTIVE = {
    "regulations": {"issued": 1, "repealed": 0, "in_force": 11},
    "normative_documents": {"issued": 8, "repealed": 26, "in_force": 66},
    "licensing": {"decisions": 447228},
    "punishment": {"decisions": 3985758},
    "enforcement": {"decisions": 88283},
    "fees": {"amount": 96171.6},
}
PARTS = ("active_disclosure", "applications", "review_litigation")
needs_libreoffice = pytest.mark.skipif(
    office.soffice() is None, reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui"
)


@pytest.fixture(scope="module")
def seed():
    return parse_path(SEED_000).report


def assert_like_seed(report, seed) -> None:
    for part in PARTS:
        assert getattr(report, part) == getattr(seed, part), part
    assert (report.title, report.agency, report.year, report.template) == (seed.title, seed.agency, 2021, "2021")
    assert report.parts == seed.parts
    assert [f.to_json() for f in assess_report(report)] == [f.to_json() for f in assess_report(seed)] == []


def assert_like_huaian(report) -> None:
    assert report.applications == HUAIAN["applications"]
    assert report.review_litigation == HUAIAN["review_litigation"]
    assert report.active_disclosure == HUAIAN_ACTIVE
    assert (report.agency, report.year, report.template) == ("淮安市人民政府", 2024, "2021")
    assert assess_report(report) == []


def test_docx_of_a_seed(seed) -> None:
    parsed = parse_path(FILES / "seed000.docx")
    assert_like_seed(parsed.report, seed)
    assert parsed.report.source == {
        "file": "seed000.docx",
        "type": "docx",
        "tables": {
            "active_disclosure": {"tables": [1]},
            "applications": {"tables": [2]},
            "review_litigation": {"tables": [3]},
        },
    }
    assert parsed.report.sections["overview"] == seed.sections["overview"]


def test_docx_with_real_numbers() -> None:
    assert_like_huaian(parse_path(FILES / "huaian-2024-form.docx").report)


def test_merged_cells_are_expanded_like_rowspan_and_colspan() -> None:
    content = read_docx((FILES / "template-2021-blank.docx").read_bytes())
    table2 = content.blocks[[i for i, b in enumerate(content.blocks) if not isinstance(b, str)][1]]
    assert content.grid_tables == [1, 2, 3]
    assert all(len(row) == 10 for row in table2.rows)
    results = [(row, ids) for row, ids in zip(table2.rows, table2.origins) if row[0] == "三、本年度办理结果"]
    assert len(results) == 22 and len({ids[0] for _row, ids in results}) == 1  # one vMerge cell over 22 rows
    granted = next(row for row, _ids in results if row[1] == "（一）予以公开")
    assert granted[2] == "（一）予以公开"  # gridSpan: the label in both label columns


@needs_libreoffice
@pytest.mark.parametrize("name", ["seed000.doc", "seed000.wps"])
def test_doc_and_wps_of_a_seed(name: str, seed) -> None:
    parsed = parse_path(FILES / name)
    assert_like_seed(parsed.report, seed)
    assert parsed.report.source["type"] == name.rsplit(".", 1)[1]
    assert parsed.report.source["converted_by"] == "LibreOffice"


@needs_libreoffice
def test_wps_with_real_numbers() -> None:
    assert_like_huaian(parse_path(FILES / "huaian-2024-form.wps").report)


def test_without_libreoffice_a_wps_says_what_it_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_SOFFICE", "")  # as on a machine without LibreOffice
    for name, label in (("seed000.wps", ".wps"), ("seed000.doc", ".doc")):
        with pytest.raises(MissingTool, match=f"^needs LibreOffice to read \\{label} "):
            parse_path(FILES / name)


@needs_libreoffice
def test_a_conversion_that_takes_too_long_is_stopped() -> None:
    with pytest.raises(ParseError, match="LibreOffice took more than"):
        office.to_docx((FILES / "seed000.doc").read_bytes(), "doc", timeout=0.05)


@needs_libreoffice
def test_a_file_libreoffice_cannot_read() -> None:
    compound = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + bytes(600)
    with pytest.raises(ParseError):
        parse_bytes(compound, name="broken.doc")


def test_broken_docx_files_are_parse_errors() -> None:
    data = (FILES / "seed000.docx").read_bytes()
    for cut in (len(data) // 3, len(data) - 40):
        with pytest.raises(ParseError):
            read_docx(data[:cut])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<not-xml")
    with pytest.raises(ParseError, match="not a readable .docx"):
        parse_bytes(buf.getvalue())


def test_soffice_env_names_another_executable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_SOFFICE", "sh")
    assert office.soffice() and os.path.basename(office.soffice()) == "sh"
    monkeypatch.setenv("NIANBAO_SOFFICE", "no-such-program-nianbao")
    assert office.soffice() is None
