"""The database connection and what every storage module shares: set-up (pragmas, the schema
migrated forward), the write transaction, timestamps and the optional filters of the queries."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from storage.schema import migrate


def now() -> str:
    """The store's timestamps: UTC, ISO 8601, whole seconds (they sort as text)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def connect(path: Path) -> sqlite_utils.Database:
    """Open (creating and migrating) the database at `path` (":memory:" too)."""
    in_memory = str(path) == ":memory:"
    if not in_memory:
        path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.execute("pragma busy_timeout = 30000")
    if not in_memory:
        db.enable_wal()
        # In WAL mode NORMAL never corrupts the file; a power cut may lose the last commits,
        # which the next crawl fetches again. FULL would fsync every report.
        db.execute("pragma synchronous = normal")
        # Checkpoint every ~40 MB of WAL rather than 4 MB (each report writes ~50 KB), and keep
        # the WAL file no larger than 64 MB once checkpointed.
        db.execute("pragma wal_autocheckpoint = 10000")
        db.execute("pragma journal_size_limit = 67108864")
    db.execute("pragma foreign_keys = on")
    migrate(db)
    return db


@contextmanager
def writing(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, taken at once (begin immediate), so what is read in it is still
    true when it writes; committed at the end, rolled back on an error. A transaction the
    connection has open already (an earlier statement's) becomes this one. Not to be nested:
    the inner one would commit the outer one."""
    with conn:
        if not conn.in_transaction:
            conn.execute("begin immediate")
        yield conn


def and_equal(sql: str, args: list[Any], filters: dict[str, Any]) -> tuple[str, list[Any]]:
    """Add `and column = ?` for each filter that is set (the optional --site/--year/... options)."""
    for column, value in filters.items():
        if value:
            sql += f" and {column} = ?"
            args = [*args, value]
    return sql, args


def first(db: sqlite_utils.Database, sql: str, args: list[Any]) -> dict[str, Any] | None:
    """The first row of a query as a dict, or None."""
    rows = list(db.query(sql, args))
    return rows[0] if rows else None


def ensure_site(conn: sqlite3.Connection, site: str, ts: str) -> None:
    """Every site a report or a crawl run names has its row in `sites` (reports refer to it)."""
    conn.execute("insert or ignore into sites (name, first_crawled) values (?, ?)", [site, ts])
