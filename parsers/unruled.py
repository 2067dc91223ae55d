"""Tables drawn without ruled lines in a PDF: pdfplumber's text strategy, made into the grids the
ruled tables give, so the same grid path (parsers.tables) reads them.

Only a page where the lines strategy found no table and whose text holds the report's table
labels is read so (parsers.pdf). The page is cut into bands at its section headings (一、… with
no number on the line), and each band holding rows of numbers goes to pdfplumber's text
strategy (columns where words line up, rows at each line of text). Without rules, a cell of two
lines is two rows of text and a merged cell's label sits mid-way down the rows it spans, so the
lines are made rows again: a line whose label does not open a row (1., （一）, 一、) goes on the row
above when that row's label ran to the numbers (its second line) or it holds the numbers that
row lacks (set lower or higher in their cells), and the group label of a run of numbered rows (（三）不予公开, cut into lines among them) is
put on each of its rows, as a ruled table's merged cell is; one no line names whole is the group
whose rows' labels those are (a group cut by a page break).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from operator import itemgetter

from parsers import labels as L
from parsers.document import Grid
from parsers.numbers import parse_number

_HEADING = re.compile(r"^[一二三四五六七八九十]+、")
_ROW_START = re.compile(r"^(?:\d+[.、．]|[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、)")
_NUMBERED = re.compile(r"^\d+[.、．]")
_NUMBER = re.compile(r"^\d[\d,，.]*$")
# Labels only the report's three tables hold: a page with none has no unruled table of the report.
_TABLE_WORDS = ("信息内容", "勾稽关系", "申请人情况", "本年新收", "上年结转", "予以公开", "不予公开", "无法提供",
                "不予处理", "结转下年度", "行政复议", "行政诉讼", "维持", "纠正")  # fmt: skip
MIN_TABLE_WORDS = 3
ROW_NUMBERS = 4  # numbers on a line of a table's row (table 2 has 7, table 3 15; a paragraph's line a few)
MIN_ROWS = 3
_TABLE1_WORDS = ("第二十条", "信息内容")
SETTINGS = {"vertical_strategy": "text", "horizontal_strategy": "text", "min_words_vertical": 3}
_SLACK = 2.0  # points: words of one column start within this of each other
_LINE_SLACK = 3.0  # points: words of one line of text have their tops within this
_FULL_CHARS = 2.0  # a label line ending within this many characters of the numbers fills its cell


def has_table_labels(text: str) -> bool:
    """Whether a page's text names enough of the tables' labels to hold one of them, and has lines
    of numbers as their rows are (an overview names the labels too, with a number or two a line)."""
    flat = "".join(text.split())
    if sum(word in flat for word in _TABLE_WORDS) < MIN_TABLE_WORDS:
        return False
    lines = text.splitlines()
    return sum(_row_of_numbers(line) for line in lines) >= MIN_ROWS or _table1(flat, lines)


def _table1(flat: str, lines: list[str]) -> bool:
    """Table 1's heads, and lines with numbers under them (its rows hold one to three)."""
    return all(word in flat for word in _TABLE1_WORDS) and sum(bool(_numbers(line)) for line in lines) >= 2


def _row_of_numbers(text: str) -> bool:
    return len(_numbers(text)) >= ROW_NUMBERS


@dataclass
class _Row:
    group: list[str] = field(default_factory=list)  # label text left of the leaf column
    leaf: str = ""
    values: list[str] = field(default_factory=list)
    fragments: list[str] = field(default_factory=list)  # a merged group label's lines met on this row
    full: bool = False  # its label's last line runs to the numbers: a label of two lines goes on below

    def cells(self, group: str | None) -> list[str]:
        if group is None:  # a row of its own (一、本年新收…, （二）部分公开…): its label is all its text
            return ["".join(self.group) + self.leaf, "", *self.values]
        return [group, self.leaf, *self.values]


def text_tables(page) -> list[tuple[tuple[float, float, float, float], Grid, list[float]]]:
    """The unruled tables of a pdfplumber page: (bbox, grid, x of its inner value columns), each band's."""
    lines = page.extract_text_lines(return_chars=False)
    if not lines:
        return []
    headings = [ln for ln in lines if _HEADING.match(ln["text"]) and not _numbers(ln["text"])]
    tops = [page.bbox[1], *(ln["bottom"] for ln in headings)]  # the headings are no band's
    bottoms = [*(ln["top"] for ln in headings), page.bbox[3]]
    found = []
    for top, bottom in zip(tops, bottoms):
        if bottom - top < 1:
            continue
        band = page.crop((page.bbox[0], top, page.bbox[2], bottom))
        texts = [ln["text"] for ln in band.extract_text_lines(return_chars=False)]
        if not any(_row_of_numbers(t) for t in texts) and not _table1("".join("".join(texts).split()), texts):
            continue
        for table in band.find_tables(SETTINGS):
            made = _grid(band, table)
            if made is not None:
                found.append((table.bbox, *made))
    return found


def _numbers(text: str) -> list[str]:
    return [w for w in text.split() if _NUMBER.match(w)]


def _grid(page, table) -> tuple[Grid, list[float]] | None:
    """The text strategy's rows, each line's words placed: labels left of the numbers (the leaf's
    column where numbered rows start, the group's left of it), numbers by the column they stand in.
    Columns are where numbers overlap from line to line (left-, right- or centre-aligned alike):
    a heading over two columns does not split a number as the text strategy's edges may."""
    from pdfplumber.utils import cluster_objects  # here, as in parsers.pdf: a crawl of no PDF does not import pdfminer

    # The text strategy starts a table at its first column of aligned words: a label column of
    # few lines (三、本年度办理结果, （七）总计) falls left of it, so the table takes the lines' whole width.
    x0, top, x1, bottom = table.bbox
    words = [w for w in page.extract_words() if top <= (w["top"] + w["bottom"]) / 2 <= bottom]
    numeric = [w for w in words if _NUMBER.match(w["text"])]
    if not numeric:
        return None
    cols = _columns(numeric)
    value_x = cols[0][0] - _SLACK
    leaves = [w["x0"] for w in words if w["x0"] < value_x and _NUMBERED.match(w["text"])]
    leaf_x = min(leaves) - _SLACK if leaves else page.bbox[0]
    rows: list[_Row] = []
    pending: list[str] = []  # a line of numbers only that the row above has already
    for mid in cluster_objects(words, itemgetter("top"), _LINE_SLACK):  # the text strategy's rows: its lines
        labels = [w for w in mid if w["x1"] <= value_x or w["x0"] < value_x and not _NUMBER.match(w["text"])]
        group = [w["text"] for w in labels if w["x0"] < leaf_x]
        leaf = "".join(w["text"] for w in labels if w["x0"] >= leaf_x)
        size = max((w["bottom"] - w["top"] for w in labels), default=0.0)  # about a character's width
        full = bool(labels) and max(w["x1"] for w in labels) >= value_x - _FULL_CHARS * size
        values = [""] * len(cols)
        for w in mid:
            if w not in labels:
                k = _column(cols, w)
                values[k] += w["text"]
        if group or leaf:
            line = _Row(group, leaf, [a or b for a, b in zip(values, pending)] if pending else values, full=full)
            pending = []
            _add(rows, line)
        elif any(values):  # a row's numbers set apart from its label: the row above's, or the next
            if pending:  # two lines of them: the first is a row of its own (a table's heads)
                rows.append(_Row(values=pending))
            if rows and not any(a and b for a, b in zip(rows[-1].values, values)):
                rows[-1].values, pending = [a or b for a, b in zip(rows[-1].values, values)], []
            else:
                pending = values
    if pending:
        rows.append(_Row(values=pending))
    if not any(parse_number(v)[1] for r in rows for v in r.values):
        return None
    kept = [(r, g) for r, g in zip(rows, _groups(rows)) if r.leaf or r.group or any(r.values)]  # not a label's line
    return Grid(rows=[r.cells(g) for r, g in kept]), [x0 for x0, _ in cols[1:]]


def _columns(numeric: list[dict]) -> list[tuple[float, float]]:
    """(x0, x1) of each column of numbers: the spans of numbers that overlap, merged."""
    cols: list[list[float]] = []
    for w in sorted(numeric, key=lambda w: w["x0"]):
        if cols and w["x0"] <= cols[-1][1]:
            cols[-1][1] = max(cols[-1][1], w["x1"])
        else:
            cols.append([w["x0"], w["x1"]])
    return [(a, b) for a, b in cols]


def _column(cols: list[tuple[float, float]], word: dict) -> int:
    """The column a word stands in: the one it overlaps most, else the nearest (a heading)."""

    def overlap(col: tuple[float, float]) -> float:
        return min(col[1], word["x1"]) - max(col[0], word["x0"])

    def distance(col: tuple[float, float]) -> float:
        return abs((col[0] + col[1]) / 2 - (word["x0"] + word["x1"]) / 2)

    best = max(range(len(cols)), key=lambda k: (overlap(cols[k]), -distance(cols[k])))
    return best


def _add(rows: list[_Row], line: _Row) -> None:
    """A line of text: a row of its own, or the rest of the row above (a label's second line under
    one that filled its cell, its numbers where the row above has none), or a line of a merged
    group label."""
    opens = _ROW_START.match(line.leaf) or any(_ROW_START.match(g) for g in line.group)
    row = rows[-1] if rows else None
    fragment = bool(line.group) and not line.leaf and not any(line.values)  # 法提供: a group label's line
    clash = row is not None and any(a and b for a, b in zip(row.values, line.values))
    goes_on = (
        row is not None and not clash and (row.full or fragment and bool(row.fragments or _NUMBERED.match(row.leaf)))
    )
    if opens or not goes_on:
        alone = not line.leaf and not any(line.values)  # （四）无 alone: a group label's first line
        if alone or _NUMBERED.match(line.leaf):  # or beside a numbered row: a line of its group's label
            line.fragments, line.group = line.group, []
        rows.append(line)
        return
    assert row is not None
    if _NUMBERED.match(row.leaf) or not row.leaf and row.fragments:
        row.fragments += line.group
    else:
        row.group += line.group
    row.leaf += line.leaf
    row.values = [a or b for a, b in zip(row.values, line.values)]
    row.full = line.full if line.leaf or not fragment else row.full


def _groups(rows: list[_Row]) -> list[str | None]:
    """The group label of each row in a run of numbered rows (1. … n.): its lines joined, or the
    group its rows' labels belong to; None for the other rows (their own label text)."""
    out: list[str | None] = [None] * len(rows)
    start = 0
    while start < len(rows):
        if not _NUMBERED.match(rows[start].leaf) and not rows[start].fragments:
            start += 1
            continue
        end, first = start, True
        while end < len(rows) and (_NUMBERED.match(rows[end].leaf) or rows[end].fragments and not rows[end].leaf):
            if rows[end].leaf and not first and re.match(r"^1[.、．]", rows[end].leaf):
                break  # the next group's first row
            first = first and not rows[end].leaf
            end += 1
        block = rows[start:end]
        text = "".join(f for r in block for f in r.fragments)
        group = next((name for name, key in L.GROUPS if L.group_of(text) == key), None) or _by_leaves(block)
        for k in range(start, end):
            out[k] = group or text
        start = max(end, start + 1)
    return out


def _by_leaves(block: list[_Row]) -> str | None:
    """The group whose row labels the block's rows hold most of (a group label cut off by a page)."""
    votes = {name: sum(any(word in r.leaf for word, _ in L.GROUP_LEAVES[key]) for r in block) for name, key in L.GROUPS}
    best = max(votes, key=votes.__getitem__)
    return best if votes[best] else None
