"""Ruled tables in a page image: where their lines are, and which cells are merged.

What pdfplumber finds from a PDF's drawn lines, found from pixels: the dark pixels of the page
(an adaptive threshold, so a grey scan works too), opened by a long thin kernel along each axis,
keep the table's rules and lose the text (a character's stroke is shorter than the kernel).
Each group of touching rules is a table; the rules' positions make its grid of unit cells, and
two neighbouring units whose border has no rule along most of its length are one merged cell
(a rowspan or colspan), exactly as a merged cell of a PDF or HTML table is expanded.

OCR boxes are then put in the unit cell under their centre (parsers.ocr). The real reports'
tables are ruled (Word and WPS draw every border), so this finds rows and columns more surely
than clustering the boxes by coordinates: a group label centred over five rows (（五）不予处理)
is one cell over those five rows, as in the PDF, not a row of its own between two of them.
"""

from __future__ import annotations

from dataclasses import dataclass

_MERGE_TOLERANCE = 4  # px: rules within this of each other are one (a rule is 1-3 px thick)
_COVERED = 0.6  # a border is drawn when a rule runs along at least this share of it
_MIN_UNIT = 8  # px: units thinner than this are a doubled rule, not a row or column


@dataclass
class RuledTable:
    """One table: x of its vertical rules and y of its horizontal ones (both edges included), and
    for each unit cell (row r, column c) the id of the cell it belongs to (merged units share it)."""

    xs: list[int]
    ys: list[int]
    cells: list[list[int]]

    @property
    def box(self) -> tuple[int, int, int, int]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]

    def unit_at(self, x: float, y: float) -> tuple[int, int] | None:
        """The unit cell (r, c) under a point, or None outside the table."""
        if not (self.xs[0] <= x < self.xs[-1] and self.ys[0] <= y < self.ys[-1]):
            return None
        c = next(i for i in range(len(self.xs) - 1) if x < self.xs[i + 1])
        r = next(i for i in range(len(self.ys) - 1) if y < self.ys[i + 1])
        return r, c


def find_tables(gray) -> list[RuledTable]:
    """The ruled tables of a page image (a 2-D uint8 numpy array, 0 black), top to bottom."""
    import cv2
    import numpy as np

    height, width = gray.shape
    dark = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    reach = max(20, min(width, height) // 40)  # ~30 px at 150 dpi: longer than any stroke of a character
    horizontal = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (reach, 1)))
    vertical = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, reach)))
    rules = cv2.dilate(horizontal | vertical, np.ones((3, 3), np.uint8))
    count, _labels, stats, _centroids = cv2.connectedComponentsWithStats(rules, connectivity=8)
    tables = []
    for i in range(1, count):
        x, y, w, h, _area = stats[i]
        if w < width // 5 or h < 2 * reach:
            continue  # an underline, a stray rule, a box around one line: not a table
        table = _table(horizontal[y : y + h, x : x + w], vertical[y : y + h, x : x + w], x, y)
        if table is not None:
            tables.append(table)
    tables.sort(key=lambda t: t.ys[0])
    return tables


def _table(horizontal, vertical, x0: int, y0: int) -> RuledTable | None:
    """The grid of one group of touching rules (arrays cut to its bounding box, offset x0, y0)."""
    ys = _positions(horizontal, axis=0)
    xs = _positions(vertical, axis=1)
    if len(ys) < 2 or len(xs) < 3:
        return None
    cells = _merge(horizontal, vertical, xs, ys)
    return RuledTable(xs=[x + x0 for x in xs], ys=[y + y0 for y in ys], cells=cells)


def _positions(mask, axis: int) -> list[int]:
    """Where the rules along one axis are: the rows (axis 0) or columns (axis 1) of the mask that
    a rule runs through, runs of neighbours taken as one (their middle)."""
    import cv2

    count, _labels, stats, _centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    centres = sorted(
        int(stats[i][1] + stats[i][3] // 2) if axis == 0 else int(stats[i][0] + stats[i][2] // 2)
        for i in range(1, count)
    )
    out: list[int] = []
    for c in centres:
        if out and c - out[-1] <= _MERGE_TOLERANCE:
            continue
        if out and c - out[-1] < _MIN_UNIT:
            continue
        out.append(c)
    return out


def _merge(horizontal, vertical, xs: list[int], ys: list[int]) -> list[list[int]]:
    """The cell id of each unit: units with no rule between them are joined (union-find)."""
    rows, cols = len(ys) - 1, len(xs) - 1
    parent = list(range(rows * cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(rows):
        for c in range(cols):
            if c + 1 < cols and not _drawn(vertical, xs[c + 1], ys[r], ys[r + 1], along_y=True):
                parent[find(r * cols + c + 1)] = find(r * cols + c)
            if r + 1 < rows and not _drawn(horizontal, ys[r + 1], xs[c], xs[c + 1], along_y=False):
                parent[find((r + 1) * cols + c)] = find(r * cols + c)
    ids: dict[int, int] = {}
    return [[ids.setdefault(find(r * cols + c), len(ids)) for c in range(cols)] for r in range(rows)]


def _drawn(mask, at: int, start: int, end: int, along_y: bool) -> bool:
    """Whether a rule runs at `at` (x for a vertical border, y for a horizontal one) along most
    of start..end (its ends, where the crossing rules are, left out)."""
    pad = _MERGE_TOLERANCE
    lo, hi = start + pad, end - pad
    if hi <= lo:
        return True
    band = mask[lo:hi, max(0, at - pad) : at + pad + 1] if along_y else mask[max(0, at - pad) : at + pad + 1, lo:hi]
    hits = band.any(axis=1 if along_y else 0)
    return bool(hits.mean() >= _COVERED)
