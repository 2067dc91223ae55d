"""The normalised form every input becomes: paragraphs and rectangular grids.

A `Document` is what the HTML and text normalisers produce and what extraction
reads. Its `records()` rendering (one line per paragraph, one tab-separated line
per grid row) is the text that gets stored, diffed and searched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from parsers.errors import ParseError

_WS = re.compile(r"\s+")

# A report's tables have tens of rows and at most ~20 grid columns (table 3: a label and 15
# numbers), a page a few thousand cells. Far past that a table is not one of them, and reading it
# would cost the time and memory no page may take: such a page is refused (ParseError), in HTML
# (counted before a table is expanded, and as rowspan/colspan expand it) as in text renderings.
MAX_GRID_ROWS = 20_000
MAX_GRID_COLUMNS = 1_000
MAX_GRID_CELLS = 100_000  # grid positions, after rowspan/colspan
MAX_PAGE_CELLS = 500_000  # over every table of the page


def table_too_large(what: str, count: int, limit: int) -> ParseError:
    """The one-line error for a table (or a page of tables) past a cap."""
    return ParseError(f"a table of {count:,} {what}, more than any report table has (at most {limit:,})")


def check_grid_size(rows: int, columns: int, cells: int) -> None:
    """Raise ParseError when a grid of this size is past a cap."""
    for what, count, limit in (
        ("rows", rows, MAX_GRID_ROWS),
        ("columns", columns, MAX_GRID_COLUMNS),
        ("cells", cells, MAX_GRID_CELLS),
    ):
        if count > limit:
            raise table_too_large(what, count, limit)


def check_page_cells(cells: int) -> None:
    """Raise ParseError when a page's tables hold more than MAX_PAGE_CELLS cells in all."""
    if cells > MAX_PAGE_CELLS:
        raise ParseError(f"a page of more than {MAX_PAGE_CELLS:,} table cells, more than any report has")


def clean_cell(text: str) -> str:
    """Collapse white space (NBSP, U+3000 and line breaks included) to single spaces."""
    return _WS.sub(" ", text).strip()


@dataclass
class Grid:
    """A table as a rectangle: rowspan/colspan expanded, so every row has its label path.

    `origins[r][c]` names the source cell a grid position was copied from, so a
    value spread over several columns by colspan is read once, not twice.
    """

    rows: list[list[str]]
    origins: list[list[int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.origins:
            # Text renderings have no spans: every position is its own cell.
            n = 0
            self.origins = []
            for row in self.rows:
                self.origins.append(list(range(n, n + len(row))))
                n += len(row)

    def distinct_rows(self) -> list[list[str]]:
        """Each row with colspan copies folded back into one cell."""
        out = []
        for row, ids in zip(self.rows, self.origins):
            cells: list[str] = []
            last = None
            for text, origin in zip(row, ids):
                if origin != last:
                    cells.append(text)
                last = origin
            out.append(cells)
        return out


@dataclass
class Document:
    """A report page reduced to its reading order: paragraphs (str) and tables (Grid)."""

    blocks: list[str | Grid]
    title: str | None = None  # from <title>/<h1>/meta where the page has one
    meta: dict[str, str] = field(default_factory=dict)
    # The site's content area: None = none asked for; False = not on the page, so the whole
    # page was read (a portal changed its template: worth logging, never a lost report).
    content_found: bool | None = None
    links: list[str] = field(default_factory=list)  # every <a href> of the page, in order (attachments among them)

    @property
    def paragraphs(self) -> list[str]:
        return [b for b in self.blocks if isinstance(b, str)]

    @property
    def grids(self) -> list[Grid]:
        return [b for b in self.blocks if isinstance(b, Grid)]

    def records(self) -> list[str]:
        """Text records: a line per paragraph, a tab-separated line per grid row."""
        lines: list[str] = []
        n = 0
        for block in self.blocks:
            if isinstance(block, Grid):
                n += 1
                lines.append(f"[table {n}]")
                lines.extend("\t".join(row) for row in block.rows)
                lines.append(f"[/table {n}]")
            else:
                lines.append(block)
        return lines
