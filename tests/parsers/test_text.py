"""parsers.text: the three text renderings of report pages (tests/fixtures/seeds) -> Document."""

from __future__ import annotations

import pytest

from parsers.document import Grid
from parsers.text import parse_text
from tests.parsers.test_seeds import seed_path


def seed(n: str):
    return parse_text(seed_path(n).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("n", "table1_head"),
    [
        ("000", ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]),  # a cell per line
        ("003", ["信息内容", "", "本年新制作数量", "本年新公开数量", "对外公开总数量"]),  # tab-separated
        ("004", ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]),  # pipe-separated
    ],
)
def test_each_rendering_gives_the_three_tables(n: str, table1_head: list[str]) -> None:
    doc = seed(n)
    assert len(doc.grids) == 3
    table1, table2, table3 = doc.grids
    assert table1.rows[0][0].replace("（", "(").replace("）", ")") == "第二十条第(一)项"
    assert table1.rows[1] == table1_head
    assert table1.rows[2][0] == "规章" and set(table1.rows[2][1:]) <= {"0", ""}
    assert "申请人情况" in table2.rows[0]
    assert table3.rows[0][0] == "行政复议"
    assert "总体情况" in doc.paragraphs[doc.paragraphs.index("一、总体情况")]


def test_paragraphs_and_tables_keep_their_reading_order() -> None:
    doc = seed("000")
    assert doc.paragraphs[0] == "北京市西城区人民政府外事办公室2021年政府信息公开工作年度报告"
    # Each table right after its part's heading, as on the page (this report numbers only some).
    kinds = [b if isinstance(b, str) else "<table>" for b in doc.blocks]
    tables = [i for i, kind in enumerate(kinds) if kind == "<table>"]
    assert [kinds[i - 1] for i in tables] == [
        "主动公开政府信息情况",
        "收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ]
    assert kinds[tables[-1] + 1] == "五、存在的主要问题及改进情况"


def test_a_cell_broken_over_lines_is_one_cell() -> None:
    # seed 000 (a browser's copy of a Word table): 商业 / 企业 in one cell
    assert "商业 企业" in seed("000").grids[1].rows[2]
    text = "标题\n\n\t申请人\n\t商业\n企业\n\n\t本年新收\n\t3\n\n\n正文\n"
    doc = parse_text(text)
    assert [b if isinstance(b, str) else b.rows for b in doc.blocks] == [
        "标题",
        [["申请人", "商业 企业"], ["本年新收", "3"]],
        "正文",
    ]


def test_pipe_rows_a_closing_pipe_opens_no_cell() -> None:
    rows = "".join(f"| 行{i} | {i} |\r\n" for i in range(5))
    doc = parse_text("\ufeff## 一、总体情况\r\n正文\r\n" + rows + "结束\r\n")
    assert doc.blocks[:2] == ["一、总体情况", "正文"]  # BOM, CRLF and Markdown heading marks go
    (grid,) = doc.grids
    assert grid.rows[0] == ["", "行0", "0"]  # the opening pipe opens an empty cell; the closing one none
    assert doc.blocks[-1] == "结束"


def test_tab_rows_end_at_prose() -> None:
    text = "标题\n" + "".join(f"a{i}\tb{i}\tc{i}\n" for i in range(5)) + "\n后记\n"
    doc = parse_text(text)
    assert doc.blocks[0] == "标题" and doc.blocks[-1] == "后记"
    assert isinstance(doc.blocks[1], Grid) and doc.blocks[1].rows[4] == ["a4", "b4", "c4"]


def test_few_separated_rows_are_prose_not_a_table() -> None:
    """Fewer than five rows with a separator: a sentence with a | or a tab in it, not a table."""
    doc = parse_text("标题\n甲|乙|丙\n正文\n")
    assert doc.grids == [] and doc.paragraphs == ["标题", "甲|乙|丙", "正文"]
