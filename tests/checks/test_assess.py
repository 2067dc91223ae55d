"""checks.assess, called directly: the one module that decides every finding of a report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from checks.assess import (
    HISTORY_RULES,
    JUDGE,
    MONITOR_RULES,
    answered,
    answered_by,
    assess_history,
    assess_report,
    assessed,
    missing_reports,
)
from checks.dates import missing_report
from common.constants import Rule, Severity
from parsers.load import parse_path
from parsers.model import Report, fingerprint, key_of, rekey, report_key, split_key
from storage.judge import Judge

ROOT = Path(__file__).resolve().parents[2]
SEED_003 = ROOT / "tests" / "fixtures" / "seeds" / "003_42b2e6b1a7d7c7c9.txt"  # 北京市西城区人民政府 2020
AGENCY = "北京市西城区人民政府外事办公室"


def test_parsing_decides_no_finding_assessing_does() -> None:
    report = parse_path(SEED_003).report
    assert report.findings == []
    findings = assess_report(report)
    assert [f.rule for f in findings if f.severity == Severity.ERROR] == [Rule.BALANCE] * 4
    assert assessed(report) is report and report.findings == findings


def test_url_year_mismatch_comes_last_and_only_with_another_year() -> None:
    report = parse_path(SEED_003).report
    plain = assess_report(report)
    assert assess_report(report, url_year=2020) == plain
    *same, filed = assess_report(report, url_year=2021)
    assert same == plain
    assert (filed.rule, filed.severity, filed.where) == (Rule.URL_YEAR_MISMATCH, Severity.WARNING, "year")


def continuity_pair(carried_over: int) -> tuple[Report, Report]:
    def year(n: int, carried: int, forward: int) -> Report:
        apps = {"carried_over": {"total": carried}, "carried_forward": {"total": forward}}
        return Report(agency=AGENCY, year=n, template="2019", tables=[2], applications=apps,
                      applicant_columns=("total",))  # fmt: skip

    return year(2022, carried_over, 0), year(2021, 0, 2)


def test_history_rules_against_year_n_minus_1() -> None:
    report, previous = continuity_pair(carried_over=1)
    (carry,) = assess_history(report, previous)
    assert (carry.rule, carry.severity, carry.where) == (
        Rule.CARRY_CONTINUITY,
        Severity.ERROR,
        "applications.carried_over.total",
    )
    assert carry.message == "二、上年结转 (2022) = 1 but 四、结转下年度 (2021) = 2"
    assert assess_history(*continuity_pair(carried_over=2)) == []
    # assess_report with the previous year: the parse-time rules and the history rules together
    assert carry in assess_report(report, previous=previous)
    assert {f.rule for f in assess_history(report, previous)} <= set(HISTORY_RULES)


def test_missing_report_is_due_after_its_deadline_unless_published() -> None:
    latest = {key_of(AGENCY, 2023).split("|")[0]: (AGENCY, 2023)}
    (akey,) = latest
    assert missing_reports(latest, {akey: {2023}}, date(2025, 1, 31)) == {}  # due by 31 January 2025
    found = missing_reports(latest, {akey: {2023}}, date(2025, 2, 1))
    assert found == {akey: missing_report(AGENCY, 2023, date(2025, 2, 1))}
    assert found[akey].rule == Rule.MISSING_REPORT and found[akey].rule in MONITOR_RULES
    assert missing_reports(latest, {akey: {2023, 2024}}, date(2025, 2, 1)) == {}  # 2024 published as a file only
    government = {"北京市西城区人民政府": ("北京市西城区人民政府", 2020)}
    assert missing_reports(government, {}, date(2022, 3, 31)) == {}  # its 2021 report: due 31 March 2022
    assert len(missing_reports(government, {}, date(2022, 4, 1))) == 1


def test_what_a_published_report_answers() -> None:
    finding = missing_report(AGENCY, 2023, date(2025, 2, 1))
    arrived = Report(agency=AGENCY, year=2024)
    assert answered_by(arrived) == [finding.fingerprint]
    assert answered_by(Report(agency=AGENCY)) == [] and answered_by(Report(year=2024)) == []
    akey = split_key(key_of(AGENCY, 2023))[0]
    open_findings = {7: key_of(AGENCY, 2023), 8: key_of(AGENCY, 2022), 9: "url:https://x/1.html"}
    assert answered(open_findings, {akey: {2024}}) == [7]
    assert answered(open_findings, {akey: {2023, 2024}}) == [7, 8]
    assert answered(open_findings, {}) == []


def test_identity_lives_with_the_model() -> None:
    report = Report(agency=" 北京市西城区人民政府（外事办公室）", year=2021)
    assert (
        report_key(report)
        == key_of("北京市西城区人民政府(外事办公室)", 2021)
        == "北京市西城区人民政府(外事办公室)|2021"
    )
    assert split_key("a|2021") == ("a", 2021) and split_key("url:https://x/1.html") == ("url:https://x/1.html", None)
    # A "not evaluated" note and a finding of the same rule at the same place are two findings.
    blank = Report(agency="某区人民政府", year=2022, template="2021", tables=[2])
    blank.applications = {"new_received": {"total": None}, "carried_over": {"total": 3}}
    note = next(f for f in assess_report(blank) if f.rule == Rule.BALANCE)
    assert note.severity == Severity.INFO
    assert note.fingerprint == fingerprint(report_key(blank), Rule.BALANCE, "applications", Severity.INFO)
    assert note.fingerprint != fingerprint(report_key(blank), Rule.BALANCE, "applications")
    (moved,) = rekey([note], "url:https://x/1.html")
    assert moved.fingerprint == fingerprint("url:https://x/1.html", Rule.BALANCE, "applications", Severity.INFO)


def test_judge_is_what_storage_asks() -> None:
    judge: Judge = JUDGE  # the protocol storage calls
    assert set(judge.history_rules) == {Rule.CARRY_CONTINUITY, Rule.IN_FORCE_CONTINUITY}
    assert list(judge.monitor_rules) == [Rule.MISSING_REPORT]
    report, previous = continuity_pair(carried_over=1)
    assert judge.history(report, previous) == assess_history(report, previous)
    for name in ("history", "answered_by", "missing", "answered"):
        assert callable(getattr(judge, name)), name
