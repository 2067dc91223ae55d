"""parsers.numbers: a table cell's text -> its number. A blank cell is None, never 0."""

from __future__ import annotations

import pytest

from parsers.numbers import has_note, parse_number


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("0", 0),
        ("0 ", 0),  # Word pads cells with spaces
        ("\u30000", 0),  # … and with an ideographic space
        ("\xa012\xa0", 12),  # … and with NBSP (seed 000)
        ("1,234", 1234),
        ("1，234", 1234),  # a full-width comma
        ("１２３", 123),  # full-width digits
        ("１，２３４", 1234),
        ("+33", 33),
        ("-7", -7),
        ("44899.2477", 44899.2477),  # 采购总金额 in 万元
        ("2 2", 22),  # digits split over two spans of a Word export
    ],
)
def test_numbers(cell: str, value: int | float) -> None:
    got, is_number = parse_number(cell)
    assert is_number and got == value and type(got) is type(value)


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("251000元", 251000),  # the Shanghai sample's procurement amount
        ("0.5万元", 0.5),
        ("3件", 3),
        ("12.5%", 12.5),
        ("22（其中修订16件）", 22),  # the number is 22; the bracket is a note
        ("22(其中修订16件)", 22),
    ],
)
def test_a_unit_or_a_note_keeps_the_number_and_is_a_note(cell: str, value: int | float) -> None:
    assert parse_number(cell) == (value, True)
    assert has_note(cell)


@pytest.mark.parametrize("cell", ["", "  ", "\u3000", "-", "--", "—", "——", "/", "\\", "无", "空"])
def test_a_blank_or_a_dash_is_a_number_cell_with_no_value(cell: str) -> None:
    assert parse_number(cell) == (None, True)  # None, not 0: a blank is not a zero
    assert not has_note(cell)


@pytest.mark.parametrize("cell", ["自然人", "十", "abc", "1,23", "12,3456", "1.2.3", "第3项"])
def test_text_is_not_a_number_cell(cell: str) -> None:
    assert parse_number(cell) == (None, False)


@pytest.mark.parametrize("cell", ["0", "1,234", "+33", "-7", "44899.2477"])
def test_a_plain_number_has_no_note(cell: str) -> None:
    assert not has_note(cell)
