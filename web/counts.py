"""Datasette's row counts of whole tables, stopped when their time is up.

Datasette (0.65) lists a database's tables with `select count(*)` of each, within 5 ms (10 ms on
its home page), a limit it enforces with SQLite's progress handler. SQLite answers that query with
one instruction (OP_Count) that walks the table's whole b-tree and never calls the handler, so the
limit does not bite: at 100,000 reports the database page read `cells` (~200 rows a report),
`report_text` and the full-text index to the end, seconds with the file in the OS cache and
minutes without. Here each count is stopped by sqlite3_interrupt, which SQLite honours inside that
walk. A count stopped is None, which Datasette already shows as "Many rows" (and, on its home page,
takes as "no counts"); a count that finishes in time is exact, as before.

A long-form table's page with a filter (`current_cells?year=…&part=…&row=…&col=…`: one cell of a
year's reports) counts its rows too, within Datasette's time limit for any query (1 s): its rows are
a few pages, but its count looks each report's cell up by its key, one page read a report scattered
over the file, seconds when the file is out of the OS cache. That count is given FILTERED_COUNT_MS
(`bounded_execute`): with the file cached it is exact, as before; cold, the page says no count
rather than waiting for the disk.

Datasette 0.65 has no hook for the counts (later versions bound them themselves), so the plugin's
startup hook gives each database this `table_counts` and `execute` (`bound`)."""

from __future__ import annotations

import re
import sqlite3
import threading
from functools import partial
from typing import TYPE_CHECKING, Any

from datasette.database import Database
from datasette.tracer import trace
from datasette.utils import escape_sqlite

from web.big import LONG_FORM

if TYPE_CHECKING:
    from datasette.app import Datasette


def count_within(conn: sqlite3.Connection, table: str, seconds: float) -> int | None:
    """count(*) of the whole table, or None when it takes longer than `seconds`."""
    running = True
    lock = threading.Lock()

    def stop() -> None:
        with lock:  # never after the count: an interrupt then would stop the connection's next query
            if running:
                conn.interrupt()

    timer = threading.Timer(seconds, stop)
    timer.start()
    try:
        return conn.execute(f"select count(*) from {escape_sqlite(table)}").fetchall()[0][0]
    except sqlite3.DatabaseError:  # interrupted; or a virtual table whose module is not loaded
        return None
    finally:
        with lock:
            running = False
        timer.cancel()


async def table_counts(db: Database, limit: int = 10) -> dict[str, int | None]:
    """Datasette's Database.table_counts (limit in ms for each table), each count stopped in time."""
    cached = None if db.is_mutable else db.cached_table_counts  # an immutable file's `datasette inspect` data
    if cached is not None:
        return cached
    counts: dict[str, int | None] = {}
    for table in await db.table_names():
        with trace("sql", database=db.name, sql=f"select count(*) from {escape_sqlite(table)}", params=None):
            counts[table] = await db.execute_fn(partial(count_within, table=table, seconds=limit / 1000))
    return counts


FILTERED_COUNT_MS = 300
# Datasette's count of a table page's rows: "select count(*) from TABLE where …" (TABLE escaped).
_COUNT = re.compile(r"select count\(\*\) from \[?(\w+)\]?\s")


def count_limit(sql: str) -> int | None:
    """The time limit (ms) of a statement when it is the count of a long-form table's page, else None."""
    m = _COUNT.match(sql)
    return FILTERED_COUNT_MS if m and m.group(1) in LONG_FORM else None


def bounded_execute(db: Database) -> Any:  # noqa: ANN401 - Database.execute's own signature
    """Database.execute, with the counts of long-form tables' pages stopped at FILTERED_COUNT_MS."""
    execute = db.execute

    async def bounded(sql: str, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
        limit = count_limit(sql)
        if limit is not None:  # its arguments by name, a time limit of the caller's own kept if shorter
            kwargs = {**dict(zip(("params", "truncate", "custom_time_limit"), args, strict=False)), **kwargs}
            kwargs["custom_time_limit"] = min(limit, kwargs.get("custom_time_limit") or limit)
            args = args[3:]
        return await execute(sql, *args, **kwargs)

    return bounded


def bound(datasette: Datasette) -> None:
    """Each database of this Datasette counts its tables with `table_counts`, and its long-form
    tables' filtered rows within FILTERED_COUNT_MS."""
    for db in datasette.databases.values():
        db.table_counts = partial(table_counts, db)
        db.execute = bounded_execute(db)
