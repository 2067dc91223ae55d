"""Word .docx -> Document: the body's paragraphs and tables in order, merged cells expanded.

python-docx opens the package (it finds the main document part through the relationships,
whatever the part is named); the body is then walked here on its XML, because the reader
needs what python-docx's objects leave out or make slow: a merged cell's origin (vMerge,
gridSpan, gridBefore) in one pass over a table, text in content controls (w:sdt) and
tracked insertions, and a text box's text once, not twice (its mc:Fallback copy is skipped).
A .doc or .wps reaches this reader after parsers.office has converted it to .docx.
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass

from lxml import etree

from parsers.document import Grid, clean_cell
from parsers.errors import ParseError, reraise_budget

log = logging.getLogger(__name__)

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = {"w": _W, "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006"}
P, TBL, TR, TC, SDT = (f"{{{_W}}}{tag}" for tag in ("p", "tbl", "tr", "tc", "sdt"))
MAX_UNZIPPED = 256 * 1024 * 1024  # a report's document.xml is < 5 MB; this refuses a zip bomb
MAX_CELLS = 100_000  # as parsers.html: table 2 is ~300 positions

# A paragraph's text: runs' text, tabs and breaks, not a text box's fallback copy, not deleted text.
_RUN_TEXT = etree.XPath(
    ".//w:r/w:t[not(ancestor::mc:Fallback)] | .//w:r/w:tab[not(ancestor::mc:Fallback)]"
    " | .//w:r/w:br[not(ancestor::mc:Fallback)] | .//w:r/w:cr[not(ancestor::mc:Fallback)]",
    namespaces=_NS,
)
_CELLS = etree.XPath("./w:tc | ./w:sdt/w:sdtContent/w:tc | ./w:customXml/w:tc", namespaces=_NS)
_ROWS = etree.XPath("./w:tr | ./w:sdt/w:sdtContent/w:tr | ./w:customXml/w:tr", namespaces=_NS)
_GRID_SPAN = etree.XPath("string(./w:tcPr/w:gridSpan/@w:val)", namespaces=_NS)
_V_MERGE = etree.XPath("./w:tcPr/w:vMerge", namespaces=_NS)
_GRID_BEFORE = etree.XPath("string(./w:trPr/w:gridBefore/@w:val)", namespaces=_NS)


@dataclass
class WordContent:
    blocks: list[str | Grid]
    grid_tables: list[int]  # each grid's number among the file's tables (1-based)


def read_docx(data: bytes) -> WordContent:
    """Paragraphs and tables of a .docx, in reading order. ParseError when it is not one."""
    import docx  # python-docx; imported here so that HTML-only runs do not load it

    _check_size(data)
    try:
        body = docx.Document(io.BytesIO(data)).element.body
    except Exception as exc:  # python-docx raises many types (KeyError, PackageNotFoundError, XMLSyntaxError ...)
        reraise_budget(exc)
        log.debug("unreadable .docx", exc_info=True)
        raise ParseError(f"not a readable .docx ({type(exc).__name__})") from None
    content = WordContent(blocks=[], grid_tables=[])
    tables = 0
    for el in _body_elements(body):
        if el.tag == P:
            content.blocks.extend(line for line in map(clean_cell, _paragraph_text(el).split("\n")) if line)
            continue
        tables += 1
        grid = _grid(el)
        if grid.rows:
            content.blocks.append(grid)
            content.grid_tables.append(tables)
    return content


def _check_size(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            size = sum(info.file_size for info in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ParseError(f"not a readable .docx ({type(exc).__name__})") from None
    if size > MAX_UNZIPPED:
        raise ParseError(f"a .docx that unpacks to {size // 1_048_576} MB, more than any report")


def _body_elements(parent: etree._Element):
    """w:p and w:tbl of the body in order, looking inside content controls (w:sdt)."""
    for el in parent:
        if el.tag in (P, TBL):
            yield el
        elif el.tag == SDT:
            content = el.find(f"{{{_W}}}sdtContent")
            if content is not None:
                yield from _body_elements(content)


def _paragraph_text(p: etree._Element) -> str:
    parts = []
    for el in _RUN_TEXT(p):
        tag = etree.QName(el).localname
        parts.append(el.text or "" if tag == "t" else "\t" if tag == "tab" else "\n")
    return "".join(parts)


def _cell_text(tc: etree._Element) -> str:
    """A cell's paragraphs (nested tables' too), as one line of text."""
    return clean_cell(" ".join(_paragraph_text(p) for p in tc.iter(P)))


def _span(value: str) -> int:
    try:
        return min(max(int(value), 1), 64) if value else 1
    except ValueError:
        return 1


def _grid(tbl: etree._Element) -> Grid:
    """A w:tbl -> Grid: gridSpan copied across, vMerge continuations take the text and origin of
    the cell above, gridBefore leaves blanks (as parsers.html expands rowspan/colspan)."""
    rows: list[list[str]] = []
    origins: list[list[int]] = []
    origin = 0
    budget = MAX_CELLS
    for tr in _ROWS(tbl):
        row: list[str] = []
        ids: list[int] = []
        before = _GRID_BEFORE(tr)  # grid columns the row leaves out before its first cell
        for _ in range(_span(before) if before else 0):
            row.append("")
            ids.append(origin)
            origin += 1
        for tc in _CELLS(tr):
            span = _span(_GRID_SPAN(tc))
            merge = _V_MERGE(tc)
            c = len(row)
            if merge and merge[0].get(f"{{{_W}}}val", "continue") == "continue" and rows and c < len(rows[-1]):
                text, o = rows[-1][c], origins[-1][c]  # the merged cell above goes on
            else:
                text, o = _cell_text(tc), origin
                origin += 1
            row.extend([text] * span)
            ids.extend([o] * span)
        budget -= len(row)
        if budget < 0:
            raise ParseError("a .docx table larger than any report table")
        rows.append(row)
        origins.append(ids)
    kept = [i for i, row in enumerate(rows) if any(row)]  # rows of nothing carry nothing
    width = max((len(rows[i]) for i in kept), default=0)
    for i in kept:  # ragged rows (gridAfter, a short last row): blanks of their own
        while len(rows[i]) < width:
            rows[i].append("")
            origins[i].append(origin)
            origin += 1
    return Grid(rows=[rows[i] for i in kept], origins=[origins[i] for i in kept])
