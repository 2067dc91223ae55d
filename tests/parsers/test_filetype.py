"""A file is what its bytes say (parsers.filetype), not what its name says."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from parsers.errors import MissingTool, ParseError
from parsers.filetype import sniff_file
from parsers.load import parse_bytes, parse_path

FILES = Path(__file__).resolve().parent.parent / "fixtures" / "attachments"


def _zip(*names: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in names:
            z.writestr(name, "application/vnd.oasis.opendocument.text" if name == "mimetype" else "<x/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("hongze-2024.pdf", "pdf"),
        ("seed000.docx", "docx"),
        ("seed000.doc", "doc"),
        ("seed000.wps", "wps"),  # the same bytes as a .doc: only the name tells
        ("template-2021-blank.docx", "docx"),
        ("truth.json", None),
    ],
)
def test_fixture_files(name: str, kind: str | None) -> None:
    assert sniff_file((FILES / name).read_bytes(), name) == kind


def test_the_bytes_decide_not_the_name() -> None:
    pdf = (FILES / "hongze-2024.pdf").read_bytes()
    assert sniff_file(pdf, "download.jsp?id=3") == "pdf"
    assert sniff_file(b"\r\n  " + pdf[:2000], "x.doc") == "pdf"  # bytes before the header, as some servers send
    assert sniff_file((FILES / "seed000.doc").read_bytes(), "https://x.gov.cn/a/nb2024.WPS?download=1") == "wps"
    assert sniff_file(b"<html><body>%PDF-1.4 is not a PDF</body></html>", "report.pdf") is None
    assert sniff_file(_zip("[Content_Types].xml", "xl/workbook.xml")) == "xlsx"
    assert sniff_file(_zip("mimetype", "content.xml")) == "odt"
    assert sniff_file(_zip("[Content_Types].xml", "ppt/presentation.xml")) == "office"
    assert sniff_file(_zip("a.txt")) is None
    assert sniff_file(b"PK\x03\x04 not really a zip") is None
    assert sniff_file(b"\x89PNG\r\n\x1a\n" + bytes(100)) == "image"
    assert sniff_file(b"\xff\xd8\xff\xe0" + bytes(100)) == "image"
    assert sniff_file(b"{\\rtf1\\ansi hello}") == "rtf"
    assert sniff_file(b"BM" + (62).to_bytes(4, "little") + bytes(56)) == "image"
    assert sniff_file("BMW 2024年政府信息公开工作年度报告".encode()) is None  # text that opens with BM
    assert sniff_file(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "Workbook".encode("utf-16-le")) == "xls"
    assert sniff_file("北京市西城区2024年政府信息公开工作年度报告".encode()) is None


def test_a_saved_file_is_parsed_by_its_content(tmp_path: Path) -> None:
    """A PDF saved under a .html or .txt name is still a PDF."""
    for name in ("report.html", "report.txt", "report"):
        path = tmp_path / name
        path.write_bytes((FILES / "huaian-2024.pdf").read_bytes())
        parsed = parse_path(path)
        assert parsed.report.source["type"] == "pdf" and parsed.report.source["file"] == name
        assert parsed.report.applications["new_received"]["total"] == 3119


def test_images_and_other_office_files_say_why_they_are_not_read() -> None:
    with pytest.raises(MissingTool, match="needs OCR"):
        parse_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(ParseError, match="not a format a report is read from"):
        parse_bytes(_zip("[Content_Types].xml", "ppt/presentation.xml"))


def test_html_and_text_are_read_as_before() -> None:
    page = "<html><head><title>x</title></head><body><p>一段与年报无关的文字。</p></body></html>".encode()
    for data in (page, "一段与年报无关的文字。\n".encode()):
        with pytest.raises(ParseError) as info:
            parse_bytes(data)
        assert "not an annual report" in str(info.value)
