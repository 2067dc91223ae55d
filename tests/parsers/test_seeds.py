"""Every cell of the real seed reports, checked against values read off the seed files by hand.

The expected tables below were typed from tests/fixtures/seeds/*.txt and
tests/fixtures/samples/shanghai-szfbgt-2019.html, not copied from the parser's
output: they are an independent check of extraction. tests/parsers/test_html.py
reuses them for the HTML renderings of the same reports.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.assess import assessed
from parsers.load import parse_path
from parsers.model import APPLICANT_COLUMNS, APPLICATION_ROWS_2019, APPLICATION_ROWS_2021

FIXTURES = Path(__file__).parent.parent / "fixtures"
SEEDS = FIXTURES / "seeds"
SAMPLE_SHANGHAI = FIXTURES / "samples" / "shanghai-szfbgt-2019.html"


def seed_path(n: str) -> Path:
    (path,) = SEEDS.glob(f"{n}_*.txt")
    return path


def _applications(rows: dict[str, list[int | None]]) -> dict[str, dict[str, int | None]]:
    """row -> seven values in column order (自然人 … 总计) -> the report's dict form."""
    out = {}
    for row, values in rows.items():
        assert len(values) == 7, row
        out[row] = dict(zip(APPLICANT_COLUMNS, values, strict=True))
    return out


def _review(review: list, direct: list, after: list) -> dict[str, dict[str, int | None]]:
    fields = ("upheld", "corrected", "other", "pending", "total")
    return {
        "review": dict(zip(fields, review, strict=True)),
        "litigation_direct": dict(zip(fields, direct, strict=True)),
        "litigation_after_review": dict(zip(fields, after, strict=True)),
    }


Z = [0, 0, 0, 0, 0, 0, 0]
_ = None  # a blank cell

# --- seed 000: 北京市西城区人民政府外事办公室 2021 (cell-per-line text, NBSP-padded numbers) ---
SEED_000_META = {
    "agency": "北京市西城区人民政府外事办公室",
    "year": 2021,
    "template": "2021",
    "published": None,
}
SEED_000_ACTIVE = {
    "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
    "normative_documents": {"issued": 0, "repealed": 0, "in_force": 0},
    "licensing": {"decisions": 0},
    "punishment": {"decisions": 0},
    "enforcement": {"decisions": 0},
    "fees": {"amount": 0},
}
SEED_000_APPLICATIONS = _applications(
    {
        "new_received": [1, 0, 0, 0, 0, 0, 1],
        "carried_over": [0, 0, 0, 0, 0, 0, 0],
        "granted": [0, 0, 0, 0, 0, 0, 0],
        "partially_granted": [0, 0, 0, 0, 0, 0, 0],
        "withheld_state_secret": [0, 0, 0, 0, 0, 0, 0],
        "withheld_prohibited_by_law": [0, 0, 0, 0, 0, 0, 0],
        "withheld_security_stability": [0, 0, 0, 0, 0, 0, 0],
        "withheld_third_party": [0, 0, 0, 0, 0, 0, 0],
        "withheld_internal_affairs": [0, 0, 0, 0, 0, 0, 0],
        "withheld_process_info": [0, 0, 0, 0, 0, 0, 0],
        "withheld_enforcement_file": [0, 0, 0, 0, 0, 0, 0],
        "withheld_query_matter": [0, 0, 0, 0, 0, 0, 0],
        "unavailable_not_held": [1, 0, 0, 0, 0, 0, 1],
        "unavailable_needs_creation": [0, 0, 0, 0, 0, 0, 0],
        "unavailable_unclear": [0, 0, 0, 0, 0, 0, 0],
        "rejected_petition": [0, 0, 0, 0, 0, 0, 0],
        "rejected_duplicate": [0, 0, 0, 0, 0, 0, 0],
        "rejected_publication": [0, 0, 0, 0, 0, 0, 0],
        "rejected_excessive": [0, 0, 0, 0, 0, 0, 0],
        "rejected_confirmation": [0, 0, 0, 0, 0, 0, 0],
        "other_no_correction": [0, 0, 0, 0, 0, 0, 0],
        "other_unpaid_fee": [0, 0, 0, 0, 0, 0, 0],
        "other_other": [0, 0, 0, 0, 0, 0, 0],
        "total_processed": [1, 0, 0, 0, 0, 0, 1],
        "carried_forward": [0, 0, 0, 0, 0, 0, 0],
    }
)
SEED_000_REVIEW = _review([0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0])

# --- seed 001: 北京市东城区对外联络服务办公室 2021 (附件1, title over lines, bracketed second name) ---
SEED_001_META = {
    "agency": "北京市东城区对外联络服务办公室",
    "year": 2021,
    "template": "2021",
    "published": None,
}
SEED_001_ACTIVE = SEED_000_ACTIVE  # the same all-zero table 1 (规章 0 0 0 … 行政事业性收费 0)
SEED_001_APPLICATIONS = _applications({row: list(Z) for row in APPLICATION_ROWS_2021})
SEED_001_REVIEW = _review([0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0])

# --- seed 002: 西城区政府办公室 2024 (cell-per-line, no NBSP, table 1 trailed by an empty row) ---
SEED_002_META = {
    "agency": "西城区政府办公室",
    "year": 2024,
    "template": "2021",
    "published": None,
}
SEED_002_ACTIVE = SEED_000_ACTIVE
SEED_002_APPLICATIONS = _applications({row: list(Z) for row in APPLICATION_ROWS_2021})
SEED_002_REVIEW = _review([0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0])

# --- seed 003: 北京市西城区人民政府 2020 (tab-separated, 2019 template, balance broken in 4 columns) ---
SEED_003_META = {
    "agency": "北京市西城区人民政府",
    "year": 2020,
    "template": "2019",
    "published": None,
}
SEED_003_ACTIVE = {
    "regulations": {"made": 0, "published": 0, "total_published": 0},
    "normative_documents": {"made": 24, "published": 24, "total_published": 119},
    "licensing": {"previous_year": 276, "change": -118, "decisions": 24577},
    "other_services/行政检查": {"previous_year": 436, "change": -174, "decisions": 453518},
    "other_services/行政确认": {"previous_year": 69, "change": -18, "decisions": 76723},
    "punishment": {"previous_year": 6609, "change": -751, "decisions": 21706},
    "enforcement": {"previous_year": 86, "change": 33, "decisions": 10817},
    "fees": {"previous_year": 41, "change": 20},
    "procurement": {"projects": 2012, "amount": 44899.2477},
}
SEED_003_APPLICATIONS = _applications(
    {
        "new_received": [1518, 57, 0, 0, 1, 0, 1576],
        "carried_over": [43, 2, 0, 0, 0, 0, 45],
        "granted": [311, 39, 0, 0, 0, 0, 350],
        "partially_granted": [23, 1, 0, 0, 1, 0, 25],
        "withheld_state_secret": [2, 0, 0, 0, 0, 0, 2],
        "withheld_prohibited_by_law": [44, 0, 0, 0, 0, 0, 44],
        "withheld_security_stability": [0, 0, 0, 0, 0, 0, 0],
        "withheld_third_party": [2, 0, 0, 0, 0, 0, 2],
        "withheld_internal_affairs": [3, 0, 0, 0, 0, 0, 3],
        "withheld_process_info": [6, 0, 0, 0, 0, 0, 6],
        "withheld_enforcement_file": [27, 1, 0, 0, 0, 0, 28],
        "withheld_query_matter": [7, 1, 0, 0, 0, 0, 8],
        "unavailable_not_held": [958, 4, 0, 0, 0, 0, 962],
        "unavailable_needs_creation": [9, 0, 0, 0, 0, 0, 9],
        "unavailable_unclear": [1, 0, 0, 0, 0, 0, 1],
        "rejected_petition": [42, 0, 0, 0, 0, 0, 42],
        "rejected_duplicate": [11, 0, 0, 0, 0, 0, 11],
        "rejected_publication": [0, 0, 0, 0, 0, 0, 0],
        "rejected_excessive": [1, 0, 0, 0, 0, 0, 1],
        "rejected_confirmation": [0, 0, 0, 0, 0, 0, 0],
        "other": [59, 13, 0, 0, 0, 0, 72],
        "total_processed": [1506, 59, 0, 0, 1, 0, 1566],
        "carried_forward": [2701, 79, 0, 0, 2, 0, 2782],
    }
)
SEED_003_REVIEW = _review([57, 3, 4, 5, 69], [25, 0, 1, 5, 31], [17, 0, 3, 10, 30])
SEED_003_BALANCE_ERRORS = {
    "applications.natural_person",
    "applications.commercial_enterprise",
    "applications.legal_service_org",
    "applications.total",
}

# --- seed 004: 山西省人民政府外事办公室 2021 (pipe-separated, table 2 left blank) ---
SEED_004_META = {
    "agency": "山西省人民政府外事办公室",
    "year": 2021,
    "template": "2021",
    "published": "2022-01-30",
}

# --- sample: 上海市人民政府办公厅 2019 (a real portal page; many blank cells) ---
SHANGHAI_META = {
    "agency": "上海市人民政府办公厅",
    "year": 2019,
    "template": "2019",
    "published": "2020-01-31",
}
SHANGHAI_ACTIVE = {
    "regulations": {"made": 13, "published": 13, "total_published": 524},
    "normative_documents": {"made": 60, "published": 60, "total_published": 368},
    "licensing": {"previous_year": 0, "change": 0, "decisions": 0},
    "other_services": {"previous_year": 0, "change": 0, "decisions": 0},
    "punishment": {"previous_year": 0, "change": 0, "decisions": 0},
    "enforcement": {"previous_year": 0, "change": 0, "decisions": 0},
    "fees": {"previous_year": 0, "change": 0},
    "procurement": {"projects": 6, "amount": 251000},
}
SHANGHAI_APPLICATIONS = _applications(
    {
        "new_received": [821, 35, _, _, 2, 1, 859],
        "carried_over": [18, _, _, _, _, _, 18],
        "granted": [258, 12, _, _, 1, 1, _],
        "partially_granted": [3, _, _, _, _, _, _],
        "withheld_state_secret": [14, _, _, _, _, _, _],
        "withheld_prohibited_by_law": [_, _, _, _, _, _, _],
        "withheld_security_stability": [_, _, _, _, _, _, _],
        "withheld_third_party": [_, _, _, _, _, _, _],
        "withheld_internal_affairs": [5, _, _, _, _, _, _],
        "withheld_process_info": [3, 1, _, _, _, _, _],
        "withheld_enforcement_file": [_, _, _, _, _, _, _],
        "withheld_query_matter": [10, 2, _, _, _, _, _],
        "unavailable_not_held": [252, 12, _, _, 1, _, _],
        "unavailable_needs_creation": [44, 3, _, _, _, _, _],
        "unavailable_unclear": [25, _, _, _, _, _, _],
        "rejected_petition": [148, 1, _, _, _, _, _],
        "rejected_duplicate": [5, 4, _, _, _, _, _],
        "rejected_publication": [_, _, _, _, _, _, _],
        "rejected_excessive": [_, _, _, _, _, _, _],
        "rejected_confirmation": [_, _, _, _, _, _, _],
        "other": [_, _, _, _, _, _, _],
        "total_processed": [767, 35, _, _, 2, 1, 805],
        "carried_forward": [72, _, _, _, _, _, 72],
    }
)
SHANGHAI_REVIEW = _review([5, _, _, 2, 7], [8, _, _, 1, 9], [_, _, _, _, _])

# seed -> (meta, table 1, table 2, table 3)
EXPECTED = {
    "000": (SEED_000_META, SEED_000_ACTIVE, SEED_000_APPLICATIONS, SEED_000_REVIEW),
    "001": (SEED_001_META, SEED_001_ACTIVE, SEED_001_APPLICATIONS, SEED_001_REVIEW),
    "002": (SEED_002_META, SEED_002_ACTIVE, SEED_002_APPLICATIONS, SEED_002_REVIEW),
    "003": (SEED_003_META, SEED_003_ACTIVE, SEED_003_APPLICATIONS, SEED_003_REVIEW),
}
SHANGHAI = (SHANGHAI_META, SHANGHAI_ACTIVE, SHANGHAI_APPLICATIONS, SHANGHAI_REVIEW)


def problems(findings) -> list[tuple[str, str, str]]:
    """(rule, severity, where) of every error and warning."""
    return sorted((f.rule, f.severity, f.where) for f in findings if f.severity in ("error", "warning"))


def assert_meta(report, meta: dict) -> None:
    for name, value in meta.items():
        assert getattr(report, name) == value, name


def assert_cells(actual: dict, expected: dict, part: str) -> None:
    """Cell by cell first (a readable failure), then the whole dict (no extra rows or columns)."""
    for row, cols in expected.items():
        assert row in actual, f"{part}.{row} missing"
        for col, value in cols.items():
            got = actual[row].get(col, "<absent>")
            assert got == value and type(got) is type(value), f"{part}.{row}.{col}: {got!r} != {value!r}"
    assert actual == expected, part


def assert_seed_findings(seed: str, findings) -> None:
    """The findings rules of the seeds, shared with the HTML renderings of them."""
    if seed == "003":
        assert problems(findings) == sorted(("balance", "error", w) for w in SEED_003_BALANCE_ERRORS)
    elif seed == "shanghai":  # blank cells, reported as such; no arithmetic error
        assert problems(findings) == [
            ("missing_cells", "warning", "applications"),
            ("missing_cells", "warning", "review_litigation"),
        ]
    elif seed == "004":
        found = problems(findings)
        assert ("missing_cells", "warning", "applications") in found
        assert not [f for f in found if f[0] in ("balance", "results_sum", "row_total")]
    else:
        assert problems(findings) == []


@pytest.fixture(scope="module", params=sorted(EXPECTED))
def seed(request):
    return request.param, assessed(parse_path(seed_path(request.param)).report)


def test_seed_metadata(seed):
    n, report = seed
    assert_meta(report, EXPECTED[n][0])
    assert report.tables == [1, 2, 3]


def test_seed_table1(seed):
    n, report = seed
    assert_cells(report.active_disclosure, EXPECTED[n][1], "active_disclosure")


def test_seed_table2(seed):
    n, report = seed
    expected = EXPECTED[n][2]
    rows = APPLICATION_ROWS_2021 if EXPECTED[n][0]["template"] == "2021" else APPLICATION_ROWS_2019
    assert list(expected) == list(rows)  # the expectation covers every row key of the spec
    assert_cells(report.applications, expected, "applications")
    assert report.applicant_columns == APPLICANT_COLUMNS


def test_seed_table3(seed):
    n, report = seed
    assert_cells(report.review_litigation, EXPECTED[n][3], "review_litigation")


def test_seed_findings(seed):
    n, report = seed
    assert_seed_findings(n, report.findings)


def test_seed_003_breaks_balance_in_four_columns():
    report = assessed(parse_path(seed_path("003")).report)
    balance = {f.where: f for f in report.findings if f.rule == "balance"}
    assert set(balance) == SEED_003_BALANCE_ERRORS
    assert all(f.severity == "error" for f in balance.values())
    total = balance["applications.total"]
    assert (total.lhs.value, total.rhs.value) == (1576 + 45, 1566 + 2782)
    natural = balance["applications.natural_person"]
    assert (natural.lhs.value, natural.rhs.value) == (1518 + 43, 1506 + 2701)


def test_seed_003_keeps_other_services_split():
    report = parse_path(seed_path("003")).report
    assert "other_services" not in report.active_disclosure
    assert report.active_disclosure["other_services/行政检查"]["decisions"] == 453518
    assert report.active_disclosure["other_services/行政确认"]["decisions"] == 76723
    assert isinstance(report.active_disclosure["procurement"]["amount"], float)


def test_seed_004_blank_table2_is_null_not_zero():
    report = assessed(parse_path(seed_path("004")).report)
    assert_meta(report, SEED_004_META)
    assert 2 in report.tables
    assert_seed_findings("004", report.findings)
    # Every row of the template is there, and the rows the report left blank are blank.
    assert set(APPLICATION_ROWS_2021) <= set(report.applications)
    for row in APPLICATION_ROWS_2021:
        if row in ("total_processed", "carried_forward"):
            continue  # these two print a single 0, in a column the rendering does not show
        assert all(v is None for v in report.applications[row].values()), row
    blank = next(f for f in report.findings if f.rule == "missing_cells" and f.where == "applications")
    assert "applications.new_received.total" in blank.cells
    assert_cells(report.review_litigation, _review([0] * 5, [0] * 5, [0] * 5), "review_litigation")


def test_shanghai_sample_every_cell():
    report = assessed(parse_path(SAMPLE_SHANGHAI).report)
    assert_meta(report, SHANGHAI_META)
    assert report.title == "2019年上海市人民政府办公厅政府信息公开工作年度报告"
    assert_cells(report.active_disclosure, SHANGHAI_ACTIVE, "active_disclosure")
    assert_cells(report.applications, SHANGHAI_APPLICATIONS, "applications")
    assert_cells(report.review_litigation, SHANGHAI_REVIEW, "review_litigation")
    assert report.notes.get("active_disclosure.procurement.amount") == "251000元"
    # No error; the blanks are reported, not read as zeros.
    assert [f for f in report.findings if f.severity == "error"] == []
    assert_seed_findings("shanghai", report.findings)
