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

from storage.errors import StoreError
from storage.schema import SCHEMA_VERSION, migrate, version


def now() -> str:
    """The store's timestamps: UTC, ISO 8601, whole seconds (they sort as text)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def connect(path: Path, *, readonly: bool = False, verify: bool = False) -> sqlite_utils.Database:
    """Open (creating and migrating) the database at `path` (":memory:" too). `verify`: refuse a
    damaged file before anything is written to it (PRAGMA quick_check). `readonly`: open it
    read-only (SQLite's mode=ro), so it can be read on a read-only file system."""
    if readonly and Path(path).is_file():  # else (a folder …) the usual open says what is wrong
        db = _read_only(path)
        if version(db) == SCHEMA_VERSION:
            return db
        db.close()  # an older schema: it is migrated (which writes) before it is read
    in_memory = str(path) == ":memory:"
    if not in_memory:
        path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.execute("pragma busy_timeout = 30000")
    if verify and not in_memory:
        check(db, path, "quick_check")
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


def check(db: sqlite_utils.Database, path: Path, pragma: str = "integrity_check") -> list[str]:
    """SQLite's own check of the file (quick_check: the pages and their order, in a few seconds a GB;
    integrity_check: the indexes too). StoreError naming the first problem if it is not sound."""
    try:
        problems = [row[0] for row in db.execute(f"pragma {pragma}").fetchall()]
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc):  # not damaged: something else (the CLI says what)
            raise
        problems = [str(exc)]  # too damaged to be checked
    if problems != ["ok"]:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise StoreError(
            f"{path} is damaged: {problems[0]}{more}; nothing was written to it. "
            "Restore a backup, or see `crawl doctor`"
        )
    return problems


def _read_only(path: Path) -> sqlite_utils.Database:
    uri = f"{path.resolve().as_uri()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True)
    try:
        conn.execute("select count(*) from sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        # A WAL database whose -shm file cannot be created (a read-only file system): read as
        # immutable, which it is there. Anything else (a folder): the first error is the one to tell.
        conn.close()
        conn = sqlite3.connect(uri + "&immutable=1", uri=True)
        try:
            conn.execute("select count(*) from sqlite_master").fetchone()
        except sqlite3.Error:
            conn.close()
            raise exc from None
    conn.execute("pragma busy_timeout = 30000")
    return sqlite_utils.Database(conn)


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
