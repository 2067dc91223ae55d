"""The cells table (schema 10, storage/cells.py): what it holds agrees with each version's JSON form,
`current_cells` follows the current version through revisions and reverts, a database of schema 8
(cells a view of report_json, notes in cell_notes) is filled on opening, and the questions across
reports are answered from indexes."""

from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils

from checks.assess import assessed
from parsers.load import parse_path
from parsers.model import TABLE_PARTS
from storage.schema import MIGRATIONS, SCHEMA_VERSION, version
from storage.store import Store
from tests.storage.conftest import REAL_FILES, ingest
from tests.storage.series import SEEDS

SEED_003 = SEEDS / "003_42b2e6b1a7d7c7c9.txt"


def cells_of_json(data: dict) -> list[tuple]:
    """(part, row, col, value) of every table cell of a report's JSON form, in its order."""
    return [
        (part, row, col, value)
        for part in TABLE_PARTS.values()
        for row, cols in (data.get(part) or {}).items()
        for col, value in cols.items()
    ]


def stored_cells(store: Store, version_id: int) -> list[tuple]:
    sql = "select part, row, col, value from cells where version_id = ? order by seq"
    return [tuple(r) for r in store.db.execute(sql, [version_id]).fetchall()]


def current(store: Store, report_id: int) -> list[tuple]:
    sql = "select version_id, part, row, col, value from current_cells where report_id = ? order by seq"
    return [tuple(r) for r in store.db.execute(sql, [report_id]).fetchall()]


def test_cells_agree_with_each_version_json(seeded: Store) -> None:
    for version_id, report_id, data in seeded.db.execute("select id, report_id, report_json from versions"):
        expected = cells_of_json(json.loads(data))
        assert stored_cells(seeded, version_id) == expected
        assert {r[0] for r in seeded.db.execute("select report_id from cells where version_id = ?", [version_id])} == {
            report_id
        }
        assert [c[1:] for c in current(seeded, report_id)] == expected
    # values keep their kind: counts are integers, decimals reals, blanks null
    kinds = {r[0] for r in seeded.db.execute("select distinct typeof(value) from cells")}
    assert kinds == {"integer", "real", "null"}


def test_a_revision_makes_the_new_cells_current_and_a_revert_the_old_ones(
    store: Store, series: dict[str, Path]
) -> None:
    first = ingest(store, series["2022"], url="https://example.gov.cn/2022.html")
    second = ingest(store, series["fixed_2022"], url="https://example.gov.cn/2022.html")
    assert second.status == "changed" and second.report_id == first.report_id
    carried = ("applications", "carried_over", "total")
    values = {
        v: dict(((p, r, c), x) for p, r, c, x in stored_cells(store, v)) for v in (first.version_id, second.version_id)
    }
    assert [values[v][carried] for v in (first.version_id, second.version_id)] == [1, 2]  # both versions kept
    now = current(store, first.report_id)
    assert {c[0] for c in now} == {second.version_id}  # the old version's cells are not current
    assert dict(((p, r, c), x) for _, p, r, c, x in now)[carried] == 2
    back = ingest(store, series["2022"], url="https://example.gov.cn/2022.html")  # the page went back
    assert back.version_id == first.version_id
    assert {c[0] for c in current(store, first.report_id)} == {first.version_id}
    assert store.db.execute("select count(*) from cells").fetchone()[0] == 2 * len(now)  # no third copy


def test_notes_are_kept_with_their_cells(seeded: Store) -> None:
    notes = seeded.db.execute("select part, row, col, value, note from cells where note is not null").fetchall()
    assert notes == [("active_disclosure", "procurement", "amount", 251000, "251000元")]


def _schema_8_database(path: Path) -> dict:
    """A database as schema 8 left it (cells a view of report_json, a note in cell_notes), with
    the seeds stored by the code of that time: the rows as they were, made here by SQL."""
    db = sqlite_utils.Database(path)
    db["schema_meta"].create({"key": str, "value": str}, pk="key")
    for migration in MIGRATIONS[:8]:
        migration(db)
    db["schema_meta"].insert({"key": "schema_version", "value": "8"})
    db["sites"].insert({"name": "xicheng"})
    expected = {}
    for n, path_ in enumerate(REAL_FILES[:3], start=1):
        report = assessed(parse_path(path_).report)
        rid = db["reports"].insert({"site": "xicheng", "report_key": f"k{n}", "agency": report.agency,
                                    "year": report.year, "current_version": n}).last_pk  # fmt: skip
        data = report.to_json()
        db["versions"].insert({"id": n, "report_id": rid, "content_hash": str(n), "report_json": json.dumps(data)})
        expected[n] = cells_of_json(data)
    db["cell_notes"].insert(
        {"version_id": 2, "part": "applications", "row": "granted", "col": "total", "note": "另3件"}
    )
    assert db.execute("select count(*) from cells").fetchone()[0] == sum(map(len, expected.values()))  # the view
    db.close()
    return expected


def test_a_schema_8_database_gets_its_cells_table_filled(tmp_path: Path) -> None:
    expected = _schema_8_database(tmp_path / "old.db")
    with Store(tmp_path / "old.db") as store:
        assert version(store.db) == SCHEMA_VERSION
        assert "cells" in store.db.table_names() and "cell_notes" not in store.db.table_names()
        for version_id, cells in expected.items():
            assert stored_cells(store, version_id) == cells
            assert [c[1:] for c in current(store, version_id)] == cells
        notes = store.db.execute("select version_id, row, col, note from cells where note is not null").fetchall()
        assert notes == [(2, "granted", "total", "另3件")]
        # and a report stored now lands beside them
        saved = ingest(store, SEED_003, site="demo")
        assert stored_cells(store, saved.version_id) == cells_of_json(json.loads(
            store.db.execute("select report_json from versions where id = ?", [saved.version_id]).fetchone()[0]))  # fmt: skip


# The questions across reports as Datasette users ask them: each starts from an index of reports
# and finds each report's cell by the primary key of cells, never by reading a table through.
QUESTIONS = [
    "select count(value), sum(value) from current_cells where year = 2021 and part = 'applications' "
    "and row = 'new_received' and col = 'total'",
    "select site, sum(value) from current_cells where year = 2021 and part = 'applications' and row = 'new_received' "
    "and col = 'total' group by site",
    "select year, value from current_cells where agency = '北京市西城区人民政府' and part = 'applications' "
    "and row = 'new_received' and col = 'total' order by year",
    "select part, row, col, value from current_cells where report_id = 1 order by seq",
    "select count(*) from cells c join reports r on r.current_version = c.version_id where r.agency = '北京市西城区人民政府'",
]


def test_questions_across_reports_use_indexes(seeded: Store) -> None:
    for sql in QUESTIONS:
        plan = [r[3] for r in seeded.db.execute("explain query plan " + sql)]
        assert not [step for step in plan if step.startswith("SCAN")], (sql, plan)
        assert any("cells" in step or " c " in f" {step} " for step in plan if "PRIMARY KEY" in step), (sql, plan)
    assert seeded.db.execute(QUESTIONS[0]).fetchone()[0] > 0
