"""Every table cell of every version, long form, in a table of its own (`cells`), and the view
`current_cells`: the cells of each report's current version with the report's site, agency and
year, for the questions asked across reports (one cell of every report of a year, one agency's
series).

A version's cells are written with the version, in the same transaction, by one executemany.
The table is one b-tree keyed (version_id, part, row, col): a report's cells are written side by
side, so storing one touches a few pages. An index keyed by cell (part, row, col, …) would be
touched in ~200 places by every report (one per cell), and writing those pages cost ~10 ms a
report (bench/web.py; 70 reports/s instead of 600). A question across reports is answered the
other way round: the reports of a year (or of an agency) from reports' indexes, then one lookup
of the cell in each one's current version by the primary key: 20,000 reports of a year in tens
of milliseconds. `current_cells` is written that way, so a query of it by year, site or agency
is fast as Datasette users write it.
"""

from __future__ import annotations

import sqlite_utils

from parsers.model import TABLE_PARTS, Report

COLUMNS = "version_id, report_id, part, row, col, value, note, seq"


CURRENT_CELLS = (
    "create view current_cells as select r.id as report_id, r.site, r.agency, r.year, c.version_id, "
    "c.part, c.row, c.col, c.value, c.note, c.seq from reports r join cells c on c.version_id = r.current_version"
)


def create(db: sqlite_utils.Database) -> None:
    """The table and the view (schema migration 9). `value` has no type: an integer stays one, a
    decimal a real, as in the report's JSON form."""
    db.execute(
        "create table cells (version_id integer not null, report_id integer not null, part text not null, "
        "row text not null, col text not null, value, note text, seq integer not null, "
        "primary key (version_id, part, row, col)) without rowid"
    )
    db.execute(CURRENT_CELLS)


class Cells:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def add(self, version_id: int, report: Report) -> None:
        """A version's cells, read from its report_json just stored (within the caller's
        transaction; SQLite's JSON reader writes 200 rows in a fraction of what binding them from
        Python costs), then the notes of the rare cells that said more than a number."""
        conn = self.db.conn
        conn.execute(f"{_INSERT} and v.id = ?", [version_id])
        if not report.notes:
            return
        notes = [
            (report.notes[f"{part}.{row}.{col}"], version_id, part, row, col)
            for part in TABLE_PARTS.values()
            for row, cols in getattr(report, part).items()
            for col in cols
            if f"{part}.{row}.{col}" in report.notes  # a row label may hold a dot: match whole keys
        ]
        conn.executemany("update cells set note = ? where version_id = ? and part = ? and row = ? and col = ?", notes)


_TABLE_KEYS = ", ".join(f"'{part}'" for part in TABLE_PARTS.values())
# A version's cells in its report_json, in the report's order: json_each numbers the nodes of
# each value it reads from 0, so a cell's place is its part's, its row's and its own together.
_CELLS_OF = (
    "from versions v join json_each(v.report_json) p join json_each(p.value) r join json_each(r.value) c "
    f"where p.key in ({_TABLE_KEYS}) and r.type = 'object'"
)
_SEQ = "(p.id * 4096 + r.id) * 64 + c.id"
_INSERT = (
    f"insert into cells ({COLUMNS}) select v.id, v.report_id, p.key, r.key, c.key, c.value, null, {_SEQ} {_CELLS_OF}"
)
# Every stored version's cells, with their notes (schema 10 fills the table from schema 8's cell_notes).
FILL = (
    f"insert into cells ({COLUMNS}) select v.id, v.report_id, p.key, r.key, c.key, c.value, "
    "(select n.note from cell_notes n where n.version_id = v.id and n.part = p.key and n.row = r.key "
    f"and n.col = c.key), {_SEQ} {_CELLS_OF}"
)
