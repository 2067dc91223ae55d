"""parsers.document: the normalised form (paragraphs and grids) and its text records."""

from __future__ import annotations

from parsers.document import Document, Grid, clean_cell
from parsers.html import parse_html
from parsers.text import parse_text
from tests.parsers.test_seeds import seed_path

# Table 2's head as Word exports it: 申请人情况 spans two columns, 总计 two rows.
SPANS = (
    "<html><head><title>T</title></head><body><p>第一段</p><table>"
    '<tr><td colspan="2">申请人情况</td><td rowspan="2">总计</td></tr>'
    "<tr><td>自然人</td><td>法人</td></tr>"
    "<tr><td>1</td><td>2</td><td>3</td></tr>"
    "</table><p>结尾&nbsp;&nbsp;段\u3000落</p></body></html>"
)


def test_clean_cell_collapses_every_kind_of_white_space() -> None:
    assert clean_cell("  商业\n企业\t") == "商业 企业"
    assert clean_cell("\xa0\xa012\xa0") == "12"  # NBSP (seed 000 pads its numbers with it)
    assert clean_cell("尚\u3000未\r\n审结") == "尚 未 审结"
    assert clean_cell(" \u3000\n") == ""


def test_a_grid_from_text_has_one_origin_per_position() -> None:
    grid = Grid(rows=[["a", "b"], ["c"], ["d", "e", "f"]])
    assert grid.origins == [[0, 1], [2], [3, 4, 5]]
    assert grid.distinct_rows() == grid.rows


def test_colspan_copies_fold_back_into_one_cell() -> None:
    doc = parse_html(SPANS.encode("utf-8"))
    (grid,) = doc.grids
    assert grid.rows == [["申请人情况", "申请人情况", "总计"], ["自然人", "法人", "总计"], ["1", "2", "3"]]
    assert grid.origins[0][0] == grid.origins[0][1] and grid.origins[0][2] == grid.origins[1][2]
    # A colspan's copies are one cell; a rowspan's copy in the next row is that row's cell.
    assert grid.distinct_rows() == [["申请人情况", "总计"], ["自然人", "法人", "总计"], ["1", "2", "3"]]


def test_paragraphs_grids_and_records_keep_the_reading_order() -> None:
    doc = parse_html(SPANS.encode("utf-8"))
    assert doc.title == "T"
    assert doc.paragraphs == ["第一段", "结尾 段 落"]
    assert doc.records() == [
        "第一段",
        "[table 1]",
        "申请人情况\t申请人情况\t总计",
        "自然人\t法人\t总计",
        "1\t2\t3",
        "[/table 1]",
        "结尾 段 落",
    ]


def test_records_number_the_tables_of_a_seed() -> None:
    doc = parse_text(seed_path("004").read_text(encoding="utf-8"))
    records = doc.records()
    assert [r for r in records if r.startswith("[")] == [
        "[table 1]",
        "[/table 1]",
        "[table 2]",
        "[/table 2]",
        "[table 3]",
        "[/table 3]",
    ]
    assert records[0] == "山西省人民政府外事办公室"
    start = records.index("[table 1]")
    assert records[start + 2] == "信息内容\t本年制发件数\t本年废止件数\t现行有效件数"
    assert len(records) == len(doc.paragraphs) + sum(len(g.rows) + 2 for g in doc.grids)


def test_an_empty_document() -> None:
    doc = Document(blocks=[])
    assert (doc.paragraphs, doc.grids, doc.records(), doc.content_found, doc.links) == ([], [], [], None, [])
