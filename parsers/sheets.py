"""Spreadsheets (.xlsx by openpyxl, .xls by xlrd) -> Document: a grid per sheet.

Some agencies publish the report's tables as a workbook. Each sheet becomes one Grid with its
merged ranges expanded (the text in every position, one origin), as a rowspan/colspan is in
HTML. Rows above the table that hold one piece of text (a sheet's title, 表二 …) are read as
paragraphs, so the title can name the agency and year; numbers are written as the sheet
shows them (3.0 is 3).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass

from parsers.document import Grid, clean_cell
from parsers.errors import ParseError, reraise_budget

log = logging.getLogger(__name__)

MAX_CELLS = 100_000  # per sheet, as parsers.html: table 2 is ~300 positions
MAX_SHEETS = 50


@dataclass
class SheetContent:
    blocks: list[str | Grid]
    grid_sheets: list[str]  # the sheet each grid comes from


def read_xlsx(data: bytes) -> SheetContent:
    import openpyxl  # imported here: only workbooks need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)  # data_only: a formula's value, not its text
        sheets = []
        for ws in book.worksheets[:MAX_SHEETS]:
            _check(ws.max_row, ws.max_column, ws.title)
            values = [[_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
            merges = [(r.min_row - 1, r.min_col - 1, r.max_row, r.max_col) for r in ws.merged_cells.ranges]
            sheets.append((ws.title, values, merges))
    except ParseError:
        raise
    except Exception as exc:  # openpyxl raises many types on bad files (KeyError, BadZipFile, XML errors)
        reraise_budget(exc)
        log.debug("unreadable .xlsx", exc_info=True)
        raise ParseError(f"not a readable .xlsx ({type(exc).__name__})") from None
    return _content(sheets)


def read_xls(data: bytes) -> SheetContent:
    import xlrd  # imported here: only old workbooks need it

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)  # merges need formatting
        sheets = []
        for i in range(min(book.nsheets, MAX_SHEETS)):
            sh = book.sheet_by_index(i)
            _check(sh.nrows, sh.ncols, sh.name)
            values = [[_xls_text(book, sh.cell(r, c)) for c in range(sh.ncols)] for r in range(sh.nrows)]
            merges = [(r0, c0, r1, c1) for r0, r1, c0, c1 in sh.merged_cells]  # xlrd: rows, then columns
            sheets.append((sh.name, values, merges))
    except ParseError:
        raise
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, struct errors ... on bad files
        reraise_budget(exc)
        log.debug("unreadable .xls", exc_info=True)
        raise ParseError(f"not a readable .xls ({type(exc).__name__})") from None
    return _content(sheets)


def _check(rows: int | None, cols: int | None, name: str) -> None:
    if (rows or 0) * (cols or 0) > MAX_CELLS:
        raise ParseError(f"sheet {name!r} has {rows}×{cols} cells, more than any report table")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10] if not isinstance(value, dt.datetime) or not value.time() else value.isoformat()
    return clean_cell(str(value))


def _xls_text(book, cell) -> str:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return _text(xlrd.xldate_as_datetime(cell.value, book.datemode))
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return str(cell.value)
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    return _text(cell.value)


def _content(sheets: list[tuple[str, list[list[str]], list[tuple[int, int, int, int]]]]) -> SheetContent:
    content = SheetContent(blocks=[], grid_sheets=[])
    for name, values, merges in sheets:
        grid = _grid(values, merges)
        while grid.rows and _title_row(grid, 0):  # a title above the table: a paragraph
            content.blocks.append(next(t for t in grid.rows[0] if t))
            grid = Grid(rows=grid.rows[1:], origins=grid.origins[1:])
        if grid.rows:
            content.blocks.append(grid)
            content.grid_sheets.append(name)
    return content


def _title_row(grid: Grid, r: int) -> bool:
    texts = {(t, o) for t, o in zip(grid.rows[r], grid.origins[r]) if t}
    return len(texts) == 1 and not next(iter(texts))[0].startswith("第二十条")  # not table 1's anchor row


def _grid(values: list[list[str]], merges: list[tuple[int, int, int, int]]) -> Grid:
    """Cell values (rows of text) and merged ranges (row0, col0, row1, col1; ends exclusive) -> Grid."""
    width = max((len(row) for row in values), default=0)
    rows = [row + [""] * (width - len(row)) for row in values]
    origins = [[r * width + c for c in range(width)] for r in range(len(rows))]
    for r0, c0, r1, c1 in merges:
        if r0 >= len(rows) or c0 >= width:
            continue
        text, origin = rows[r0][c0], origins[r0][c0]
        for r in range(r0, min(r1, len(rows))):
            for c in range(c0, min(c1, width)):
                rows[r][c], origins[r][c] = text, origin
    kept = [r for r, row in enumerate(rows) if any(row)]
    return Grid(rows=[rows[r] for r in kept], origins=[origins[r] for r in kept])
