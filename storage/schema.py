"""The schema, created and migrated forward with sqlite-utils.

`MIGRATIONS[i]` takes a database from schema version i to i+1; `migrate()` applies
whatever a file lacks, each step in its own transaction, so an old database opens
with a newer nianbao and a new one is built by the same path.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from common.constants import Rule
from parsers.model import TABLE_PARTS
from storage import cells
from storage.errors import StoreError


def _v1(db: sqlite_utils.Database) -> None:
    db["sites"].create({"name": str, "title": str, "first_crawled": str}, pk="name")
    db["reports"].create(
        {
            "id": int, "site": str, "report_key": str, "url": str, "agency": str, "year": int,
            "title": str, "published": str, "template": str, "first_seen": str, "last_seen": str,
            "current_version": int, "status": str,
        },
        pk="id",
        foreign_keys=[("site", "sites", "name")],
    )  # fmt: skip
    db["reports"].create_index(["site", "report_key"], unique=True)
    db["reports"].create_index(["agency", "year"])
    db["reports"].create_index(["year"])
    db["versions"].create(
        {
            "id": int, "report_id": int, "url": str, "fetched_at": str, "content_hash": str,
            "raw": bytes, "encoding": str, "records": str, "report_json": str, "attachments": str,
        },
        pk="id",
        foreign_keys=[("report_id", "reports", "id")],
    )  # fmt: skip
    db["versions"].create_index(["report_id", "content_hash"], unique=True)
    db["cells"].create(
        {"version_id": int, "part": str, "row": str, "col": str, "value": float, "note": str},
        pk=("version_id", "part", "row", "col"),
        foreign_keys=[("version_id", "versions", "id")],
    )
    db["cells"].create_index(["part", "row", "col"])
    db["findings"].create(
        {
            "id": int, "report_id": int, "version_id": int, "rule": str, "severity": str, "where_": str,
            "lhs": str, "rhs": str, "cells": str, "message": str, "fingerprint": str,
            "first_seen": str, "last_seen": str, "resolved_at": str, "acknowledged": int, "alerted_at": str,
        },
        pk="id",
        foreign_keys=[("report_id", "reports", "id"), ("version_id", "versions", "id")],
        defaults={"acknowledged": 0},
    )  # fmt: skip
    db["findings"].create_index(["fingerprint"], unique=True)
    db["findings"].create_index(["report_id"])
    db["findings"].create_index(["severity", "resolved_at"])
    db["pages"].create(
        {
            "url": str, "site": str, "etag": str, "last_modified": str, "hash": str, "status": str,
            "http_status": int, "last_fetched": str, "error": str, "report_id": int,
        },
        pk="url",
    )  # fmt: skip
    db["pages"].create_index(["site", "status"])
    db["crawl_runs"].create(
        {"id": int, "site": str, "started": str, "finished": str, "status": str, "counts": str, "errors": str},
        pk="id",
    )
    db["crawl_runs"].create_index(["site", "started"])
    # Full-text search over each report's current text. Trigram tokens match Chinese
    # substrings of three or more characters (unicode61 would see one token per run).
    db["report_text"].create({"report_id": int, "title": str, "agency": str, "text": str}, pk="report_id")
    db["report_text"].enable_fts(["title", "agency", "text"], tokenize="trigram", create_triggers=True)


def _v2(db: sqlite_utils.Database) -> None:
    """Alerts: a queue of digests (kept until delivered) and what has been alerted already."""
    db["alerts"].create(
        {
            "id": int, "site": str, "recipients": str, "subject": str, "text": str, "html": str,
            "created": str, "sent_at": str, "attempts": int, "last_error": str, "message_id": str,
        },
        pk="id",
        defaults={"attempts": 0},
    )  # fmt: skip
    db["alerts"].create_index(["sent_at"])
    db["reports"].add_column("alerted_version", int)
    db["findings"].add_column("resolved_alerted_at", str)
    db["site_state"].create({"site": str, "failure_alerted_run": int, "watchdog_alerted_at": str}, pk="site")


def _v3(db: sqlite_utils.Database) -> None:
    """History checks look reports up by agency + year across sites (report_key alone), and a
    finding is unique per report: the same agency's report on two sites has its own findings."""
    db["reports"].create_index(["report_key"], if_not_exists=True)
    db.execute("drop index if exists idx_findings_fingerprint")
    db["findings"].create_index(["report_id", "fingerprint"], unique=True, if_not_exists=True)
    db["findings"].create_index(["fingerprint"], if_not_exists=True)
    db["findings"].create_index(["rule", "resolved_at"], if_not_exists=True)


def _v4(db: sqlite_utils.Database) -> None:
    """Cheaper writes, same data.

    cells: one b-tree (WITHOUT ROWID, keyed by version) instead of a table, its primary-key
    index and an index on (part, row, col), which every report touched in ~200 places; `seq`
    keeps the order the cells had in the report (the official row order). Questions across
    reports (one cell of every report) scan the table or use `crawl export --format csv`.

    report_text_fts: no longer kept by triggers row by row (trigram indexing is most of the cost
    of storing a report); save_report queues the report in text_pending, with the values the
    index holds for it, and TextIndex.index() brings the index up to date in batches (before
    every search, at the end of a crawl run, on close)."""
    db.execute(
        "create table cells_v4 (version_id integer not null references versions(id), part text not null, "
        "row text not null, col text not null, value float, note text, seq integer, "
        "primary key (version_id, part, row, col)) without rowid"
    )
    db.execute(
        "insert into cells_v4 (version_id, part, row, col, value, note, seq) "
        "select version_id, part, row, col, value, note, rowid from cells"
    )
    db.execute("drop table cells")
    db.execute("alter table cells_v4 rename to cells")
    for trigger in ("report_text_ai", "report_text_ad", "report_text_au"):
        db.execute(f"drop trigger if exists {trigger}")
    db.execute(
        "create table text_pending (report_id integer primary key, indexed integer not null, "
        "title text, agency text, text text)"
    )


def _v5(db: sqlite_utils.Database) -> None:
    """A digest being sent is claimed first, so two processes never send the same one."""
    db["alerts"].add_column("claimed_at", str)


_TABLE_KEYS = ", ".join(f"'{part}'" for part in TABLE_PARTS.values())
CELLS_VIEW = (
    "create view cells as select v.id as version_id, p.key as part, r.key as row, c.key as col, "
    "c.value as value, n.note as note, (p.id * 4096 + r.id) * 64 + c.id as seq "
    "from versions v join json_each(v.report_json) p join json_each(p.value) r join json_each(r.value) c "
    "left join cell_notes n on n.version_id = v.id and n.part = p.key and n.row = r.key and n.col = c.key "
    f"where p.key in ({_TABLE_KEYS}) and r.type = 'object'"
)


def _v6(db: sqlite_utils.Database) -> None:
    """cells: a view of the tables in each version's report_json, no longer a second copy.

    Writing ~200 cell rows was most of the cost of storing a report (and a quarter of the
    file). The view keeps the long form (version_id, part, row, col, value, note, seq) for
    every reader; `seq` is the cell's place in the report's JSON (json_each ids grow through
    the text: part, row, then column), as before. One version's cells come from one JSON
    parse (the view is searched by versions.id); a question across all reports parses every
    report_json (about 0.6 s per 10,000 reports here). The rare notes (a cell that said
    more than a number) are a small table of their own."""
    db.execute(
        "create table cell_notes (version_id integer not null references versions(id), part text not null, "
        "row text not null, col text not null, note text, primary key (version_id, part, row, col)) without rowid"
    )
    db.execute(
        "insert into cell_notes (version_id, part, row, col, note) "
        "select version_id, part, row, col, note from cells where note is not null"
    )
    db.execute("drop table cells")
    db.execute(CELLS_VIEW)


def _v7(db: sqlite_utils.Database) -> None:
    """crawl_runs.owner (host|boot id|pid): a crawl that starts can tell a live crawl of the same
    site (left alone, and this one does not start) from one that was killed (interrupted)."""
    db["crawl_runs"].add_column("owner", str)


def _v8(db: sqlite_utils.Database) -> None:
    """pages.agency and pages.year: a report published as images or a file only (status
    attachment_only) has no row in reports, but its title names agency and year, and it counts
    as published for missing_report."""
    db["pages"].add_column("agency", str)
    db["pages"].add_column("year", int)


def _v9(db: sqlite_utils.Database) -> None:
    """columns: report columns found from a portal's home page, and the list page each replaces."""
    db.execute(
        "create table columns (site text not null, url text not null, moved_from text, found_at text not null, "
        "last_seen text, alerted_at text, primary key (site, url))"
    )


def _v10(db: sqlite_utils.Database) -> None:
    """cells: a table again, indexed for the questions across reports (storage/cells.py), written
    with each version; the view over report_json (_v6) made one cell of 10,000 reports cost 0.7 s.
    The notes (cell_notes) move into it. Indexes for the web view's pages at 100,000 reports."""
    db.execute("drop view cells")
    cells.create(db)
    db.execute(cells.FILL)
    db.execute("drop table cell_notes")
    for sql in WEB_INDEXES:
        db.execute(sql)


# What the web view asks of reports, each answered from an index: a site's season (web/read.site),
# the agency list (read.agencies, read from the index alone), current_cells by year and site.
WEB_INDEXES = (
    "create index if not exists reports_by_site_year on reports (site, year, agency)",
    "create index if not exists reports_by_agency on reports (agency, year, status)",
    "create index if not exists reports_by_year on reports (year, site, current_version)",
)


def _v11(db: sqlite_utils.Database) -> None:
    """copies: every site a report was found on, and its URL there (the city portal republishes the
    districts' reports: one report, several URLs). The report's own site has a row too (tables
    null: its current version); another site's copy keeps the tables it was read with (JSON), so
    that a new version of the report is compared with each copy again."""
    db.execute(
        "create table copies (report_id integer not null references reports(id), site text not null, "
        "url text not null, tables text, tables_hash text, first_seen text not null, last_seen text, "
        "primary key (report_id, site))"
    )
    db.execute("create index idx_copies_site on copies (site, report_id)")
    db.execute(
        "insert into copies (report_id, site, url, first_seen, last_seen) "
        "select id, site, coalesce(url, ''), coalesce(first_seen, ''), last_seen from reports"
    )


# The copies_differ findings of a site's copies, as the digest asks for them (storage/findings.py
# ON_SITE). Partial: only those findings are in it, so other findings cost no more to write.
COPIES_DIFFER_INDEX = (
    f"create index if not exists findings_copies_differ on findings (where_) where rule = '{Rule.COPIES_DIFFER}'"
)


def _v12(db: sqlite_utils.Database) -> None:
    """findings_copies_differ: the digest of a site finds the copies_differ findings about its copies
    (where "copy.SITE") from an index, not by reading every finding."""
    db.execute(COPIES_DIFFER_INDEX)


def _v13(db: sqlite_utils.Database) -> None:
    """findings.page_url: a finding held by a page with no report row. A unit known on its site only
    from reports published as a file only (pages attachment_only) has no report for its
    missing_report to be on: its newest such page holds it."""
    db["findings"].add_column("page_url", str)
    db.execute("create index findings_on_pages on findings (page_url) where page_url is not null")


# The newest first, read from an index and stopped after a page: the reports and findings tables'
# pages (sorted by last_seen desc, then id, in datasette/metadata.json), the canned query
# new_this_week and the Atom feed (versions by fetched_at).
NEWEST_INDEXES = (
    "create index if not exists reports_by_last_seen on reports (last_seen desc, id)",
    "create index if not exists findings_by_last_seen on findings (last_seen desc, id)",
    "create index if not exists versions_by_fetched_at on versions (fetched_at, report_id)",
)


def _v14(db: sqlite_utils.Database) -> None:
    """Indexes for the web view's pages that show the newest first (NEWEST_INDEXES): without them
    each sorted every report, finding or version."""
    for sql in NEWEST_INDEXES:
        db.execute(sql)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _v1, _v2, _v3, _v4, _v5, _v6, _v7, _v8, _v9, _v10, _v11, _v12, _v13, _v14,
]  # fmt: skip
SCHEMA_VERSION = len(MIGRATIONS)


def version(db: sqlite_utils.Database) -> int:
    if "schema_meta" not in db.table_names():
        return 0
    row = db.execute("select value from schema_meta where key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(db: sqlite_utils.Database) -> int:
    """Bring the database up to SCHEMA_VERSION; returns the version it had."""
    start = version(db)
    if start > SCHEMA_VERSION:
        raise StoreError(f"database schema {start} is newer than this nianbao ({SCHEMA_VERSION}); upgrade nianbao")
    for v in range(start, SCHEMA_VERSION):
        with db.conn:
            if "schema_meta" not in db.table_names():
                db["schema_meta"].create({"key": str, "value": str}, pk="key")
            MIGRATIONS[v](db)
            db["schema_meta"].upsert({"key": "schema_version", "value": str(v + 1)}, pk="key")
    return start
