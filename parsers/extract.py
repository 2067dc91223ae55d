"""Document -> Report: metadata, the six parts, tables 1-3, for both templates.

Tables are read as one stream of rows across every grid, because real pages split
one table over several <table> elements (or put three in one). Anchor rows
(第二十条 / 信息内容, 勾稽关系 / 申请人情况, 行政复议) say which table the following
rows belong to; labels say which row; numbers are read in order, the column heads
confirming rather than placing them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from parsers import labels as L
from parsers.document import Document, Grid
from parsers.errors import NoReportText, NotAReport
from parsers.labels import norm
from parsers.model import (
    APPLICANT_COLUMNS,
    ORG_SUBTOTAL,
    PARTS,
    REVIEW_FIELDS,
    REVIEW_GROUPS,
    Number,
    Report,
)
from parsers.numbers import has_note, parse_number

# 年度报告 / 年报, and the older "2019年度政府信息公开工作报告" form.
_TITLE_WORDS = re.compile(r"(年度报告|年报|信息公开工作报告)")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
# What follows the agency in a title. Not the 政府 of an agency's own 人民政府 when the title goes
# on with 信息公开 directly (北京市东城区人民政府2019年信息公开工作年度报告).
_TITLE_SUFFIX = re.compile(r"(?<!人民)(政府)?信息公开(工作)?(年度报告|年报|报告)$|年度报告$|年报$")
_ALIAS = re.compile(r"[(（][^()（）]*[)）]$")
_YEAR_NOTE = re.compile(r"[(（][^()（）]*?(?:19|20)\d{2}\s*年度?[)）]")  # …年度报告（2019年度）
_DATE = r"\s*[:：]?\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
# The publication date, by its label; a bare 日期 is the portals' "日期:2026-01-20 17:10" line. The date
# a document was written (成文日期, 印发日期) is only a fall-back, after <meta name="PubDate">.
_PUBLISHED = re.compile(r"(?:发布日期|发布时间|公开日期|(?<![成印文发])日期)" + _DATE)
_WRITTEN = re.compile(r"(?:成文日期|印发日期)" + _DATE)
_CLOSING_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_PART_HEADINGS = (
    ("overview", ("总体情况",)),
    ("active_disclosure", ("主动公开政府信息情况", "主动公开政府信息")),
    ("applications", ("收到和处理政府信息公开申请情况", "收到和处理政府信息公开申请")),
    ("review_litigation", ("行政复议", "行政诉讼")),
    ("problems", ("存在的主要问题",)),
    ("other", ("其他需要报告的事项",)),
)
_MAX_HEADING = 40
# One search tells most lines (a page has ~150, nearly all short runs) that they name no part.
_ANY_HEADING_WORD = re.compile("|".join(re.escape(w) for _, words in _PART_HEADINGS for w in words))


def extract(doc: Document, title_hint: str | None = None) -> Report:
    """Read a report out of a normalised document; ParseError when it is not one. title_hint is
    the report's title as known from elsewhere (the list page's link to it), used when the page
    names it nowhere a title is looked for."""
    report = Report()
    _metadata(doc, report, title_hint)
    tables = _Tables(report)
    for grid in doc.grids:
        for row in _reading_rows(grid):
            tables.feed(row)
    tables.finish()
    _sections(doc, report)
    _require_report(report, doc)
    if report.template is None and report.year is not None:
        if report.year <= 2018:
            report.template = "legacy"
        elif not report.tables:
            report.template = "2019" if report.year <= 2020 else "2021"
    return report


_REPORT_TITLE = re.compile(r"信息公开.{0,6}(年度报告|年报)|信息公开工作报告|(年度报告|年报)$")
# Also what the spiders use to skip links to such pages.
NOT_REPORT_TITLE = re.compile(r"解读|图解|答记者问|问答|关于.*的通知|工作要点")


def _require_report(report: Report, doc: Document) -> None:
    """The one place that decides a page is not a report: no tables, and a title that does not
    name a report (or names a 解读 of one), or no report parts either (an image-only page)."""
    title = report.title or ""
    if NOT_REPORT_TITLE.search(doc.title or title):  # a 解读 of a report, even one that shows its tables
        raise NotAReport(f"not an annual report: “{(doc.title or title)[:40]}” is about one")
    if report.tables:
        return
    if not _REPORT_TITLE.search(title):
        raise NotAReport(f"not an annual report: “{title[:40]}” has none of the report's tables")
    if len(report.parts) < 2:
        if report.agency and report.year:  # one agency's report of one year, but not its text
            raise NoReportText("no report text on the page: published as images or an attachment only?", doc.links,
                               report.agency, report.year)  # fmt: skip
        raise NotAReport("not an annual report: no tables and no report parts")


# --- metadata ---------------------------------------------------------------


def _metadata(doc: Document, report: Report, title_hint: str | None = None) -> None:
    # A report's title names its year; a <title> or line without one is a column name
    # (政府信息公开年报) or the like, used only when nothing better is found.
    named = [c for c in (doc.meta.get("ArticleTitle"), doc.title) if c and _TITLE_WORDS.search(c)]
    title = next((c for c in named if _YEAR.search(c)), None)
    if title is None:
        in_text = _title_from_text(doc.paragraphs)
        hint = title_hint if title_hint and _TITLE_WORDS.search(title_hint) and _YEAR.search(title_hint) else None
        if in_text and _YEAR.search(in_text):
            title = in_text
        else:
            title = hint or next(iter(named), in_text)
    if title:
        title = re.sub(r"\s+", "", title)
        m = _TITLE_WORDS.search(title)
        if m:  # drop a portal's "_站点名" suffix, not a year given after the title words
            note = None if _YEAR.search(title, 0, m.end()) else _YEAR_NOTE.match(title, m.end())
            title = title[: note.end() if note else m.end()]
        report.title = title
        ym = _YEAR.search(title)
        if ym:
            report.year = int(ym.group(1))
            note = _YEAR_NOTE.search(title)
            if note and note.start() < ym.start():  # the year is in the note: the agency is before it
                agency = title[: note.start()]
            else:
                agency = title[: ym.start()] + title[ym.end() :]
            agency = _TITLE_SUFFIX.sub("", agency.strip()).strip("度 ")
            agency = _ALIAS.sub("", agency) or agency  # keep the first of two names
            report.agency = agency or None
    report.published = _published(doc)


_TITLE_LINES = 16  # the title is among the page's first lines, after the portal's header and menus
_DATE_LINES = 40  # the 发布时间 line, after the header, menus and title


def _title_from_text(paragraphs: list[str]) -> str | None:
    """The title at the top of the text: a line with the title words and the short lines just
    above it (a name broken over lines, a second name in brackets: up to four lines in all)."""
    parts: list[str] = []
    yearless = None
    for para in paragraphs[:_TITLE_LINES]:
        if re.fullmatch(r"附件\s*\d*", para):
            continue
        if len(para) > 80:
            break
        if _PUBLISHED.search(para) or _WRITTEN.search(para):  # a date line above the title is not part of it
            parts.clear()
            continue
        parts.append(para)
        if _TITLE_WORDS.search(para):
            ym = _YEAR.search(para)
            agency = re.sub(r"\s+", "", para[: ym.start()]) if ym else ""
            if len(agency) >= 2 and not _ALIAS.fullmatch(agency):
                return para  # the whole title on one line: the short lines above are the portal's menus
            title = "".join(parts[-4:])
            if _YEAR.search(title):
                return title
            yearless = yearless or title
            parts.clear()  # a column name above the title (政府信息公开年报), not part of it
    return yearless


def _published(doc: Document) -> str | None:
    paras = doc.paragraphs
    # The page's header lines, and the cells of a metadata table above the report (索引号 / 发布机构 /
    # 公开日期 / 文号) when the portal has one: its label and its value are two cells of a row.
    head = paras[:_DATE_LINES] + [" ".join(row) for grid in doc.grids[:1] for row in grid.rows[:8]]
    for pattern in (_PUBLISHED, None, _WRITTEN):
        if pattern is None:
            pub = doc.meta.get("PubDate") or doc.meta.get("pubdate")
            m = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", pub) if pub else None
            if m:
                return _iso(*m.groups())
            continue
        for line in head:
            m = pattern.search(line)
            if m:
                return _iso(*m.groups())
    for para in reversed(paras[-4:]):
        m = _CLOSING_DATE.match(re.sub(r"\s+", "", para))
        if m:
            return _iso(*m.groups())
    return None


def _iso(y: str, m: str, d: str) -> str | None:
    """The ISO date, or None for a date that does not exist (2022-02-30, month 13)."""
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


# --- narrative parts ----------------------------------------------------------


# （二） / (2) / 2. / 2、: a sub-heading within a part (the parts are 一、… or unnumbered).
_SUB_NUMBERING = re.compile(r"\s*(?:[(（]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[.、．])")


def _heading_part(para: str) -> str | None:
    if len(para) > _MAX_HEADING or _SUB_NUMBERING.match(para):
        return None
    text = norm(para)
    if not _ANY_HEADING_WORD.search(text):
        return None
    for part, words in _PART_HEADINGS:
        if all(w in text for w in words) if part == "review_litigation" else any(w in text for w in words):
            return part
    return None


def _sections(doc: Document, report: Report) -> None:
    found: set[str] = {
        p for n, p in ((1, "active_disclosure"), (2, "applications"), (3, "review_litigation")) if n in report.tables
    }
    current: str | None = None
    texts: dict[str, list[str]] = {}
    last_index = -1
    for block in doc.blocks:
        if not isinstance(block, str):
            continue
        part = _heading_part(block)
        # Parts come in order; a later mention of an earlier part is prose, not a heading.
        if part is not None and PARTS.index(part) > last_index:
            current, last_index = part, PARTS.index(part)
            found.add(part)
            continue
        if current in ("overview", "problems", "other"):
            texts.setdefault(current, []).append(block)
    report.sections = {k: "\n".join(v) for k, v in texts.items()}
    report.parts = [p for p in PARTS if p in found]


# --- tables ---------------------------------------------------------------


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
        fields = [f or h or f"col{i + 1}" for i, (f, h) in enumerate(self.heads)]
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
        elif self.in_results and key not in self.r.result_rows:
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
        value, _ = parse_number(raw)
        out[col] = value
        if value is not None and has_note(raw):
            self.r.notes[f"{part}.{row}.{col}"] = raw.strip()


def _align(values: list[str], n: int) -> list[str]:
    """Read n numbers out of a row's value cells.

    Exactly n cells: positional (blanks stay blank). More cells: drop blank padding at
    the ends; if exactly n cells then hold text, they are the n numbers in order (Word
    tables give a column two grid cells). Fewer: what there is, from the left.
    """
    v = list(values)
    while len(v) > n and not v[-1].strip():
        v.pop()
    while len(v) > n and not v[0].strip():
        v.pop(0)
    if len(v) > n:
        filled = [x for x in v if x.strip()]
        if len(filled) == n:
            return filled
        return v[:n]
    return v
