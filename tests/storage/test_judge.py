"""Storage asks the rules through its Judge, inside the report's transaction, and stores what the
judge says: shown here with a judge that records what it is asked and answers what it is told."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from pathlib import Path

import pytest

from parsers.model import Finding, Report, fingerprint, report_key
from storage.store import Store
from tests.storage.conftest import ingest
from tests.storage.series import AGENCY

ROOT = Path(__file__).resolve().parents[2]


class Recorder:
    """A Judge: no rule, only what the test wants it to say."""

    history_rules = ("history",)
    monitor_rules = ("monitor",)
    copy_rules = ("copy",)

    def __init__(self) -> None:
        self.asked: list[tuple] = []
        self.history_says: list[Finding] = []
        self.missing_says: dict[str, Finding] = {}
        self.answers: list[int] | None = None

    def history(self, report: Report, previous: Report) -> list[Finding]:
        self.asked.append(("history", report.year, previous.year))
        return [Finding("history", f.severity, f.where, f.message, fingerprint=f"{report.year}{f.fingerprint}")
                for f in self.history_says]  # fmt: skip

    def copies(self, report: Report, home: str, copies: Mapping[str, tuple[str, Report]]) -> list[Finding]:
        self.asked.append(("copies", report.year, home, sorted(copies)))
        return []

    def answered_by(self, report: Report) -> list[str]:
        self.asked.append(("answered_by", report.year))
        return [fingerprint(report_key(report), "monitor", "report")]

    def missing(
        self, latest: Mapping[str, tuple[str, int]], published: Mapping[str, Collection[int]], today: date
    ) -> dict[str, Finding]:
        self.asked.append(("missing", dict(latest), {k: set(v) for k, v in published.items()}, today))
        return self.missing_says

    def answered(self, open_findings: Mapping[int, str], published: Mapping[str, Collection[int]]) -> list[int]:
        self.asked.append(("answered", dict(open_findings)))
        return list(open_findings) if self.answers is None else self.answers


def report(year: int, agency: str = AGENCY) -> Report:
    return Report(title=f"{agency}{year}年政府信息公开工作年度报告", agency=agency, year=year)


def save(store: Store, judge: Recorder, year: int, text: str = "") -> object:
    r = report(year)
    return store.save_report("demo", f"https://demo/{year}.html", r, [r.title, text], judge=judge)


def open_rules(store: Store, year: int) -> list[tuple[str, str]]:
    return store.db.execute(
        "select f.rule, f.severity from findings f join reports r on r.id = f.report_id "
        "where r.year = ? and f.resolved_at is null order by f.id",
        [year],
    ).fetchall()


def test_save_report_asks_the_judge_about_year_n_minus_1_and_stores_its_answer(store: Store) -> None:
    judge = Recorder()
    save(store, judge, 2021)
    assert ("history", 2021, 2020) not in judge.asked  # no 2020 stored: nothing to ask
    judge.history_says = [Finding("history", "error", "x", "carried over the wrong number", fingerprint="a")]
    saved = save(store, judge, 2022)
    assert ("history", 2022, 2021) in judge.asked
    assert open_rules(store, 2022) == [("history", "error")] and len(saved.new_findings) == 1
    status = "select status from reports where year = ?"
    assert store.db.execute(status, [2022]).fetchone()[0] == "error"  # an error the judge found makes it so


def test_year_n_arriving_after_n_plus_1_has_n_plus_1_judged_again(store: Store) -> None:
    judge = Recorder()
    save(store, judge, 2022)
    judge.history_says = [Finding("history", "error", "x", "wrong", fingerprint="a")]
    saved = save(store, judge, 2021)
    assert ("history", 2022, 2021) in judge.asked  # 2022 against the 2021 just stored
    assert saved.rechecked == [1] and open_rules(store, 2022) == [("history", "error")]
    judge.history_says = []  # a corrected 2021: 2022 is fine again, only the judge's rules are redone
    fixed = save(store, judge, 2021, text="corrected")
    assert fixed.status == "changed" and fixed.resolved_findings and open_rules(store, 2022) == []
    assert store.db.execute("select status from reports where year = 2022").fetchone()[0] == "ok"


def test_the_sweep_hands_the_judge_what_was_published_and_stores_its_findings(store: Store) -> None:
    judge = Recorder()
    save(store, judge, 2022)
    save(store, judge, 2023)
    # An older year published as a file only: published, and the newest publication is still the 2023 report
    # (a newer one as a file only would be N: tests/storage/test_missing_files_only.py).
    store.pages.record("https://demo/2021.html", "demo", status="attachment_only", agency=AGENCY, year=2021)
    akey = report_key(report(2023)).rsplit("|", 1)[0]
    missing = Finding("monitor", "error", "report", "no 2024 report", fingerprint="m2024")
    judge.missing_says = {akey: missing}
    judge.answers = []
    sweep = store.check_missing_reports(date(2025, 2, 1), judge)
    (asked,) = [a for a in judge.asked if a[0] == "missing"]
    assert asked[1:] == ({akey: (AGENCY, 2023)}, {akey: {2021, 2022, 2023}}, date(2025, 2, 1))
    assert len(sweep.new) == 1 and open_rules(store, 2023) == [("monitor", "error")]
    assert store.db.execute("select status from reports where year = 2023").fetchone()[0] == "ok"
    # Asked again, the same finding (fingerprint) is still open, not another one.
    again = store.check_missing_reports(date(2025, 3, 1), judge)
    assert again.new == [] and again.still_open == sweep.new
    # Whatever the judge says a published report answers is resolved.
    judge.answers = None
    done = store.check_missing_reports(date(2025, 3, 1), judge)
    assert done.resolved == sweep.new and done.still_open == [] and open_rules(store, 2023) == []


def test_a_stored_report_resolves_what_the_judge_says_it_answers(store: Store) -> None:
    judge = Recorder()
    save(store, judge, 2023)
    akey = report_key(report(2023)).rsplit("|", 1)[0]
    judge.missing_says = {akey: Finding("monitor", "error", "report", "no 2024 report",
                                        fingerprint=fingerprint(report_key(report(2024)), "monitor", "report"))}  # fmt: skip
    judge.answers = []
    (opened,) = store.check_missing_reports(date(2025, 2, 1), judge).new
    arrived = save(store, judge, 2024)
    assert ("answered_by", 2024) in judge.asked and opened in arrived.resolved_findings
    assert open_rules(store, 2023) == []


def test_a_judge_that_fails_leaves_nothing_written(store: Store) -> None:
    judge = Recorder()
    save(store, judge, 2021)

    def broken(report: Report, previous: Report) -> list[Finding]:
        raise RuntimeError("the judge is out")

    judge.history = broken  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="the judge is out"):
        save(store, judge, 2022)
    assert store.db.execute("select count(*) from reports").fetchone()[0] == 1


def test_the_real_judge_through_ingest(store: Store, series: dict[str, Path]) -> None:
    """What conftest.ingest hands the store: checks.assess.JUDGE."""
    ingest(store, series["2021"], site="demo")
    ingest(store, series["2022"], site="demo")
    assert {r[0] for r in store.db.execute("select rule from findings")} == {"carry_continuity"}
