"""Text renderings of report pages -> Document.

Three forms occur (see tests/fixtures/seeds): a cell per line, each cell opening
with a tab and rows separated by blank lines; tab-separated rows; and
pipe-separated rows. Each becomes the same Document of paragraphs and grids.
"""

from __future__ import annotations

import re

from parsers.document import Document, Grid, check_grid_size, check_page_cells, clean_cell

_HEADING_MARKS = re.compile(r"^#+\s*")


def parse_text(text: str) -> Document:
    """Detect the rendering and split it into paragraphs and grids."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    lines = text.split("\n")
    pipe_rows = sum(1 for ln in lines if ln.count("|") >= 2)
    tab_rows = sum(1 for ln in lines if ln.strip("\t").count("\t") >= 2)
    if pipe_rows >= 5 and pipe_rows >= tab_rows:
        return _separated(lines, "|")
    if tab_rows >= 5:
        return _separated(lines, "\t")
    return _cell_per_line(lines)


class _Size:
    """A text rendering's table cells, counted as they are read: ParseError past a cap of
    parsers.document, before a hostile file has made a list of millions of them."""

    def __init__(self) -> None:
        self.page = self.rows = self.cells = 0

    def add(self, cells: int, rows: int = 0, width: int = 0) -> None:
        self.rows += rows
        self.cells += cells
        self.page += cells
        check_grid_size(self.rows, width, self.cells)
        check_page_cells(self.page)

    def next_grid(self) -> None:
        self.rows = self.cells = 0


def _separated(lines: list[str], sep: str) -> Document:
    """Rows of cells on one line each; consecutive rows form one table."""
    blocks: list[str | Grid] = []
    rows: list[list[str]] = []
    size = _Size()

    def flush() -> None:
        if rows:
            blocks.append(Grid(rows=list(rows)))
            rows.clear()
            size.next_grid()

    for line in lines:
        if sep in line and (sep != "|" or line.count("|") >= 2 or line.rstrip().endswith("|")):
            closed = sep == "|" and line.rstrip().endswith("|")  # the closing pipe opens no cell
            width = line.count(sep) + (not closed)
            size.add(width, rows=1, width=width)  # before the line is split
            cells = line.split(sep)
            if closed:
                cells = cells[:-1]
            cells = [clean_cell(c) for c in cells]
            if any(cells):
                rows.append(cells)
            continue
        para = clean_cell(_HEADING_MARKS.sub("", line))
        if para:
            flush()
            blocks.append(para)
    flush()
    return Document(blocks=blocks)


def _cell_per_line(lines: list[str]) -> Document:
    """A browser's copy of a Word table: '\\tcell' lines, blank line between rows.

    A cell may run over several lines ('商业' / '企业') and even contain a blank
    line ('结果' / '' / '纠正'); two blank lines, or a long line of prose, end the table.
    A cell is kept as the list of its lines, joined once when its table ends (adding each line
    to the cell's text copied the text each time: 113 s for a 6 MB file).
    """
    blocks: list[str | Grid] = []
    rows: list[list[list[str]]] = []
    row: list[list[str]] | None = None
    blanks = 0
    size = _Size()

    def flush() -> None:
        nonlocal row
        if row is not None and _filled(row):
            rows.append(row)
        row = None
        if rows:
            blocks.append(Grid(rows=[[clean_cell("\n".join(c)) for c in r] for r in rows]))
            rows.clear()
            size.next_grid()

    for line in lines:
        if not line.strip() and not line.startswith("\t"):
            blanks += 1
            continue
        if line.startswith("\t"):
            if row is None:
                row = []
            elif blanks:
                if _filled(row):
                    rows.append(row)
                row = []
            row.append([line[1:]])
            size.add(1, rows=len(row) == 1, width=len(row))
        elif row is not None and blanks <= 1 and len(line.strip()) <= 12:
            row[-1].append(line)  # a cell broken over lines
        else:
            flush()
            para = clean_cell(_HEADING_MARKS.sub("", line))
            if para:
                blocks.append(para)
        blanks = 0
    flush()
    return Document(blocks=blocks)


def _filled(row: list[list[str]]) -> bool:
    """True when some cell of the row holds text."""
    return any(part.strip() for cell in row for part in cell)
