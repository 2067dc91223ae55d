"""Crawl runs (`crawl_runs`): who crawls a site now, how each crawl ended, streaks of failures,
the last success; and the crawl schedule APScheduler keeps in the same database."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from common.constants import UNSUCCESSFUL_RUNS, RunStatus
from storage.db import ensure_site, now, writing
from storage.errors import SiteBusy
from storage.process import alive, owner_pid, run_owner, same_process


@dataclass
class Run:
    """One crawl of one site, as recorded."""

    id: int
    site: str
    started: str | None
    status: str | None  # a RunStatus; None on a row written before there was one
    finished: str | None = None
    counts: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    owner: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Run:
        return cls(
            row["id"], row["site"], row["started"], row["status"], row["finished"],
            json.loads(row["counts"] or "{}"), json.loads(row["errors"] or "[]"), row.get("owner"),
        )  # fmt: skip


class Runs:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def start(self, site: str) -> int:
        """Open a crawl run of `site`; SiteBusy if another live process has one open. The check
        and the new row are one transaction, so two crawls starting together cannot both pass."""
        with writing(self.db.conn) as conn:
            ensure_site(conn, site, now())
            me = run_owner()
            for run_id, started, owner in conn.execute(
                "select id, started, owner from crawl_runs where site = ? and finished is null", [site]
            ).fetchall():
                if not same_process(owner, me) and alive(owner):
                    raise SiteBusy(site, owner_pid(owner), started)
                # Its process is gone (or it is this one's own leftover): it was killed.
                conn.execute(
                    "update crawl_runs set status = ?, finished = ? where id = ?",
                    [RunStatus.INTERRUPTED, now(), run_id],
                )
            return conn.execute(
                "insert into crawl_runs (site, started, status, owner) values (?, ?, ?, ?)",
                [site, now(), RunStatus.RUNNING, me],
            ).lastrowid

    def finish(self, run_id: int, status: RunStatus | str, counts: dict[str, Any], errors: list[str]) -> None:
        with self.db.conn:
            self.db["crawl_runs"].update(
                run_id,
                {
                    "finished": now(),
                    "status": status,
                    "counts": json.dumps(counts, ensure_ascii=False),
                    "errors": json.dumps(errors, ensure_ascii=False),
                },
            )

    def fail_latest(self, site: str, since: str, error: str) -> Run | None:
        """Mark the site's newest run started at or after `since` (ISO, as the store's timestamps)
        failed, whatever it says, with `error` first among its errors (a crawl stopped for running
        out of time may have closed itself as ok). None when there is no such run."""
        with writing(self.db.conn) as conn:
            row = conn.execute(
                "select id, errors from crawl_runs where site = ? and started >= ? order by id desc limit 1",
                [site, since],
            ).fetchone()
            if row is None:
                return None
            errors = [error, *json.loads(row[1] or "[]")]
            conn.execute(
                "update crawl_runs set status = ?, finished = coalesce(finished, ?), errors = ? where id = ?",
                [RunStatus.FAILED, now(), json.dumps(errors, ensure_ascii=False), row[0]],
            )
        return self.get(row[0])

    # --- queries ------------------------------------------------------------------------------
    def get(self, run_id: int) -> Run | None:
        rows = list(self.db.query("select * from crawl_runs where id = ?", [run_id]))
        return Run.from_row(rows[0]) if rows else None

    def last(self, site: str) -> Run | None:
        """The site's newest run, however it ended."""
        rows = list(self.db.query("select * from crawl_runs where site = ? order by id desc limit 1", [site]))
        return Run.from_row(rows[0]) if rows else None

    def last_finished(self, site: str) -> Run | None:
        """The site's newest finished run."""
        rows = list(
            self.db.query(
                "select * from crawl_runs where site = ? and finished is not null order by id desc limit 1", [site]
            )
        )
        return Run.from_row(rows[0]) if rows else None

    def last_not_failed(self, site: str) -> int:
        """The id of the site's newest finished run that ended well (0: none)."""
        bad = ", ".join("?" * len(UNSUCCESSFUL_RUNS))
        return self.db.execute(
            f"select coalesce(max(id), 0) from crawl_runs where site = ? and finished is not null and status not in ({bad})",
            [site, *UNSUCCESSFUL_RUNS],
        ).fetchone()[0]

    def failed_since(self, site: str, run_id: int) -> list[Run]:
        """The site's runs after run `run_id` that did not end well (failed, interrupted, limited),
        newest first: with last_not_failed, its current streak of failures."""
        bad = ", ".join("?" * len(UNSUCCESSFUL_RUNS))
        rows = self.db.query(
            f"select * from crawl_runs where site = ? and id > ? and status in ({bad}) order by id desc",
            [site, run_id, *UNSUCCESSFUL_RUNS],
        )
        return [Run.from_row(r) for r in rows]

    def last_success(self, site: str) -> str | None:
        """When the site's newest successful crawl finished."""
        return self.db.execute(
            "select max(finished) from crawl_runs where site = ? and status = ?", [site, RunStatus.OK]
        ).fetchone()[0]

    def first_started(self, site: str) -> str | None:
        return self.db.execute("select min(started) from crawl_runs where site = ?", [site]).fetchone()[0]

    def next_runs(self) -> dict[str, float | None]:
        """{job id: its next run time, a POSIX timestamp (None: paused)} from the job store
        `crawl schedule` keeps in this database (APScheduler's apscheduler_jobs table)."""
        if "apscheduler_jobs" not in self.db.table_names():
            return {}
        return {
            row["id"]: row["next_run_time"] for row in self.db.query("select id, next_run_time from apscheduler_jobs")
        }
