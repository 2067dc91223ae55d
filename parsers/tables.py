"""Tables 1-3 from the grids: one stream of rows across every grid, because real pages split one
table over several <table> elements (or put three in one). Anchor rows (第二十条 / 信息内容,
勾稽关系 / 申请人情况, 行政复议) say which table the following rows belong to; labels say which
row; numbers are read in order, the column heads confirming rather than placing them."""

from __future__ import annotations

from dataclasses import dataclass

from parsers import labels as L
from parsers.document import Document, Grid
from parsers.labels import norm
from parsers.model import (
    APPLICANT_COLUMNS,
    ORG_SUBTOTAL,
    REVIEW_FIELDS,
    REVIEW_GROUPS,
    Number,
    Report,
)
from parsers.numbers import has_note, parse_number


def read_tables(doc: Document, report: Report) -> None:
    """Fill the report's tables (and its template, when the heads tell it) from the document's grids."""
    tables = _Tables(report)
    for grid in doc.grids:
        for row in _reading_rows(grid):
            tables.feed(row)
    tables.finish()


def _reading_rows(grid: Grid) -> list[list[str]]:
    """The grid's distinct rows without Word's padding columns.

    A Word table may give 自然人 two grid columns: its head spans both and every value row
    has an empty cell in the second, so a row holds eight cells for seven columns, and with
    blank cells among them the numbers cannot be told apart by counting. A grid column that
    never holds text of its own (only colspan copies of the cell to its left, or nothing)
    carries no cell of the table: drop it. Text renderings have no colspans: untouched.
    """
    own: set[int] = {0}
    spanned: set[int] = set()
    for row, ids in zip(grid.rows, grid.origins):
        previous = None
        for c, (text, origin) in enumerate(zip(row, ids)):
            if text:
                (spanned if origin == previous else own).add(c)
            previous = origin
    padding = spanned - own
    if not padding:
        return grid.distinct_rows()
    width = max(len(row) for row in grid.rows)
    keep = [c for c in range(width) if c not in padding]
    return Grid(
        rows=[[row[c] for c in keep if c < len(row)] for row in grid.rows],
        origins=[[ids[c] for c in keep if c < len(ids)] for ids in grid.origins],
    ).distinct_rows()


@dataclass
class _Row:
    labels: list[str]  # normalised, non-empty, consecutive duplicates folded
    values: list[str]  # raw value cells after the last label (blanks kept)


def _split(row: list[str]) -> _Row:
    last_label = -1
    for i, cell in enumerate(row):
        if cell and not parse_number(cell)[1]:
            last_label = i
    labels: list[str] = []
    for cell in row[: last_label + 1]:
        n = norm(cell)
        if n and (not labels or labels[-1] != n):
            labels.append(n)
    return _Row(labels=labels, values=row[last_label + 1 :])


_APPLICANT_HEAD_WORDS = {"申请人情况", "自然人", "法人或其他组织", "商业企业", "科研机构"}


class _Tables:
    """A small state machine over the row stream of all grids."""

    def __init__(self, report: Report) -> None:
        self.r = report
        self.ctx: int | None = None
        self.heads: list[tuple[str | None, str]] = []
        self.parent1: str | None = None  # table 1: (field, head text) per value column
        self.evidence: dict[str, int] = {"2019": 0, "2021": 0}
        self.group: str | None = None
        self.in_results = False
        self.columns: tuple[str, ...] = APPLICANT_COLUMNS
        self.done: set[int] = set()
        self.fields1: list[str] = []  # table 1's field per value column, made once per head row
        self.results: set[str] = set(report.result_rows)  # report.result_rows as a set: one look-up a row

    # anchors
    def _anchor(self, row: _Row) -> int | None:
        for lab in row.labels:
            if "勾稽关系" in lab or lab == "申请人情况" or L.top_row_key(lab) == "new_received":
                return 2
            if lab.startswith("行政复议") and len(lab) <= 6:
                return 3
            if lab.startswith("第二十条") or lab == "信息内容":
                return 1
        return None

    def feed(self, cells: list[str]) -> None:
        row = _split(cells)
        anchor = self._anchor(row)
        if anchor is not None and anchor not in self.done and anchor != self.ctx:
            self.ctx = anchor
            self.group, self.in_results = None, False
        if self.ctx == 1:
            self._table1(row)
        elif self.ctx == 2:
            self._table2(row)
        elif self.ctx == 3:
            self._table3(row)

    def finish(self) -> None:
        r = self.r
        r.tables = sorted(set(r.tables))
        if self.evidence["2021"] > self.evidence["2019"]:
            r.template = "2021"
        elif self.evidence["2019"] > self.evidence["2021"]:
            r.template = "2019"
        elif 2 in r.tables:
            other21 = any(k in r.applications for k in ("other_no_correction", "other_unpaid_fee", "other_other"))
            r.template = "2021" if other21 else "2019" if "other" in r.applications else None
        if 2 in r.tables:
            r.applicant_columns = self.columns

    def _found(self, n: int) -> None:
        if n not in self.r.tables:
            self.r.tables.append(n)

    # table 1 ------------------------------------------------------------
    def _table1(self, row: _Row) -> None:
        if not row.labels:
            return
        if row.labels[0] == "信息内容":
            self.heads, self.parent1 = [], None
            for h in row.labels[1:]:
                key, template = L.active_head(h)
                if template:
                    self.evidence[template] += 1
                self.heads.append((key, h))
            self.fields1 = [f or h or f"col{i + 1}" for i, (f, h) in enumerate(self.heads)]
            return
        if row.labels[0].startswith("第二十条"):
            self.parent1 = None
            return
        key = None
        for lab in row.labels:
            key = L.active_row_key(lab)
            if key:
                break
        leaf = row.labels[-1]
        if key is None:
            # Text renderings leave a rowspan's later rows blank: the parent carries on.
            key = f"{self.parent1}/{leaf}" if self.parent1 else leaf
        elif L.active_row_key(leaf) != key:
            self.parent1 = key
            key = f"{key}/{leaf}"  # a sub-row the template does not have (行政检查 under 其他对外管理服务事项)
        else:
            self.parent1 = None
        fields = self.fields1
        values = _align(row.values, len(fields))
        if not fields:
            fields = [f"col{i + 1}" for i in range(len(values))]
        out = self.r.active_disclosure.setdefault(key, {})
        for fld, raw in zip(fields, values):
            self._store("active_disclosure", key, fld, raw, out)
        self._found(1)

    # table 2 ------------------------------------------------------------
    def _table2(self, row: _Row) -> None:
        if not row.labels:
            return
        if any(lab in _APPLICANT_HEAD_WORDS or "勾稽关系" in lab for lab in row.labels):
            self._heads2(row)
            return
        key = self._row_key2(row.labels)
        if key is None:
            if not any(v.strip() for v in row.values):
                return  # a label row with no numbers and no known label: a sub-heading
            key = L.strip_numbering(row.labels[-1]) or row.labels[-1]
            if self.group is not None and self.in_results:  # 9.其他 under 不予公开 is not 4.其他 under 无法提供
                key = f"{self.group}/{key}"
        if key in ("new_received", "carried_over", "total_processed", "carried_forward"):
            self.in_results = False
        elif self.in_results and key not in self.results:
            self.results.add(key)
            self.r.result_rows.append(key)
        values = _align(row.values, len(self.columns))
        out = self.r.applications.setdefault(key, {})
        for col, raw in zip(self.columns, values):
            self._store("applications", key, col, raw, out)
        for col in self.columns[len(values) :]:
            out.setdefault(col, None)
        self._found(2)
        if key == "carried_forward":
            self.done.add(2)
            self.ctx = None

    def _heads2(self, row: _Row) -> None:
        labs = row.labels
        if "小计" in labs or any(lab.endswith("小计") for lab in labs):
            cols = list(APPLICANT_COLUMNS)
            sub_at = next(i for i, lab in enumerate(labs) if lab.endswith("小计"))
            before = [
                lab for lab in labs[:sub_at] if lab in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
            ]
            cols.insert(1 if not before else 6, ORG_SUBTOTAL)
            self.columns = tuple(cols)

    def _row_key2(self, labs: list[str]) -> str | None:
        group = None
        for lab in labs:
            g = L.group_of(lab)
            if g:
                group = g
        leaf = labs[-1]
        if group is None and self.group and L.is_numbered_leaf(leaf):
            group = self.group
        if group is not None:
            self.group = group
            self.in_results = True
            if L.group_of(leaf) == group:
                return "other" if group == "other" else None
            return L.leaf_key(group, leaf)
        key = L.top_row_key(leaf)
        if key is not None:
            self.group = None
            if key in ("granted", "partially_granted"):
                self.in_results = True
        return key

    # table 3 ------------------------------------------------------------
    def _table3(self, row: _Row) -> None:
        values = row.values
        if len(values) < 15 or not any(v.strip() for v in values):
            return
        values = _align(values, 15)
        for g, group in enumerate(REVIEW_GROUPS):
            out = self.r.review_litigation.setdefault(group, {})
            for f, fld in enumerate(REVIEW_FIELDS):
                self._store("review_litigation", group, fld, values[g * 5 + f], out)
        self._found(3)
        self.done.add(3)
        self.ctx = None

    def _store(self, part: str, row: str, col: str, raw: str, out: dict[str, Number | None]) -> None:
        value, is_number = parse_number(raw)
        out[col] = value
        if (value is not None or is_number) and has_note(raw):  # a number too long to read keeps its text
            self.r.notes[f"{part}.{row}.{col}"] = raw.strip()


def _align(values: list[str], n: int) -> list[str]:
    """Read n numbers out of a row's value cells.

    Exactly n cells: positional (blanks stay blank). More cells: drop blank padding at
    the ends; if exactly n cells then hold text, they are the n numbers in order (Word
    tables give a column two grid cells). Fewer: what there is, from the left.
    """
    start, end = 0, len(values)  # v = values[start:end], narrowed from both ends without popping
    while end - start > n and not values[end - 1].strip():
        end -= 1
    while end - start > n and not values[start].strip():
        start += 1
    v = values[start:end]
    if len(v) > n:
        filled = [x for x in v if x.strip()]
        if len(filled) == n:
            return filled
        return v[:n]
    return v
