"""Text renderings of report pages -> Document.

Three forms occur (see tests/fixtures/seeds): a cell per line, each cell opening
with a tab and rows separated by blank lines; tab-separated rows; and
pipe-separated rows. Each becomes the same Document of paragraphs and grids.
"""

from __future__ import annotations

import re

from parsers.document import Document, Grid, clean_cell

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


def _separated(lines: list[str], sep: str) -> Document:
    """Rows of cells on one line each; consecutive rows form one table."""
    blocks: list[str | Grid] = []
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            blocks.append(Grid(rows=list(rows)))
            rows.clear()

    for line in lines:
        if sep in line and (sep != "|" or line.count("|") >= 2 or line.rstrip().endswith("|")):
            cells = line.split(sep)
            if sep == "|" and line.rstrip().endswith("|"):
                cells = cells[:-1]  # the closing pipe opens no cell
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
    """
    blocks: list[str | Grid] = []
    rows: list[list[str]] = []
    row: list[str] | None = None
    blanks = 0

    def flush() -> None:
        nonlocal row
        if row is not None and any(c.strip() for c in row):
            rows.append(row)
        row = None
        if rows:
            blocks.append(Grid(rows=[[clean_cell(c) for c in r] for r in rows]))
            rows.clear()

    for line in lines:
        if not line.strip() and not line.startswith("\t"):
            blanks += 1
            continue
        if line.startswith("\t"):
            if row is None:
                row = []
            elif blanks:
                if any(c.strip() for c in row):
                    rows.append(row)
                row = []
            row.append(line[1:])
        elif row is not None and blanks <= 1 and len(line.strip()) <= 12:
            row[-1] += "\n" + line  # a cell broken over lines
        else:
            flush()
            para = clean_cell(_HEADING_MARKS.sub("", line))
            if para:
                blocks.append(para)
        blanks = 0
    flush()
    return Document(blocks=blocks)
