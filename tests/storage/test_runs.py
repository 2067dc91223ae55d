"""The store's parts, called directly: crawl runs (what crawler/run.py and crawler/scheduler.py
read and write through them), pages, findings and reports."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from common.constants import PageStatus, RunStatus
from storage.runs import Run
from storage.store import Store
from tests.storage.conftest import ingest
from tests.storage.series import AGENCY


def test_a_run_from_start_to_finish(store: Store) -> None:
    assert store.runs.last("xicheng") is None and store.runs.get(1) is None
    run_id = store.runs.start("xicheng")
    run = store.runs.get(run_id)
    assert isinstance(run, Run) and (run.site, run.status, run.finished, run.counts, run.errors) == (
        "xicheng", RunStatus.RUNNING, None, {}, []
    )  # fmt: skip
    assert run.owner
    store.finish_run(run_id, RunStatus.OK, {"new": 3}, ["one page failed"])
    last = store.runs.last("xicheng")
    assert (last.id, last.status, last.counts, last.errors) == (run_id, "ok", {"new": 3}, ["one page failed"])
    assert last.finished and store.runs.last_success("xicheng") == last.finished
    assert store.runs.first_started("xicheng") == run.started
    assert store.runs.last("dongcheng") is None and store.runs.last_success("dongcheng") is None


def test_a_streak_of_failures_since_the_last_success(store: Store) -> None:
    def run(status: str) -> int:
        run_id = store.runs.start("xicheng")
        store.finish_run(run_id, status, {}, [status])
        return run_id

    ok = run(RunStatus.OK)
    failed = [run(RunStatus.FAILED) for _ in range(3)]
    other = store.runs.start("dongcheng")
    store.finish_run(other, RunStatus.FAILED, {}, [])
    assert store.runs.last_not_failed("xicheng") == ok and store.runs.last_not_failed("dongcheng") == 0
    streak = store.runs.failed_since("xicheng", ok)
    assert [r.id for r in streak] == failed[::-1] and all(r.errors == ["failed"] for r in streak)
    assert store.runs.failed_since("xicheng", run(RunStatus.OK)) == []


def test_a_timed_out_run_is_failed_whatever_it_said(store: Store) -> None:
    run_id = store.runs.start("xicheng")
    store.finish_run(run_id, RunStatus.OK, {}, ["one page failed"])
    since = store.runs.get(run_id).started
    run = store.runs.fail_latest("xicheng", since, "crawl exceeded its time limit of 60 s")
    assert (run.id, run.status, run.errors) == (
        run_id,
        "failed",
        ["crawl exceeded its time limit of 60 s", "one page failed"],
    )
    assert store.runs.fail_latest("xicheng", "2999-01-01T00:00:00+00:00", "late") is None
    assert store.runs.fail_latest("beijing", since, "no run") is None


def test_next_runs_read_the_schedulers_job_store(store: Store) -> None:
    assert store.runs.next_runs() == {}
    with store.db.conn:
        store.db.execute("create table apscheduler_jobs (id text primary key, next_run_time real, job_state blob)")
        store.db.execute(
            "insert into apscheduler_jobs values ('crawl:xicheng', 1700000000.5, x''), ('watchdog', null, x'')"
        )
    assert store.runs.next_runs() == {"crawl:xicheng": 1700000000.5, "watchdog": None}


def test_pages_findings_and_reports_parts(store: Store, series: dict[str, Path]) -> None:
    store.pages.record("https://demo/2024.html", "demo", status=PageStatus.ATTACHMENT_ONLY, agency=AGENCY, year=2024)
    assert [(a, y) for a, y, _ in store.pages.published_as_files()] == [(AGENCY, 2024)]
    assert store.pages.stored("demo") == {}
    ingest(store, series["2021"], site="demo", url="https://demo/2021.html", page={"etag": '"e"'})
    ingest(store, series["2022"], site="demo")
    assert list(store.pages.stored("demo")) == ["https://demo/2021.html"]
    assert [r["year"] for r in store.reports.current("demo")] == [2021, 2022]
    assert store.reports.current("demo", 2022)[0]["report_json"].startswith("{")
    pending = store.findings.pending("demo")
    assert [f["rule"] for f in pending] == ["carry_continuity"] * 2 == [f["rule"] for f in store.findings.open("demo")]
    assert store.findings.fixed("demo") == []
    assert store.findings.acknowledge(pending[0]["fingerprint"]) == 1
    assert len(store.findings.pending("demo")) == 1 and store.findings.acknowledge("nothing") == 0


def test_the_store_compresses_the_raw_page(store: Store, series: dict[str, Path]) -> None:
    import zlib

    ingest(store, series["2021"], site="demo")
    (raw,) = store.db.execute("select raw from versions").fetchone()
    assert zlib.decompress(raw) == series["2021"].read_bytes()


def test_the_store_keeps_db_and_path(tmp_path: Path) -> None:
    with Store(tmp_path / "x.db") as store:
        assert store.path == tmp_path / "x.db" and store.db.execute("select 1").fetchone() == (1,)
    assert sqlite3.connect(tmp_path / "x.db").execute("select count(*) from crawl_runs").fetchone() == (0,)
