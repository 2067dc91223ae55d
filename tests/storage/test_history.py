"""History checks over the store: carry_continuity and in_force_continuity against the stored
report of year N-1 (whatever order the years arrive in), and missing_report."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pytest

from checks.assess import JUDGE
from checks.dates import missing_report
from storage.store import Store
from tests.storage.conftest import ingest, open_findings
from tests.storage.series import AGENCY, SEEDS

CARRY = {
    (2022, "carry_continuity", "applications.carried_over.natural_person", "error"),
    (2022, "carry_continuity", "applications.carried_over.total", "error"),
}
IN_FORCE = {(2023, "in_force_continuity", "active_disclosure.regulations.in_force", "warning")}


def status(store: Store, year: int) -> str:
    return store.db.execute("select status from reports where year = ?", [year]).fetchone()[0]


def finding_ids(store: Store, rule: str) -> list[int]:
    return [r[0] for r in store.db.execute("select id from findings where rule = ? order by id", [rule])]


def test_three_years_carry_and_in_force_continuity(store: Store, series: dict[str, Path]) -> None:
    for name in ("2021", "2022", "2023"):
        ingest(store, series[name], site="demo")
    assert open_findings(store) == CARRY | IN_FORCE
    assert [status(store, y) for y in (2021, 2022, 2023)] == ["ok", "error", "ok"]
    carry = store.db.execute(
        "select message, lhs, rhs, cells from findings where where_ = 'applications.carried_over.total'"
    ).fetchone()
    assert carry[0] == "二、上年结转 (2022) = 1 but 四、结转下年度 (2021) = 2"
    assert '"value": 1' in carry[1] and '"value": 2' in carry[2]
    assert "previous.applications.carried_forward.total" in carry[3]
    in_force = store.db.execute("select message from findings where rule = 'in_force_continuity'").fetchone()[0]
    assert in_force == "现行有效 (2023) = 7 but 现行有效 (2022) + 制发 − 废止 = 6"
    # normative documents: 10 + 2 - 1 = 11 in 2022, 11 + 0 - 0 = 11 in 2023: no finding


def test_a_corrected_version_resolves_the_finding(store: Store, series: dict[str, Path]) -> None:
    for name in ("2021", "2022", "2023"):
        ingest(store, series[name], site="demo")
    carry_ids = finding_ids(store, "carry_continuity")
    fixed = ingest(store, series["fixed_2022"], site="demo")
    assert fixed.status == "changed"
    assert sorted(fixed.resolved_findings) == carry_ids
    assert fixed.new_findings == []
    resolved = store.db.execute(
        "select count(*) from findings where rule = 'carry_continuity' and resolved_at is not null"
    )
    assert resolved.fetchone()[0] == 2
    assert open_findings(store) == IN_FORCE
    assert status(store, 2022) == "ok"
    # 2023 was checked again against the corrected 2022 (its carried_over 0 = 2022's carried_forward 0)
    assert len(fixed.rechecked) == 1
    fixed_2023 = ingest(store, series["fixed_2023"], site="demo")
    assert fixed_2023.resolved_findings == finding_ids(store, "in_force_continuity")
    assert open_findings(store) == set()
    # the first text again is not a new version (it is known), so nothing changes...
    assert ingest(store, series["2023"], site="demo").status == "unchanged"
    assert open_findings(store) == set()
    # ...but a third text that breaks the rule again reopens the same finding (same fingerprint)
    third = series["2023"].with_name("2023-third.txt")
    third.write_text(series["2023"].read_text(encoding="utf-8") + "\n（本报告已更新）\n", encoding="utf-8")
    reopened = ingest(store, third, site="demo")
    assert reopened.status == "changed" and reopened.new_findings == finding_ids(store, "in_force_continuity")
    assert open_findings(store) == IN_FORCE
    assert len(finding_ids(store, "in_force_continuity")) == 1


def test_correcting_year_n_minus_1_resolves_year_n(store: Store, series: dict[str, Path]) -> None:
    """2022 said it carried over 1 where 2021 said 2; 2021 corrects itself to 1."""
    ingest(store, series["2021"], site="demo")
    broken = ingest(store, series["2022"], site="demo")
    assert open_findings(store) == CARRY
    fixed = ingest(store, series["fixed_2021"], site="demo")
    assert fixed.status == "changed" and fixed.rechecked == [broken.report_id]
    assert sorted(fixed.resolved_findings) == finding_ids(store, "carry_continuity")
    assert open_findings(store) == set()
    assert status(store, 2022) == "ok"


@pytest.mark.parametrize("order", list(itertools.permutations(("2021", "2022", "2023"))))
def test_the_order_years_arrive_in_does_not_matter(tmp_path: Path, series: dict[str, Path], order) -> None:
    store = Store(tmp_path / f"{'-'.join(order)}.db")
    saved = {name: ingest(store, series[name], site="demo") for name in order}
    assert open_findings(store) == CARRY | IN_FORCE, order
    assert [status(store, y) for y in (2021, 2022, 2023)] == ["ok", "error", "ok"]
    messages = {r[0] for r in store.db.execute("select message from findings")}
    assert "二、上年结转 (2022) = 1 but 四、结转下年度 (2021) = 2" in messages
    if order.index("2022") < order.index("2021"):  # 2022 was checked again when 2021 arrived
        assert saved["2021"].rechecked == [saved["2022"].report_id]
        assert len(saved["2021"].new_findings) == 2
    ingest(store, series["fixed_2022"], site="demo")
    assert open_findings(store) == IN_FORCE
    store.close()


def test_year_n_minus_1_on_another_site_counts(store: Store, series: dict[str, Path]) -> None:
    ingest(store, series["2021"], site="city")
    ingest(store, series["2022"], site="district")
    assert open_findings(store) == CARRY


def test_reports_of_other_agencies_are_not_compared(store: Store, series: dict[str, Path], tmp_path: Path) -> None:
    from tests.storage.series import write_series

    other = write_series(tmp_path / "other", ("2022",), agency="北京市西城区人民政府外事办公室机关党委")
    ingest(store, series["2021"], site="demo")
    ingest(store, other["2022"], site="demo")
    assert open_findings(store) == set()


# --- missing_report ---------------------------------------------------------------------------


def test_missing_report_once_due_then_resolved_when_it_arrives(store: Store, series: dict[str, Path]) -> None:
    for name in ("2021", "2022", "2023"):
        ingest(store, series[name], site="demo")
    # a department's 2024 report is due by 31 January 2025
    assert store.check_missing_reports(date(2025, 1, 31), JUDGE).new == []
    sweep = store.check_missing_reports(date(2025, 2, 1), JUDGE)
    assert len(sweep.new) == 1 and sweep.still_open == [] and sweep.resolved == []
    row = store.db.execute(
        "select f.report_id, r.year, f.rule, f.severity, f.where_, f.fingerprint, f.message, f.resolved_at "
        "from findings f join reports r on r.id = f.report_id where f.id = ?",
        sweep.new,
    ).fetchone()
    expected = missing_report(AGENCY, 2023, date(2025, 2, 1))
    assert row[1:] == (2023, "missing_report", "error", "report", expected.fingerprint, expected.message, None)
    assert status(store, 2023) == "ok"  # the 2023 report itself is fine
    assert [f["rule"] for f in store.findings.open(severity="error") if f["year"] == 2023] == ["missing_report"]
    # running it again finds the same finding, it does not add another
    again = store.check_missing_reports(date(2025, 3, 1), JUDGE)
    assert again.new == [] and again.still_open == sweep.new
    assert len(finding_ids(store, "missing_report")) == 1
    # a new version of the 2023 report does not answer it
    ingest(store, series["fixed_2023"], site="demo")
    assert store.db.execute("select resolved_at from findings where id = ?", sweep.new).fetchone()[0] is None
    # the 2024 report does
    arrived = ingest(store, series["2024"], site="demo")
    assert sweep.new[0] in arrived.resolved_findings
    assert store.db.execute("select resolved_at from findings where id = ?", sweep.new).fetchone()[0] is not None
    assert store.check_missing_reports(date(2025, 3, 1), JUDGE).new == []  # 2025 is not due yet
    later = store.check_missing_reports(date(2026, 2, 1), JUDGE)
    assert len(later.new) == 1
    year = store.db.execute(
        "select r.year from findings f join reports r on r.id = f.report_id where f.id = ?", later.new
    )
    assert year.fetchone()[0] == 2024


def test_missing_report_of_a_peoples_government_is_due_31_march(store: Store) -> None:
    ingest(store, SEEDS / "003_42b2e6b1a7d7c7c9.txt")  # 北京市西城区人民政府, 2020
    assert store.check_missing_reports(date(2022, 3, 31), JUDGE).new == []  # its 2021 report: due 31 March 2022
    assert len(store.check_missing_reports(date(2022, 4, 1), JUDGE).new) == 1


def test_missing_report_found_elsewhere_is_resolved_by_the_sweep(store: Store, series: dict[str, Path]) -> None:
    """A 2024 report that save_report did not match to the finding (stored by an older nianbao,
    say) is still seen by the next sweep."""
    ingest(store, series["2023"], site="demo")
    sweep = store.check_missing_reports(date(2025, 2, 1), JUDGE)
    assert len(sweep.new) == 1
    with store.db.conn:
        store.db.conn.execute("insert into sites (name) values ('other')")
        store.db.conn.execute(
            "insert into reports (site, report_key, agency, year, status) values ('other', ?, ?, 2024, 'ok')",
            [f"{AGENCY}|2024", AGENCY],
        )
    resolved = store.check_missing_reports(date(2025, 2, 1), JUDGE)
    assert resolved.resolved == sweep.new and resolved.new == [] and resolved.still_open == []


def test_a_report_published_as_a_file_only_is_not_missing(store: Store, series: dict[str, Path]) -> None:
    for name in ("2021", "2022", "2023"):
        ingest(store, series[name], site="demo")
    open_before = store.check_missing_reports(date(2025, 2, 1), JUDGE).new  # the 2024 report is due, not seen
    assert len(open_before) == 1
    # The 2024 report turns up as scanned pages and a PDF: no report row, but published.
    store.pages.record("https://demo.example/2024.html", "demo", status="attachment_only", agency=AGENCY, year=2024,
                      error="no report text on the page: published as images or an attachment only?")  # fmt: skip
    sweep = store.check_missing_reports(date(2025, 3, 1), JUDGE)
    assert sweep.new == [] and sweep.resolved == open_before
    assert store.check_missing_reports(date(2025, 3, 2), JUDGE).new == []  # and it is not raised again
