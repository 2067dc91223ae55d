"""`crawl schedule`: one long-running foreground process (for systemd or any supervisor).

One APScheduler job per site, kept in the SQLite database (SQLAlchemy job store), so a
restart keeps the schedule and a run missed while the machine was down runs once
(coalesce + misfire grace time). Each crawl runs in a child process with a time limit
(Twisted's reactor cannot restart in-process); max_instances=1 means never two crawls
of one site at once. SIGTERM stops the scheduler and lets a running crawl finish.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

from common.constants import PORTAL_TZ
from crawler.config import Config, load_config
from crawler.schedule_triggers import trigger_for

logger = logging.getLogger(__name__)
_children: set[subprocess.Popen] = set()
_lock = threading.Lock()


def crawl_command(config_path: str, site: str, db_path: str) -> list[str]:
    return [sys.executable, "-m", "crawler.cli", "--site", site, "--config", config_path, "--db", db_path]


def run_site(config_path: str, site: str, db_path: str) -> int:
    """The job: crawl one site in a child process, within the configured time limit."""
    config = load_config(config_path)
    command = config.schedule.get("command")  # a different child command, e.g. in tests
    argv = [*command, site, db_path] if command else crawl_command(config_path, site, db_path)
    limit = float(config.schedule["crawl_timeout"])
    started = datetime.now(UTC).isoformat(timespec="seconds")
    logger.info("[%s] crawl starts", site)
    child = subprocess.Popen(argv, start_new_session=True)  # its own group: our SIGTERM is forwarded, gently
    with _lock:
        _children.add(child)
    try:
        code = child.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGINT)  # Scrapy stops gracefully, finishing the report it is writing
        try:
            code = child.wait(timeout=60)
        except subprocess.TimeoutExpired:
            child.kill()
            code = child.wait()
        _record_timeout(db_path, site, started, limit)
    finally:
        with _lock:
            _children.discard(child)
    logger.log(logging.INFO if code == 0 else logging.WARNING, "[%s] crawl ended with status %s", site, code)
    return code


def _record_timeout(db_path: str, site: str, since: str, limit: float) -> None:
    """The crawl this job started ran out of time: its run is failed, whatever it says.

    Stopped by SIGINT, Scrapy closes normally and the run may already be 'ok'. The run is
    the site's newest one started at or after `since` (the job's start, ISO, as the store's).
    """
    from storage.store import Store

    store = Store(db_path)
    try:  # no run at all when it was stopped before it recorded one
        store.runs.fail_latest(site, since, f"crawl exceeded its time limit of {limit:.0f} s")
    finally:
        store.close()


def watchdog(config_path: str, db_path: str) -> None:
    """Hourly: alert sites with no successful crawl for too long; retry queued alerts."""
    from alerts.deliver import after_crawl
    from storage.store import Store

    config = load_config(config_path)
    store = Store(db_path)
    try:
        after_crawl(store, config, sorted(config.sites))
    finally:
        store.close()


def build(config: Config, db_path: Path, scheduler_cls: type[BaseScheduler] = BackgroundScheduler) -> BaseScheduler:
    """A scheduler with its job store in the database and one job per site."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    from storage.store import Store

    Store(db_path, verify=True).close()  # create/migrate the database first; a damaged one: one line
    grace = int(config.schedule["misfire_grace_seconds"])
    scheduler = scheduler_cls(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{db_path}")},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
        timezone=PORTAL_TZ,
    )
    return scheduler


def install_jobs(scheduler: BaseScheduler, config: Config, db_path: Path, sites: list[str]) -> None:
    """Add missing jobs; keep existing ones (and their next run time) unless the trigger changed."""
    jobs = {f"crawl:{s}": (run_site, trigger_for(config, s), [str(config.path), s, str(db_path)]) for s in sites}
    watchdog_every = float(config.schedule["watchdog_seconds"])
    jobs["watchdog"] = (watchdog, IntervalTrigger(seconds=watchdog_every), [str(config.path), str(db_path)])
    for job_id, (func, trigger, args) in jobs.items():
        existing = scheduler.get_job(job_id)
        if existing is not None and str(existing.trigger) == str(trigger) and list(existing.args) == args:
            continue  # restart: the stored job keeps its next run time, so a missed run still runs once
        scheduler.add_job(func, trigger, args=args, id=job_id, name=job_id, replace_existing=True)
    for job in scheduler.get_jobs():
        if job.id not in jobs:
            job.remove()


def serve(config: Config, db_path: Path, sites: list[str]) -> int:
    scheduler = build(config, db_path)
    stopping = threading.Event()

    def stop(signum, frame):
        if stopping.is_set():
            return
        stopping.set()
        logger.info("crawl schedule: stopping; a running crawl finishes its current report first")
        with _lock:
            for child in _children:
                with contextlib.suppress(ProcessLookupError):
                    child.send_signal(signal.SIGINT)
        threading.Thread(target=scheduler.shutdown, kwargs={"wait": True}, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.start(paused=True)
    install_jobs(scheduler, config, db_path, sites)
    for job in scheduler.get_jobs():
        logger.info("scheduled %s: next run %s", job.id, job.next_run_time)
    # The scheduler runs in a background thread (started paused, so jobs could be checked
    # first); this foreground thread just waits for SIGTERM/SIGINT to shut it down.
    scheduler.resume()
    while scheduler.running:
        time.sleep(0.5)
    return 0


def status(config: Config, db_path: Path) -> list[dict]:
    """Each site's next run (from the job store) and last crawl result."""
    from storage.store import Store

    store = Store(db_path, readonly=True)
    try:
        next_runs = {
            job: datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds") if ts else "paused"
            for job, ts in store.runs.next_runs().items()
        }
        out = []
        for site in sorted(config.sites):
            last = store.runs.last(site)
            out.append(
                {
                    "site": site,
                    "next_run": next_runs.get(f"crawl:{site}", "not scheduled"),
                    "last_started": last.started if last else None,
                    "last_status": last.status if last else "never crawled",
                    "last_counts": last.counts if last else {},
                }
            )
        return out
    finally:
        store.close()
