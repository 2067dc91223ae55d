"""The real WPS-made report PDFs (tests/fixtures/attachments, from ../shared/samples/attachments):
every cell of tables 2 and 3 against truth.json (read from the page images), no false error, and
what the PDF reader does to get there: the page break inside table 2, white boxes that are no
table, page numbers, paragraphs cut into lines."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from checks.assess import assess_report
from parsers.document import Grid
from parsers.errors import MissingTool, ParseError
from parsers.load import parse_bytes, parse_path
from parsers.pagebreak import carries_on, join
from parsers.pdf import read_pdf

HERE = Path(__file__).resolve().parent
FILES = HERE.parent / "fixtures" / "attachments"
TRUTH = {t["file"]: t for t in json.loads((FILES / "truth.json").read_text(encoding="utf-8"))}
# Where the tables are, read off the page images.
PAGES = {
    "hongze-2024.pdf": {"active_disclosure": [2, 3], "applications": [3, 4], "review_litigation": [4]},
    "huaian-2024.pdf": {"active_disclosure": [3, 4], "applications": [4, 5], "review_litigation": [5]},
}


@pytest.fixture(scope="module", params=sorted(TRUTH))
def parsed(request):
    return request.param, parse_path(FILES / request.param)


def test_every_cell_of_tables_2_and_3(parsed) -> None:
    name, result = parsed
    truth, report = TRUTH[name], result.report
    wrong = [
        (part, row, col, want, getattr(report, part).get(row, {}).get(col, "missing"))
        for part in ("applications", "review_litigation")
        for row, cols in truth[part].items()
        for col, want in cols.items()
        if getattr(report, part).get(row, {}).get(col, "missing") != want
    ]
    assert wrong == []
    assert set(report.applications) == set(truth["applications"])  # no row left over (a typo'd label's own row)
    assert (report.agency, report.year, report.template) == (truth["agency"], truth["year"], truth["template"])


def test_no_false_error(parsed) -> None:
    name, result = parsed
    errors = [f.to_json() for f in assess_report(result.report) if f.severity == "error"]
    assert errors == TRUTH[name]["expected_errors"] == []
    assert result.report.parts == [
        "overview", "active_disclosure", "applications", "review_litigation", "problems", "other",
    ]  # fmt: skip


def test_no_finding_at_all(parsed) -> None:
    """Not even a warning: hongze-2024 prints （六）其他处理 as one row (the 2019 template's) in a
    2021-template table 2, which merges the three sub-rows rather than leaving them blank."""
    name, result = parsed
    assert [f.to_json() for f in assess_report(result.report)] == []


def test_the_json_names_the_file_and_the_pages_of_each_table(parsed) -> None:
    name, result = parsed
    source = result.report.to_json()["source"]
    pages = {"hongze-2024.pdf": 5, "huaian-2024.pdf": 6}[name]
    want = {part: {"pages": where} for part, where in PAGES[name].items()}
    assert source == {"file": name, "type": "pdf", "pages": pages, "tables": want}


def test_a_label_cut_by_the_page_break_is_one_label_again() -> None:
    """huaian-2024 page 4 ends inside （四）无法提供: “（四）无” above the break, “法提供” below."""
    doc = parse_path(FILES / "huaian-2024.pdf").document
    (table2,) = [g for g in doc.grids if any("勾稽关系" in c for c in g.rows[0])]
    groups = [row[1] for row in table2.rows if row[2].startswith(("1.本机关", "2.没有现成", "3.补正后"))]
    assert groups == ["（四）无法提供"] * 3
    assert not any(cell in ("（四）无", "法提供") for row in table2.rows for cell in row)
    # One cell (one origin) over the break, as a rowspan is one cell.
    origins = {ids[1] for row, ids in zip(table2.rows, table2.origins) if row[1] == "（四）无法提供"}
    assert len(origins) == 1


def test_the_typo_in_a_label_finds_its_row() -> None:
    """hongze-2024 prints 2.其他法律行政止公开 for 2.其他法律行政法规禁止公开."""
    result = parse_path(FILES / "hongze-2024.pdf")
    assert "2.其他法律行政止公开" in "\n".join(result.records)
    assert result.report.applications["withheld_prohibited_by_law"]["total"] == 0
    assert not any("止公开" in key for key in result.report.applications)


def test_text_outside_tables_is_read_as_paragraphs() -> None:
    """WPS paints a white box behind every line of text: no table. Paragraphs come back whole
    (lines joined; a page break inside a paragraph too), page numbers go."""
    hongze = parse_path(FILES / "hongze-2024.pdf")
    assert len(hongze.document.grids) == 4  # table 1 (two pages), table 2 (joined), table 3
    assert "一、总体情况" in hongze.document.paragraphs
    huaian = parse_path(FILES / "huaian-2024.pdf")
    paragraphs = huaian.document.paragraphs
    assert not any(p.strip("- ").isdigit() for p in paragraphs)
    assert "2024 年，全市共受理政府信息公开申请 3119 件，答复 3050 件" in huaian.report.sections["overview"]
    # 第（四）段 runs from page 2 onto page 3.
    assert any(p.startswith("（四）政府信息公开平台建设情况") and p.endswith("合格率均为 100%。") for p in paragraphs)
    assert huaian.report.title == "淮安市人民政府2024年政府信息公开工作年度报告"


def test_a_pdf_without_text_needs_ocr() -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(595, 842)
    pdf.new_page(595, 842)
    buf = io.BytesIO()
    pdf.save(buf)
    with pytest.raises(MissingTool, match="no text layer.*needs OCR"):
        parse_bytes(buf.getvalue())


def _one_line_pdf(text: str) -> bytes:
    """A one-page PDF whose only text is `text` (Helvetica), as a scan with a stamped line is."""
    stream = f"BT /F1 12 Tf 250 30 Td ({text}) Tj ET".encode()
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
        b"<</Length %d>>stream\n%s\nendstream" % (len(stream), stream),
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_a_scan_with_a_stamped_line_needs_ocr() -> None:
    with pytest.raises(MissingTool, match="needs OCR"):
        parse_bytes(_one_line_pdf("Scan 2024"))


@pytest.mark.parametrize("cut", [0.02, 0.3, 0.6, 0.97])
def test_a_cut_pdf_is_a_report_or_a_parse_error(cut: float) -> None:
    data = (FILES / "hongze-2024.pdf").read_bytes()
    try:
        parse_bytes(data[: int(len(data) * cut)])
    except ParseError as exc:
        assert str(exc) and "\n" not in str(exc)


def test_garbage_after_the_pdf_header_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="not a readable PDF"):
        read_pdf(b"%PDF-1.7\n" + bytes(range(256)) * 20)


@pytest.mark.parametrize("wrapped", [False, True])
def test_memory_running_out_is_no_unreadable_pdf(monkeypatch: pytest.MonkeyPatch, wrapped: bool) -> None:
    """A MemoryError (the parse worker's memory budget), raised or wrapped as pdfplumber wraps what
    pdfminer raises, leaves read_pdf as itself, for the caller's budget, not as "not a readable PDF"."""
    from pdfplumber.utils.exceptions import PdfminerException

    def out_of_memory(page, n):
        if not wrapped:
            raise MemoryError
        try:
            raise MemoryError
        except MemoryError as exc:
            raise PdfminerException(exc) from exc

    monkeypatch.setattr("parsers.pdf._read_page", out_of_memory)
    with pytest.raises(MemoryError):
        read_pdf((FILES / "hongze-2024.pdf").read_bytes())


# --- joining a table over a page break (parsers.pagebreak) ---------------------------------------


def test_what_carries_on_over_a_page_break() -> None:
    assert carries_on("（四）无", "法提供")
    assert carries_on("5.要求行政机关确认或重新出", "具已获取信息")
    assert carries_on("三、本年度办理结果", "")  # the rest of a merged cell, its text above the break
    assert not carries_on("行政许可", "行政处罚")  # two whole labels: two rows
    assert not carries_on("1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作")
    assert not carries_on("31", "")  # a number does not run on
    assert not carries_on("（三）不予公开", "12")


def test_a_row_cut_in_two_becomes_one_row() -> None:
    above = Grid(rows=[["（五）不予处理", "4.无正当理由大量反复申请", "0", "0"],
                       ["（五）不予处理", "5.要求行政机关确认或重新出", "1", "1"]],
                 origins=[[0, 1, 2, 3], [0, 4, 5, 6]])  # fmt: skip
    below = Grid(rows=[["", "具已获取信息", "", ""], ["（七）总计", "（七）总计", "9", "9"]],
                 origins=[[0, 1, 2, 3], [4, 4, 5, 6]])  # fmt: skip
    joined = join(above, below)
    assert joined.rows == [
        ["（五）不予处理", "4.无正当理由大量反复申请", "0", "0"],
        ["（五）不予处理", "5.要求行政机关确认或重新出具已获取信息", "1", "1"],
        ["（七）总计", "（七）总计", "9", "9"],
    ]
    assert joined.origins[1][:2] == [0, 4] and len({o for row in joined.origins for o in row}) == 10


def test_a_new_row_after_the_break_stays_a_row() -> None:
    above = Grid(rows=[["三、本年度办理结果", "（五）不予处理", "5.要求行政机关确认或重新出具已获取信息", "1"]])
    below = Grid(rows=[["", "（七）总计", "", "9"]])
    joined = join(above, below)
    # The empty cell under 三、… is that merged cell going on; 5.要求… does not go on under （七）总计.
    assert joined.rows[1] == ["三、本年度办理结果", "（七）总计", "", "9"]


def test_a_running_header_does_not_keep_a_tables_parts_apart() -> None:
    from parsers.pdf import Line, Page, PageTable, assemble, drop_running_lines

    def page(n: int, *items) -> Page:
        return Page(number=n, items=[Line("淮安市人民政府办公室", 200, 400, 10), *items,
                                      Line(f"第 {n} 页", 280, 320, 10)], left=90, right=500)  # fmt: skip

    def table(n: int, *rows: list[str]) -> PageTable:
        return PageTable(grid=Grid(rows=[list(r) for r in rows]), columns=[150.0, 300.0], pages=[n])

    pages = [
        page(1, Line("一、总体情况", 110, 200, 10)),
        page(2, table(2, ["（四）无", "1.本机关不掌握相关政府信息", "3"])),
        page(
            3,
            table(3, ["法提供", "2.没有现成信息需要另行制作", "1"]),
            Line("五、存在的主要问题及改进情况", 110, 300, 10),
        ),
    ]
    drop_running_lines(pages)
    blocks, grid_pages = assemble(pages)
    assert [b if isinstance(b, str) else b.rows for b in blocks] == [
        "一、总体情况",
        [["（四）无法提供", "1.本机关不掌握相关政府信息", "3"], ["（四）无法提供", "2.没有现成信息需要另行制作", "1"]],
        "五、存在的主要问题及改进情况",
    ]
    assert grid_pages == [[2, 3]]
