"""Datasette's database page with the plugin's table counts (web/counts.py): every table and view
still listed, each count exact when it finishes in time, and a count stopped in its time shown as
Datasette shows one it gave up on ("Many rows", null in JSON), through Datasette's own client over
the crawled fixture database."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import lxml.html
from datasette import hookimpl
from datasette.plugins import pm

from tests.web.conftest import datasette
from web.counts import count_within


def get(db: Path, path: str):
    return asyncio.run(datasette(db).client.get(path))


def sqlite_counts(db: Path) -> tuple[dict[str, int], list[str]]:
    conn = sqlite3.connect(db)
    try:
        names = conn.execute("select name, type from sqlite_master where type in ('table', 'view')").fetchall()
        tables = {n: conn.execute(f"select count(*) from [{n}]").fetchone()[0] for n, t in names if t == "table"}
        return tables, [n for n, t in names if t == "view"]
    finally:
        conn.close()


def slow_start(conn: sqlite3.Connection, table: str, seconds: float) -> None:
    """Each count of `table` on this connection waits `seconds` once it has started, as a count of a
    large table on a cold disk does (SQLite calls the trace callback as the statement starts)."""

    def wait(sql: str) -> None:
        if sql.startswith("select count(*) from ") and sql.split()[-1].strip("[]") == table:
            time.sleep(seconds)

    conn.set_trace_callback(wait)


def shown_counts(html: str) -> dict[str, str]:
    doc = lxml.html.fromstring(html)
    return {div.findtext("h3/a"): div.xpath("string(p[2])") for div in doc.find_class("db-table")}


def test_the_database_page_lists_every_table_and_view_with_its_count(crawled: Path) -> None:
    tables, views = sqlite_counts(crawled)
    assert tables["reports"] > 0 and tables["cells"] > 0 and "current_cells" in views
    page = get(crawled, "/nianbao.json")
    assert page.status_code == 200
    listed = {t["name"]: t["count"] for t in page.json()["tables"]}
    assert listed.keys() == tables.keys()
    # Within Datasette's 5 ms a table: exact, or (a busy machine) not counted, as Datasette has it
    assert all(listed[t] in (n, None) for t, n in tables.items()), (listed, tables)
    assert {v["name"] for v in page.json()["views"]} == set(views)

    html = get(crawled, "/nianbao?_show_hidden=1")
    assert html.status_code == 200
    shown = shown_counts(html.text)
    assert shown.keys() == tables.keys()
    assert shown["reports"] in (f"{tables['reports']:,} rows", "Many rows")


def test_counts_that_finish_in_time_are_exact(crawled: Path) -> None:
    async def counts() -> dict[str, int | None]:
        ds = datasette(crawled)
        await ds.invoke_startup()
        return await ds.get_database("nianbao").table_counts(2000)  # the plugin's, 2 s a table

    assert asyncio.run(counts()) == sqlite_counts(crawled)[0]


def test_a_count_over_its_time_is_stopped_and_the_connection_goes_on(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    conn = sqlite3.connect(db, check_same_thread=False)
    conn.execute("create table big (k integer primary key)")
    conn.execute("insert into big select value from json_each('[1, 2, 3]')")
    conn.commit()
    assert count_within(conn, "big", 1.0) == 3
    slow_start(conn, "big", 0.3)
    started = time.perf_counter()
    assert count_within(conn, "big", 0.01) is None
    assert time.perf_counter() - started < 1.0
    conn.set_trace_callback(None)
    for _ in range(50):  # an interrupt never outlives its count: the next query runs
        assert count_within(conn, "big", 0.0) in (3, None)
        assert conn.execute("select count(*) from big where k > 1").fetchone() == (2,)
    conn.close()


class SlowCells:
    """A plugin that makes Datasette's counts of `cells` outlast their time limit."""

    __name__ = "slow-cells"  # Datasette lists its plugins by module name

    @hookimpl
    def prepare_connection(self, conn: sqlite3.Connection) -> None:
        slow_start(conn, "cells", 0.3)


def test_a_table_not_counted_in_time_is_shown_as_many_rows(crawled: Path) -> None:
    tables, _ = sqlite_counts(crawled)
    plugin = SlowCells()
    pm.register(plugin, name="slow-cells")
    try:
        page = get(crawled, "/nianbao.json")
        html = get(crawled, "/nianbao")
    finally:
        pm.unregister(plugin)
    listed = {t["name"]: t["count"] for t in page.json()["tables"]}
    assert listed["cells"] is None
    assert listed["reports"] in (tables["reports"], None)
    shown = shown_counts(html.text)
    assert shown["cells"] == "Many rows"
    assert shown.keys() == {t["name"] for t in page.json()["tables"] if not t["hidden"]}
