"""A long-form table's page with a filter (web/counts.py `bounded_execute`): its count of rows is
stopped at FILTERED_COUNT_MS, not Datasette's 1 s for any query, so one cell of a year's reports
(`current_cells`, a key lookup a report, all on the disk when the file is cold) answers without its
count rather than late; a count that finishes in time is exact. Through Datasette's own client over
the crawled fixture database; a plugin makes a count as slow as a cold disk."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from datasette import hookimpl
from datasette.plugins import pm

import web.counts
from tests.web.conftest import datasette
from web.counts import FILTERED_COUNT_MS, count_limit

CELL = "part=applications&row=new_received&col=total"


class SlowCounts:
    """Each count of a table page's rows of `table` (with a filter) waits `seconds` as it starts, and
    the counts this Datasette ran are kept in `seen`."""

    __name__ = "slow-counts"  # Datasette lists its plugins by module name

    def __init__(self, table: str, seconds: float) -> None:
        self.table, self.seconds, self.seen = table, seconds, []

    @hookimpl
    def prepare_connection(self, conn: sqlite3.Connection) -> None:
        def wait(sql: str) -> None:
            if sql.startswith("select count(*) from "):
                self.seen.append(sql)
                if sql.startswith(f"select count(*) from {self.table} where"):
                    time.sleep(self.seconds)

        conn.set_trace_callback(wait)


def page(db: Path, path: str, plugin: SlowCounts | None = None) -> dict[str, Any]:
    if plugin:
        pm.register(plugin, name="slow-counts")
    try:
        async def get() -> dict[str, Any]:
            ds = datasette(db)
            await ds.invoke_startup()
            return (await ds.client.get(path)).json()

        return asyncio.run(get())
    finally:
        if plugin:
            pm.unregister(plugin)


def one_year(db: Path) -> tuple[int, int]:
    """A year, and how many reports of it have the cell (read plainly)."""
    conn = sqlite3.connect(db)
    year = conn.execute("select year from reports group by year order by count(*) desc limit 1").fetchone()[0]
    n = conn.execute("select count(*) from reports r join cells c on c.version_id = r.current_version where r.year = ? "
                     "and c.part = 'applications' and c.row = 'new_received' and c.col = 'total'", [year]).fetchone()[0]  # fmt: skip
    conn.close()
    return year, n


def test_a_filtered_count_that_finishes_in_time_is_exact(crawled: Path) -> None:
    year, n = one_year(crawled)
    assert n > 0
    plugin = SlowCounts("current_cells", 0)
    data = page(crawled, f"/nianbao/current_cells.json?year={year}&{CELL}&_extra=count", plugin)
    assert data["filtered_table_rows_count"] == n and len(data["rows"]) == n
    counts = [sql for sql in plugin.seen if sql.startswith("select count(*) from current_cells where")]
    assert counts and all(count_limit(sql) == FILTERED_COUNT_MS for sql in counts)  # Datasette's own count
    assert count_limit("select count(*) from reports where year = :p0") is None


def test_a_filtered_count_of_a_long_form_table_stops_at_its_limit(crawled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    year, n = one_year(crawled)
    # 20 ms or less: Datasette checks the time every SQLite instruction (else every 1,000, more than
    # a count of this small database takes after its wait).
    monkeypatch.setattr(web.counts, "FILTERED_COUNT_MS", 20)
    slow = page(crawled, f"/nianbao/current_cells.json?year={year}&{CELL}&_extra=count", SlowCounts("current_cells", 0.3))
    assert slow["filtered_table_rows_count"] is None and len(slow["rows"]) == n  # the rows, without a count
    # Another table's count has Datasette's own limit (1 s): the same wait does not stop it.
    reports = page(crawled, f"/nianbao/reports.json?year={year}&_extra=count", SlowCounts("reports", 0.3))
    assert reports["filtered_table_rows_count"] == len(reports["rows"]) > 0
