"""The seeds marked up as portals mark them up (tests/fixtures/html, made by make_fixtures.py)
must parse to the same tables as the seed text, and to the values read off the seeds by hand."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from checks.assess import assessed
from parsers.encoding import sniff_encoding
from parsers.load import parse_bytes, parse_path
from tests.parsers.test_seeds import (
    EXPECTED,
    SAMPLE_SHANGHAI,
    SHANGHAI,
    assert_cells,
    assert_meta,
    assert_seed_findings,
    seed_path,
)

HTML = Path(__file__).parent.parent / "fixtures" / "html"

# fixture -> (source, published date the page shows)
FIXTURES = {
    "xicheng-003.html": ("003", "2021-03-10"),
    "gbk-000.html": ("000", "2022-01-20"),
    "split-002.html": ("002", "2025-01-20"),
    "headless-001.html": ("001", "2022-01-17"),
    "word-003.html": ("003", "2021-03-10"),
    "word-shanghai-2019.html": ("shanghai", "2020-01-31"),
}
SOURCES = {**{n: seed_path(n) for n in EXPECTED}, "shanghai": SAMPLE_SHANGHAI}
EXPECTED_ALL = {**EXPECTED, "shanghai": SHANGHAI}
TITLES = {
    "000": "北京市西城区人民政府外事办公室2021年政府信息公开工作年度报告",
    "001": "北京市东城区对外联络服务办公室（北京市东城区支援合作办公室）2021年政府信息公开工作年度报告",
    "002": "西城区政府办公室2024年政府信息公开工作年度报告",
    "003": "北京市西城区人民政府2020年政府信息公开工作年度报告",
    "shanghai": "2019年上海市人民政府办公厅政府信息公开工作年度报告",
}


@pytest.fixture(scope="module", params=sorted(FIXTURES))
def parsed(request):
    name = request.param
    seed, _published = FIXTURES[name]
    return name, seed, assessed(parse_path(HTML / name).report), assessed(parse_path(SOURCES[seed]).report)


def test_fixture_files_are_there():
    assert sorted(p.name for p in HTML.glob("*.html")) == sorted(FIXTURES)


def test_metadata(parsed):
    name, seed, report, _text = parsed
    meta = {**EXPECTED_ALL[seed][0], "published": FIXTURES[name][1]}
    assert_meta(report, meta)
    assert report.title == TITLES[seed]
    assert report.tables == [1, 2, 3]
    assert report.parts == ["overview", "active_disclosure", "applications", "review_litigation", "problems", "other"]


def test_same_tables_as_the_seed_text(parsed):
    _name, _seed, report, text = parsed
    assert report.active_disclosure == text.active_disclosure
    assert report.applications == text.applications
    assert report.review_litigation == text.review_litigation
    assert report.result_rows == text.result_rows
    assert report.applicant_columns == text.applicant_columns
    assert report.notes == text.notes


def test_every_cell_against_hand_read_values(parsed):
    _name, seed, report, _text = parsed
    _meta, active, applications, review = EXPECTED_ALL[seed]
    assert_cells(report.active_disclosure, active, "active_disclosure")
    assert_cells(report.applications, applications, "applications")
    assert_cells(report.review_litigation, review, "review_litigation")


def test_findings(parsed):
    _name, seed, report, text = parsed
    assert_seed_findings(seed, report.findings)
    assert sorted((f.rule, f.where) for f in report.findings if f.severity == "error") == sorted(
        (f.rule, f.where) for f in text.findings if f.severity == "error"
    )


# --- what each page is meant to exercise ----------------------------------------------


def test_gbk_page_declares_no_charset():
    data = (HTML / "gbk-000.html").read_bytes()
    assert b"charset" not in data.lower() and b"encoding" not in data.lower()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert sniff_encoding(data) == "gb18030"
    assert "北京市西城区人民政府外事办公室".encode("gbk") in data
    assert "１".encode("gbk") in data  # a full-width digit in a number cell


def test_word_pages_split_numbers_over_spans():
    data = (HTML / "word-003.html").read_bytes().decode("gb2312")
    # a number written as <span>15</span><span>18</span>
    assert re.search(r">\d+</span><span[^>]*>\d+</span>", data)
    assert "<o:p>" in data and "&nbsp;" in data and "\n <span" in data
    assert 'rowspan="20"' in data and 'rowspan="8"' in data


def test_split_page_has_split_tables_and_a_layout_table():
    text = (HTML / "split-002.html").read_text(encoding="utf-8")
    assert text.count("<table") == 2 + 4 + 2 + 1  # layout tables, table 1 in four, table 2 in two, table 3
    assert "商业<br>企业" in text and "科研<br>机构" in text


def test_headless_page_has_no_table2_heads():
    text = (HTML / "headless-001.html").read_text(encoding="utf-8")
    assert "勾稽关系" not in text and "申请人情况" not in text and "商业企业" not in text


def test_xicheng_page_title_comes_from_the_text():
    """The <title> names only the column (政府信息公开年报) and the site: the title is the
    report's own line, not the column name above it."""
    data = (HTML / "xicheng-003.html").read_bytes()
    assert "<title>政府信息公开年报_北京市西城区人民政府</title>".encode() in data
    report = parse_bytes(data).report
    assert report.title == TITLES["003"]
    assert (report.agency, report.year) == ("北京市西城区人民政府", 2020)


def test_word_shanghai_page_pads_natural_person_with_an_empty_column():
    """自然人 spans two grid columns, so each row holds eight cells for seven columns, with
    blanks among them: the blanks must stay in their columns and 总计 must not be lost."""
    text = (HTML / "word-shanghai-2019.html").read_text(encoding="utf-8")
    assert 'rowspan="2" colspan="2"' in text
    report = parse_path(HTML / "word-shanghai-2019.html").report
    assert report.applications["new_received"]["total"] == 859
    assert report.applications["carried_over"]["total"] == 18
    assert report.notes.get("active_disclosure.procurement.amount") == "251000元"


def test_fixtures_are_what_make_fixtures_generates():
    """The committed pages are the script's output: regenerating them changes nothing."""
    spec = importlib.util.spec_from_file_location("make_fixtures", HTML / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    for name, (make, encoding) in module.PAGES.items():
        assert make().encode(encoding) == (HTML / name).read_bytes(), name
