"""PDF with a text layer -> Document: tables by pdfplumber, the text around them as paragraphs.

Each page: shapes nobody can see are dropped (WPS paints a white rectangle behind every line
of text, which pdfplumber would take for table borders), pdfplumber finds the ruled tables
and expands their merged cells into a Grid, and the text outside the tables is read line by
line. Lines are joined back into paragraphs (a line that runs to the right margin goes on in
the next one unless that one is indented), page numbers are dropped, and a table cut by a
page break is joined into one grid (parsers.pagebreak). The result is the Document the HTML
reader makes, so extraction and checks need nothing of their own for a PDF.

pdfplumber (MIT, on pdfminer.six) rather than PyMuPDF: PyMuPDF is AGPL and misplaced
punctuation in cells of the real samples.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass, field

from parsers.document import Grid
from parsers.errors import NeedsOcr, ParseError, reraise_budget
from parsers.pagebreak import join
from parsers.unruled import has_table_labels, text_tables

log = logging.getLogger(__name__)

MAX_PAGES = 400  # a report is 5-30 pages; a 1000-page PDF is not one, and would take minutes
_PAGE_NUMBER = re.compile(
    r"^[-—–－_\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/／]\s*\d{1,4}|\s*共\s*\d{1,4}\s*页)?[-—–－_\s]*$"
)
_DIGITS = re.compile(r"\d+")
_ALNUM = re.compile(r"[A-Za-z0-9]")
_HANGING = tuple("，。、；：？！）》」』”’,.;:?!)")
_COLUMN_SLACK = 4.0  # points: the same table's column lines on two pages differ by ~1 pt
_SCAN_CHARS = 40  # characters a page: a page of a report's text holds 500-900


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    size: float  # the line's height: about one character's width in CJK text


@dataclass
class PageTable:
    grid: Grid
    columns: list[float]  # x of the inner column lines: the same table on the next page has the same
    pages: list[int] = field(default_factory=list)


@dataclass
class Page:
    number: int
    items: list[Line | PageTable]
    left: float = 0.0  # the text's margins on this page
    right: float = 0.0


@dataclass
class PdfContent:
    blocks: list[str | Grid]
    grid_pages: list[list[int]]  # the page numbers (1-based) each grid of blocks comes from
    pages: int


def read_pdf(data: bytes) -> PdfContent:
    """The paragraphs and tables of a PDF's text layer. ParseError when the file is not a readable
    PDF; NeedsOcr when it has no text layer (a scan: its text needs OCR)."""
    import pdfplumber  # imported here: a crawl that meets no PDF does not pay for pdfminer's import

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise ParseError(f"a PDF of {len(pdf.pages)} pages, more than any report ({MAX_PAGES})")
            pages = [_read_page(page, n) for n, page in enumerate(pdf.pages, 1)]
    except ParseError:
        raise
    except Exception as exc:  # pdfminer raises many types (PDFSyntaxError, PSEOF, KeyError, ...) on bad files
        reraise_budget(exc)
        if type(exc).__name__ == "PDFPasswordIncorrect":
            raise ParseError("a password-protected PDF") from None
        log.debug("unreadable PDF", exc_info=True)
        raise ParseError(f"not a readable PDF ({type(exc).__name__})") from None
    if _scanned(pages):
        raise NeedsOcr(f"a PDF of {len(pages)} page(s) with no text layer (a scan)")
    drop_running_lines(pages)
    blocks, grid_pages = assemble(pages)
    return PdfContent(blocks=blocks, grid_pages=grid_pages, pages=len(pages))


def _scanned(pages: list[Page]) -> bool:
    """No ruled table and next to no text (a stamped page number or title): page images, a scan."""
    if any(isinstance(item, PageTable) for page in pages for item in page.items):
        return False
    chars = sum(len(item.text) for page in pages for item in page.items if isinstance(item, Line))
    return chars < _SCAN_CHARS * len(pages)


def _visible(obj: dict) -> bool:
    """False for a shape painted in white on white (no table border, whatever its edges)."""
    if obj.get("object_type") not in ("rect", "line", "curve"):
        return True
    stroked = obj.get("stroke", obj.get("object_type") == "line") and not _white(obj.get("stroking_color"))
    filled = obj.get("fill") and not _white(obj.get("non_stroking_color"))
    return bool(stroked or filled)


def _white(color: object) -> bool:
    if isinstance(color, int | float):
        return color >= 0.99
    if not isinstance(color, tuple | list) or not color or not all(isinstance(v, int | float) for v in color):
        return False  # a pattern or no colour: assume it shows
    if len(color) == 4:  # CMYK: white is no ink
        return all(v <= 0.01 for v in color)
    return all(v >= 0.99 for v in color)


def _read_page(page, number: int) -> Page:
    page = page.filter(_visible)
    found = [t for t in page.find_tables() if len(t.columns) > 1]  # a ruled box around a paragraph is text
    placed: list[tuple[float, Line | PageTable]] = []
    for t in found:
        table = _table(t, number)
        if table is not None:
            placed.append((t.bbox[1], table))
    boxes = [t.bbox for t in found]
    lines = None if found else page.extract_text_lines(return_chars=False)
    if lines and has_table_labels("\n".join(line["text"] for line in lines)):  # tables drawn without rules?
        for bbox, grid, columns in text_tables(page):
            placed.append((bbox[1], PageTable(grid=grid, columns=columns, pages=[number])))
            boxes.append(bbox)
    if boxes or lines is None:  # the text outside the tables
        lines = page.filter(lambda obj: not _inside(obj, boxes)).extract_text_lines(return_chars=False)
    for line in lines:
        text = " ".join(line["text"].split())
        if text:
            placed.append((line["top"], Line(text, line["x0"], line["x1"], line["bottom"] - line["top"])))
    return make_page(number, placed)


def make_page(number: int, placed: list[tuple[float, Line | PageTable]]) -> Page:
    """A page from its lines and tables, each with its top: in reading order, the page number
    dropped, the text's margins measured (parsers.ocr builds its pages with this too)."""
    placed.sort(key=lambda pair: pair[0])
    items = [item for _top, item in placed]
    drop_page_numbers(items)
    lines = [i for i in items if isinstance(i, Line)]
    left = min((ln.x0 for ln in lines), default=0.0)
    # A line ending in punctuation may hang it past the margin (WPS does): not the margin.
    right = max((ln.x1 for ln in lines if not ln.text.endswith(_HANGING)), default=0.0)
    right = right or max((ln.x1 for ln in lines), default=0.0)
    return Page(number=number, items=items, left=left, right=right)


def _inside(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    if "x0" not in obj or "top" not in obj:
        return False
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def drop_page_numbers(items: list[Line | PageTable]) -> None:
    """'- 3 -', '第3页 共6页', '3/6' as the first or last line of a page: not the report's text."""
    for index in (-1, 0):
        if items and isinstance(items[index], Line) and _PAGE_NUMBER.match(items[index].text):
            items.pop(index)


def drop_running_lines(pages: list[Page]) -> None:
    """A line at the head (or foot) of at least half the pages, the same but for its digits, is a
    running header (footer): the agency's name, 第N页. Not the report's text, and it would stand
    between the two parts of a table cut by a page break."""
    if len(pages) < 3:
        return
    for index in (0, -1):
        ends = [_DIGITS.sub("#", page.items[index].text) for page in pages if _line_at(page, index)]
        repeated = {text for text, n in Counter(ends).items() if n >= len(pages) / 2}
        for page in pages:
            if _line_at(page, index) and _DIGITS.sub("#", page.items[index].text) in repeated:
                page.items.pop(index)


def _line_at(page: Page, index: int) -> bool:
    return bool(page.items) and isinstance(page.items[index], Line)


def _table(table, page: int) -> PageTable | None:
    """pdfplumber's table -> a Grid with merged cells expanded (their text in every position
    they cover, one origin), as parsers.html expands rowspan/colspan."""
    xs = sorted({round(col.bbox[0], 1) for col in table.columns})
    ys = sorted({round(row.bbox[1], 1) for row in table.rows})
    if not xs or not ys:
        return None
    texts = table.extract()
    rows: list[list[str | None]] = [[None] * len(xs) for _ in ys]
    origins: list[list[int]] = [[-1] * len(xs) for _ in ys]
    origin = 0
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            if cell is None:
                continue
            x0, top, x1, bottom = cell
            text = _cell_text(texts[r][c] if r < len(texts) and c < len(texts[r]) else "")
            for rr in range(r, len(ys)):
                if rr > r and ys[rr] >= bottom - 0.5:
                    break
                for cc in range(c, len(xs)):
                    if cc > c and xs[cc] >= x1 - 0.5:
                        break
                    rows[rr][cc], origins[rr][cc] = text, origin
            origin += 1
    grid_rows, grid_origins = [], []
    for row, ids in zip(rows, origins):
        if not any(row):
            continue  # a row of nothing carries nothing (as in parsers.html)
        filled = []
        for c, text in enumerate(row):
            if text is None:  # no cell covers it (a ragged table): a blank of its own
                text, ids[c], origin = "", origin, origin + 1
            filled.append(text)
        grid_rows.append(filled)
        grid_origins.append(ids)
    if not grid_rows:
        return None
    return PageTable(grid=Grid(rows=grid_rows, origins=grid_origins), columns=xs[1:], pages=[page])


def _cell_text(text: str | None) -> str:
    """A cell's lines joined: no space between CJK characters (商业企\\n业 is 商业企业)."""
    parts = [p for p in (text or "").split() if p]
    out = ""
    for part in parts:
        out = join_text(out, part)
    return out


def join_text(a: str, b: str) -> str:
    if not a:
        return b
    return a + (" " if _ALNUM.match(a[-1]) and _ALNUM.match(b[0]) else "") + b


def assemble(pages: list[Page]) -> tuple[list[str | Grid], list[list[int]]]:
    """The pages' items in reading order -> paragraphs and grids, joined over page breaks."""
    blocks: list[str | Grid] = []
    grid_pages: list[list[int]] = []
    para, last, last_page = "", None, None  # the open paragraph and its last line
    tail: PageTable | None = None  # a table that ended the previous page, which the next may continue
    for page in pages:
        for k, item in enumerate(page.items):
            if isinstance(item, PageTable):
                if para:
                    blocks.append(para)
                    para, last = "", None
                if k == 0 and tail is not None and _same_columns(tail, item):
                    tail.grid = join(tail.grid, item.grid)
                    tail.pages.append(page.number)
                    blocks[-1] = tail.grid
                else:
                    tail = item
                    blocks.append(item.grid)
                    grid_pages.append(item.pages)
                continue
            if para and last is not None and _goes_on(last, last_page, item, page):
                para = join_text(para, item.text)
            else:
                if para:
                    blocks.append(para)
                para = item.text
            last, last_page = item, page
            tail = None
        if page.items and not isinstance(page.items[-1], PageTable):
            tail = None
    if para:
        blocks.append(para)
    return blocks, grid_pages


def _same_columns(a: PageTable, b: PageTable) -> bool:
    return len(a.columns) == len(b.columns) and all(abs(x - y) <= _COLUMN_SLACK for x, y in zip(a.columns, b.columns))


def _goes_on(last: Line, last_page: Page, line: Line, page: Page) -> bool:
    """A line continues the paragraph when the one before ran to the right margin and it is not
    indented (a CJK paragraph opens two characters in)."""
    full = last.x1 >= last_page.right - 0.6 * last.size
    flush_left = line.x0 <= page.left + 0.6 * line.size
    return full and flush_left
