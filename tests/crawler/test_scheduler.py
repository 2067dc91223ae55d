"""`crawl schedule` as a real foreground process: runs, no overlap, restart, missed runs, SIGTERM."""

from __future__ import annotations

import contextlib
import json
import pickle
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# The scheduled child: logs its start and end, then sleeps. It stands in for a crawl so the
# timings are exact; the crawl itself is tested end to end elsewhere.
CHILD = (
    "import sys, time\n"
    "log = sys.argv[1]\n"
    "open(log, 'a').write(f'start {time.time()}\\n')\n"
    "time.sleep(float(sys.argv[2]))\n"
    "open(log, 'a').write(f'end {time.time()}\\n')\n"
)


def write_config(tmp_path: Path, interval: float, sleep: float, command: list[str] | None = None) -> Path:
    log = tmp_path / "runs.log"
    command = command or [sys.executable, "-c", CHILD, str(log), str(sleep)]
    text = f"""
[storage]
path = "nianbao.db"
[schedule]
interval_seconds = {interval}
command = {json.dumps(command)}
watchdog_seconds = 3600
misfire_grace_seconds = 3600
[alerts]
outbox = "outbox"
[sites.xicheng]
start_urls = ["http://127.0.0.1:1/"]
allowed_domains = ["127.0.0.1"]
"""
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def start(config: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "schedule", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(proc: subprocess.Popen) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    return proc.returncode, out


def runs(tmp_path: Path) -> list[tuple[float, float | None]]:
    log = tmp_path / "runs.log"
    if not log.exists():
        return []
    pairs: list[list[float | None]] = []
    for line in log.read_text().splitlines():
        kind, ts = line.split()
        if kind == "start":
            pairs.append([float(ts), None])
        else:
            pairs[-1][1] = float(ts)
    return [(a, b) for a, b in pairs]


def next_run(db: Path) -> float:
    with sqlite3.connect(db) as conn:
        return conn.execute("select next_run_time from apscheduler_jobs where id = 'crawl:xicheng'").fetchone()[0]


def set_next_run(db: Path, when: datetime) -> None:
    """The job store keeps the next run time twice (a column to query, and inside the pickled
    job): move both, as a machine that was down would find them."""
    with sqlite3.connect(db) as conn:
        (blob,) = conn.execute("select job_state from apscheduler_jobs where id = 'crawl:xicheng'").fetchone()
        state = pickle.loads(blob)
        state["next_run_time"] = when
        conn.execute(
            "update apscheduler_jobs set next_run_time = ?, job_state = ? where id = 'crawl:xicheng'",
            [when.timestamp(), pickle.dumps(state)],
        )


def wait_for(predicate, timeout: float = 20) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_two_runs_without_overlap_and_a_clean_sigterm(tmp_path):
    # Each run outlasts the 1 s interval: runs must follow one another, never overlap.
    config = write_config(tmp_path, interval=1, sleep=1.6)
    proc = start(config)
    try:
        wait_for(lambda: len(runs(tmp_path)) >= 2 and runs(tmp_path)[1][1] is not None)
    finally:
        code, out = stop(proc)
    done = runs(tmp_path)
    assert len(done) >= 2
    for (_, e1), (s2, _) in zip(done, done[1:]):
        assert e1 is not None and s2 >= e1, f"overlap: {done}"
    assert done[-1][1] is not None, "SIGTERM must let the running crawl finish"
    assert code == 0, out
    assert "Traceback" not in out


def test_restart_keeps_the_job_store(tmp_path):
    config = write_config(tmp_path, interval=3600, sleep=0)
    proc = start(config)
    db = tmp_path / "nianbao.db"
    wait_for(lambda: db.exists() and _has_job(db))
    stored = next_run(db)
    stop(proc)
    proc = start(config)
    try:
        time.sleep(2)
        assert next_run(db) == stored  # not rescheduled from scratch
    finally:
        stop(proc)
    assert runs(tmp_path) == []


def test_a_missed_run_runs_once(tmp_path):
    config = write_config(tmp_path, interval=60, sleep=0)
    proc = start(config)
    db = tmp_path / "nianbao.db"
    wait_for(lambda: db.exists() and _has_job(db))
    stop(proc)
    # The machine was down for five intervals: five runs were missed.
    set_next_run(db, datetime.now(UTC) - timedelta(seconds=300))
    proc = start(config)
    try:
        wait_for(lambda: len(runs(tmp_path)) >= 1)
        time.sleep(3)
    finally:
        stop(proc)
    assert len(runs(tmp_path)) == 1
    assert next_run(db) > time.time() + 30  # back on its 60 s cadence


def test_status_shows_next_run_and_last_result(tmp_path):
    config = write_config(tmp_path, interval=3600, sleep=0)
    proc = start(config)
    wait_for(lambda: (tmp_path / "nianbao.db").exists() and _has_job(tmp_path / "nianbao.db"))
    stop(proc)
    out = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "status", "--config", str(config)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("xicheng")
    assert "next run 20" in out.stdout and "never crawled" in out.stdout


def _has_job(db: Path) -> bool:
    try:
        with sqlite3.connect(db) as conn:
            return bool(conn.execute("select count(*) from apscheduler_jobs").fetchone()[0])
    except sqlite3.OperationalError:
        return False


def start_due_with_time_limit(tmp_path: Path, **config: object) -> tuple[subprocess.Popen, Path]:
    """A scheduler whose crawls may run 1 s, started with the site's job due now."""
    path = write_config(tmp_path, interval=3600, **config)
    path.write_text(
        path.read_text(encoding="utf-8").replace("[schedule]", "[schedule]\ncrawl_timeout = 1"), encoding="utf-8"
    )
    db = tmp_path / "nianbao.db"
    proc = start(path)
    wait_for(lambda: db.exists() and _has_job(db))
    stop(proc)
    set_next_run(db, datetime.now(UTC) - timedelta(seconds=1))  # due now
    return start(path), db


def test_a_crawl_over_its_time_limit_is_stopped(tmp_path):
    proc, db = start_due_with_time_limit(tmp_path, sleep=60)
    try:
        wait_for(lambda: len(runs(tmp_path)) == 1)
        started = runs(tmp_path)[0][0]
        time.sleep(4)
    finally:
        code, out = stop(proc)
    assert runs(tmp_path) == [(started, None)]  # it never got to its end: it was stopped
    assert "crawl ended with status" in out


# A child that records a crawl run as the real crawl does and, stopped by SIGINT, closes it
# normally ('ok'), as Scrapy does when it is asked to stop.
CHILD_RUN = (
    "import signal, sys, time\n"
    "from storage.store import Store\n"
    "site, db = sys.argv[-2], sys.argv[-1]\n"
    "store = Store(db)\n"
    "run = store.runs.start(site)\n"
    "stopped = []\n"
    "signal.signal(signal.SIGINT, lambda *a: stopped.append(1))\n"
    "end = time.time() + 30\n"
    "while not stopped and time.time() < end:\n"
    "    time.sleep(0.05)\n"
    "store.finish_run(run, 'ok', {'pages_fetched': 3}, ['one page failed'])\n"
    "store.close()\n"
)


def test_a_crawl_stopped_at_its_time_limit_is_recorded_as_failed(tmp_path):
    proc, db = start_due_with_time_limit(tmp_path, sleep=0, command=[sys.executable, "-c", CHILD_RUN])
    try:
        with contextlib.suppress(AssertionError):  # before the fix it stayed 'ok': the asserts below say so
            wait_for(lambda: _crawl_runs(db, "failed"), timeout=20)
    finally:
        code, out = stop(proc)
    (run,) = _crawl_runs(db)
    assert run["status"] == "failed", out
    assert json.loads(run["errors"]) == ["crawl exceeded its time limit of 1 s", "one page failed"]
    assert json.loads(run["counts"]) == {"pages_fetched": 3}


def _crawl_runs(db: Path, status: str | None = None) -> list[dict]:
    try:
        with sqlite3.connect(db) as conn:
            conn.row_factory = sqlite3.Row
            rows = [dict(r) for r in conn.execute("select * from crawl_runs order by id")]
    except sqlite3.OperationalError:
        return []
    return [r for r in rows if status is None or r["status"] == status]


def test_record_timeout_marks_only_the_run_of_this_job(tmp_path):
    from crawler.scheduler import _record_timeout
    from storage.store import Store, now

    db = tmp_path / "nianbao.db"
    store = Store(db)
    earlier = store.runs.start("xicheng")
    store.finish_run(earlier, "ok", {}, [])
    store.db.execute("update crawl_runs set started = '2000-01-01T00:00:00+00:00' where id = ?", [earlier])
    store.db.conn.commit()
    since = now()
    other_site = store.runs.start("dongcheng")
    store.finish_run(other_site, "ok", {}, [])
    this = store.runs.start("xicheng")
    store.finish_run(this, "ok", {}, [])
    store.close()
    _record_timeout(str(db), "xicheng", since, 7200)
    statuses = {r["id"]: (r["status"], json.loads(r["errors"])) for r in _crawl_runs(db)}
    assert statuses == {
        earlier: ("ok", []),
        other_site: ("ok", []),
        this: ("failed", ["crawl exceeded its time limit of 7200 s"]),
    }
    _record_timeout(str(db), "beijing", since, 60)  # no run of its own: nothing to mark
    assert {r["id"]: r["status"] for r in _crawl_runs(db)} == {earlier: "ok", other_site: "ok", this: "failed"}
