"""parsers.tables: tables 1-3 read from a document's grids alone (no title, no text around them)."""

from __future__ import annotations

from parsers.html import parse_html
from parsers.model import APPLICANT_COLUMNS, APPLICATION_ROWS_2021, Report
from parsers.tables import read_tables
from parsers.text import parse_text
from tests.parsers.test_seeds import EXPECTED, SAMPLE_SHANGHAI, SHANGHAI, assert_cells, seed_path


def tables_of(doc) -> Report:
    report = Report()
    read_tables(doc, report)
    return report


def test_a_word_exported_page_of_the_2019_template() -> None:
    """The Shanghai sample (HTML, spans, blank cells, a unit in a cell) against its hand-read values."""
    meta, active, applications, review = SHANGHAI
    got = tables_of(parse_html(SAMPLE_SHANGHAI.read_bytes()))
    assert (got.template, got.tables) == (meta["template"], [1, 2, 3])
    assert_cells(got.active_disclosure, active, "active_disclosure")
    assert_cells(got.applications, applications, "applications")
    assert_cells(got.review_litigation, review, "review_litigation")
    assert got.notes == {"active_disclosure.procurement.amount": "251000元"}  # the number is 251000
    assert got.applicant_columns == APPLICANT_COLUMNS
    assert got.result_rows[:3] == ["granted", "partially_granted", "withheld_state_secret"]


def test_the_column_heads_tell_the_template() -> None:
    for n, (meta, *_) in EXPECTED.items():
        assert tables_of(parse_text(seed_path(n).read_text(encoding="utf-8"))).template == meta["template"], n


def test_a_blank_table_2_is_null_not_zero() -> None:
    got = tables_of(parse_text(seed_path("004").read_text(encoding="utf-8")))
    assert set(APPLICATION_ROWS_2021) <= set(got.applications)
    assert got.applications["new_received"] == dict.fromkeys(APPLICANT_COLUMNS)  # every cell None


def test_no_grids_no_tables() -> None:
    got = tables_of(parse_text("北京市西城区民政局2022年政府信息公开工作年度报告\n一、总体情况\n"))
    assert (got.tables, got.template, got.active_disclosure, got.applications, got.review_litigation) == (
        [],
        None,
        {},
        {},
        {},
    )
