"""common.tables: a report's JSON laid out as the official tables (the official row labels and
column heads, the 法人或其他组织 group heading), the cells of a failing equation marked as its
total or its parts, and each finding said in Chinese words and numbers."""

from __future__ import annotations

from pathlib import Path

from checks.assess import assessed
from common.tables import PART, TOTAL, explain, lay_out, marks
from parsers.load import parse_path

SEED_003 = Path(__file__).resolve().parents[1] / "fixtures" / "seeds" / "003_42b2e6b1a7d7c7c9.txt"


def results_sum() -> dict:
    cells = {f"applications.{r}.natural_person": 0 for r in ("granted", "partially_granted")}
    return {
        "rule": "results_sum", "severity": "error", "where_": "applications.total_processed.natural_person",
        "lhs": {"expr": "三(七)总计", "value": 20, "cells": {"applications.total_processed.natural_person": 20}},
        "rhs": {"expr": "(一)…(六) 之和", "value": 26, "cells": cells},
        "cells": ["applications.total_processed.natural_person", *cells],
    }  # fmt: skip


def test_the_equation_in_words_and_numbers() -> None:
    assert explain(results_sum()) == "（七）总计·自然人 = 20，而（一）至（六）之和 = 26"
    review = {"rule": "review_total", "where_": "review_litigation.review.total",
              "lhs": {"value": 7}, "rhs": {"value": 6}}  # fmt: skip
    assert explain(review) == "行政复议·总计 = 7，而结果维持、结果纠正、其他结果、尚未审结之和 = 6"


def test_a_finding_on_ocr_numbers_says_so_in_chinese() -> None:
    from common.constants import OCR_NOTE

    read = {**results_sum(), "severity": "warning", "message": "results do not add up" + OCR_NOTE}
    assert explain(read) == "（七）总计·自然人 = 20，而（一）至（六）之和 = 26（数字由 OCR 识别，尚未经人工确认）"


def test_the_total_is_told_apart_from_its_parts() -> None:
    m = marks([results_sum()])
    assert m["applications.total_processed.natural_person"] == TOTAL
    assert m["applications.granted.natural_person"] == m["applications.partially_granted.natural_person"] == PART
    assert "applications.total_processed.total" not in m  # only the failing column


def test_seed_003_laid_out_as_the_official_tables() -> None:
    report = assessed(parse_path(SEED_003).report)
    errors = [f.to_json() for f in report.findings if f.severity == "error"]
    table1, table2, table3 = lay_out(report.to_json(), marks(errors))
    assert table2.title == "三、收到和处理政府信息公开申请情况" and table2.marked and not table3.marked
    heads = [[h.text for h in row] for row in table2.blocks[0].heads]
    assert heads[0] == ["", "申请人情况"]
    assert heads[1] == ["自然人", "法人或其他组织", "总计"]
    assert heads[2] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    lines = {line.label: line for line in table2.blocks[0].lines}
    assert "三、本年度办理结果" in lines and lines["三、本年度办理结果"].heading
    assert "（三）不予公开 1.属于国家秘密" in lines
    forward = lines["四、结转下年度继续办理"].cells
    assert [(c.head, c.text, c.mark) for c in forward][0] == ("自然人", "2701", PART)
    assert [c.mark for c in lines["一、本年新收政府信息公开申请数量"].cells][0] == TOTAL
    assert table1.title == "二、主动公开政府信息情况"
    assert [[h.text for h in row] for row in table1.blocks[0].heads] == [
        ["第二十条第（一）项"],
        ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
    ]
    assert [h.text for h in table3.blocks[0].heads[0]] == ["行政复议", "行政诉讼"]
    assert len(table3.blocks[0].lines[0].cells) == 15
