"""checks.completeness (and results_sum, which shares its rows): （六）其他处理 in either template's
form. The 2021 template splits it into three sub-rows; a 2021 report that prints the one row of
the 2019 template instead (hongze-2024.pdf) has merged them, not left them blank."""

from __future__ import annotations

from checks.assess import assess_report
from common.constants import Rule
from parsers.model import APPLICANT_COLUMNS, OTHER_2021, RESULT_ROWS_2019, RESULT_ROWS_2021, Report


def table2(template: str, results: tuple[str, ...], per_row: int = 1, processed: int | None = None) -> Report:
    """A report whose table 2 has these result rows, `per_row` applications each (in the
    natural_person and total columns), and a (七)总计 that adds up unless `processed` is given."""
    total = len(results) * per_row if processed is None else processed

    def row(n: int) -> dict[str, int | float | None]:
        return {c: n if c in ("natural_person", "total") else 0 for c in APPLICANT_COLUMNS}

    apps = {"new_received": row(total), "carried_over": row(0), **{r: row(per_row) for r in results},
            "total_processed": row(total), "carried_forward": row(0)}  # fmt: skip
    return Report(agency="某区人民政府", year=2024 if template == "2021" else 2020, template=template,
                  tables=[2], applications=apps, result_rows=list(results))  # fmt: skip


def rules(report: Report) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in assess_report(report):
        if f.rule in (Rule.MISSING_CELLS, Rule.RESULTS_SUM):
            out.setdefault(f.rule, []).append(f.severity)
    return out


def test_a_2021_report_with_the_lone_other_row_is_whole_and_adds_up() -> None:
    assert rules(table2("2021", RESULT_ROWS_2019)) == {}
    # the lone row counts in the sum: a (七)总计 that disagrees is found
    assert rules(table2("2021", RESULT_ROWS_2019, processed=99)) == {Rule.RESULTS_SUM: ["error", "error"]}


def test_either_form_is_whole_in_either_template() -> None:
    for template in ("2019", "2021"):
        for results in (RESULT_ROWS_2019, RESULT_ROWS_2021):
            assert rules(table2(template, results)) == {}, (template, results)


def test_a_sub_row_left_out_is_still_missing() -> None:
    """Two of the three sub-rows: the split form, one row short (not the lone row's form)."""
    report = table2("2021", tuple(r for r in RESULT_ROWS_2021 if r != "other_unpaid_fee"))
    (blank,) = [f for f in assess_report(report) if f.rule == Rule.MISSING_CELLS]
    assert {c.split(".")[1] for c in blank.cells} == {"other_unpaid_fee"}
    results = [f for f in assess_report(report) if f.rule == Rule.RESULTS_SUM]
    assert [f.severity for f in results] == ["info"]  # not evaluated, for want of the row


def test_no_other_row_at_all_is_missing_in_the_templates_form() -> None:
    without = tuple(r for r in RESULT_ROWS_2021 if r not in OTHER_2021)
    for template, want in (("2021", set(OTHER_2021)), ("2019", {"other"})):
        (blank,) = [f for f in assess_report(table2(template, without)) if f.rule == Rule.MISSING_CELLS]
        assert {c.split(".")[1] for c in blank.cells} == want
