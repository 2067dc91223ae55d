"""A table that runs over a page break, put back together.

A PDF has no tables, only a table per page: table 2 of a WPS-made report ends at the foot of
one page and goes on at the head of the next, and the break can cut through a row label
(（四）无 | 法提供) or leave the rest of a merged cell empty on the new page. `join` makes one
grid of the two parts again, so extraction reads the rows as it reads an HTML table.

The first row of the continuation is the only place the cut shows. Going left to right
along its label cells (a label path goes from the parent to the leaf), a cell carries on
the cell above it (the previous part's last row) when it is
  - empty while the cell above holds a label (the rest of a merged cell whose text stayed
    above), or
  - a fragment that completes the label above into a template label: the joined text
    looks more like one of the template's labels (parsers.similar.label_score) than
    either piece does. 行政许可 | 行政处罚 stay two rows; （四）无 | 法提供 become one cell.
The first cell that does not carry on ends the walk (a new parent has new children).
When every label cell of the row carries on, the row is the rest of the row above, cut in
two: the two become one row.
"""

from __future__ import annotations

from parsers.document import Grid
from parsers.labels import norm, strip_numbering
from parsers.numbers import parse_number
from parsers.similar import THRESHOLD, label_score


def _is_label(text: str) -> bool:
    return bool(text) and not parse_number(text)[1]


def _score(text: str) -> float:
    return label_score(strip_numbering(norm(text)))


def carries_on(above: str, below: str) -> bool:
    """Does `below`, at the head of a continued table, carry on the label `above` it?"""
    if not _is_label(above):
        return False
    if not below:
        return True
    if not _is_label(below):
        return False
    joined = _score(above + below)
    return joined >= THRESHOLD and joined > max(_score(above), _score(below))


def join(first: Grid, second: Grid) -> Grid:
    """One grid of a table's part before a page break and its part after it (same columns)."""
    rows = [list(r) for r in first.rows]
    origins = [list(o) for o in first.origins]
    shift = 1 + max((o for row in origins for o in row), default=-1)
    rest = [list(r) for r in second.rows]
    rest_o = [[o + shift for o in row] for row in second.origins]
    if not rows or not rest:
        return Grid(rows=rows + rest, origins=origins + rest_o)
    above, above_o, head = rows[-1], origins[-1], rest[0]
    carried: list[int] = []
    for c, text in enumerate(head):
        if c >= len(above) or (not _is_label(above[c]) and not _is_label(text)):
            continue  # value cells (or blanks on both sides) are not part of the label path
        if not carries_on(above[c], text):
            break
        carried.append(c)
        _merge_cell(rows, origins, rest, rest_o, above_o[c], rest_o[0][c], above[c] + text)
    whole_row = carried and all(c in carried for c, t in enumerate(head) if _is_label(t) or _is_label(above[c]))
    if whole_row:  # the row itself was cut: its two halves become one row
        for c, text in enumerate(rest[0]):
            if c < len(above) and not above[c] and text:
                above[c], above_o[c] = text, rest_o[0][c]
        rest, rest_o = rest[1:], rest_o[1:]
    return Grid(rows=rows + rest, origins=origins + rest_o)


def _merge_cell(
    rows: list[list[str]],
    origins: list[list[int]],
    rest: list[list[str]],
    rest_o: list[list[int]],
    kept: int,
    gone: int,
    text: str,
) -> None:
    """The cell `kept` (above the break) and `gone` (below it) are one cell holding `text`."""
    for grid_rows, grid_o in ((rows, origins), (rest, rest_o)):
        for row, ids in zip(grid_rows, grid_o):
            for c, o in enumerate(ids):
                if o in (kept, gone):
                    row[c], ids[c] = text, kept
