"""HTML bytes -> Document: decode, strip scripts, expand every data table into a Grid.

lxml does the parsing and the one walk over the tree runs in C (an XSLT transform,
below); BeautifulSoup is deliberately kept off this path. The parser is lxml's plain
HTMLParser, not lxml.html's: lxml.html looks up a Python class for every element a
walk touches.
"""

from __future__ import annotations

import re
import threading

from lxml import etree

from parsers.document import (
    MAX_GRID_CELLS,
    Document,
    Grid,
    check_grid_size,
    check_page_cells,
    clean_cell,
    table_too_large,
)
from parsers.encoding import sniff
from parsers.errors import ParseError, one_line

MAX_BYTES = 8 * 1024 * 1024  # Word pages run to ~350 KB; 20x that is not a report page
MAX_COLSPAN = 64
MAX_ROWSPAN = 2000

_BLOCK_TAGS = (
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article",
    "center", "blockquote", "pre", "dd", "dt", "header", "footer", "td", "th", "ul", "ol",
)  # fmt: skip
_PARSERS: dict[str, etree.HTMLParser] = {}


def _text(el: etree._Element) -> str:
    """All text inside el (not its tail): what lxml.html's text_content() returns, serialised in C."""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def _clean(text: str) -> str:
    """document.clean_cell, faster: str.split() and regex \\s agree on what white space is."""
    return " ".join(text.split())


def _parser(encoding: str) -> etree.HTMLParser:
    if encoding not in _PARSERS:
        _PARSERS[encoding] = etree.HTMLParser(encoding=encoding, remove_comments=True)
    return _PARSERS[encoding]


def _parse_utf8(data: bytes, encoding: str, valid: bool) -> tuple[etree._Element | None, bytes]:
    """The page parsed as UTF-8 (one parser serves every page), and the UTF-8 bytes it was read
    from. Other encodings are re-encoded, undecodable bytes as U+FFFD. Bytes that claim to be
    UTF-8 go to libxml2 as they are; only when it reports bytes that are not UTF-8 are they
    decoded here the same way and parsed again (checking every page first in Python cost ~4 M
    instructions a Word page, as much as the XSLT pass)."""
    parser = _parser("utf-8")
    if encoding != "utf-8":
        # "replace" both ways: no codec sniff() picks yields a lone surrogate, but one must not stop a page.
        raw = data.decode(encoding, errors="replace").encode("utf-8", errors="replace")
        return etree.fromstring(raw, parser=parser), raw
    root = etree.fromstring(data, parser=parser)
    if valid:
        return root, data
    log = parser.error_log
    if _LIBXML_REPLACES_BAD_BYTES and len(log) < _LIBXML_ERROR_CAP:
        if not log.filter_types([etree.ErrorTypes.ERR_INVALID_ENCODING]):
            return root, data
    else:  # an older libxml2, or errors past its cap (no longer logged): check here
        try:
            data.decode("utf-8")
            return root, data
        except UnicodeDecodeError:
            pass
    raw = data.decode("utf-8", errors="replace").encode("utf-8")
    return etree.fromstring(raw, parser=parser), raw


# libxml2 2.14 reads bytes that are not UTF-8 as U+FFFD and logs ERR_INVALID_ENCODING; 2.12/2.13
# pass some into the tree or drop them silently. It logs at most 100 errors for a page.
_LIBXML_REPLACES_BAD_BYTES = etree.LIBXML_VERSION >= (2, 14)
_LIBXML_ERROR_CAP = 100


def css_to_xpath(css: str) -> str:
    """A CSS selector (a site's content area) as the XPath parse_html takes; ValueError if it is not one.

    Translated once per site (crawler.config), not per page."""
    from cssselect import HTMLTranslator, SelectorError  # installed with Scrapy (parsel)

    if not isinstance(css, str) or not css.strip():
        raise ValueError(f'must be a CSS selector such as "div.TRS_Editor" or "#zoom", not {css!r}')
    try:
        xpath = HTMLTranslator().css_to_xpath(css)
        # lxml must accept and run it too ("ns|div" compiles, then fails on every page): fail
        # when the config loads instead.
        etree.XPath(xpath)(etree.fromstring("<html><body></body></html>"))
    except (SelectorError, etree.XPathSyntaxError, etree.XPathEvalError) as exc:
        raise ValueError(f"bad CSS selector {css!r}: {exc}") from None
    return xpath


def parse_html(data: bytes, declared_encoding: str | None = None, *, content: str | None = None) -> Document:
    """Turn a report page into paragraphs and grids, in reading order.

    `content` (an XPath, see css_to_xpath) names the report's content area: when it matches,
    only the first match supplies the blocks; title and <meta> still come from the whole
    page. When it matches nothing the whole page is read, and Document.content_found says so.
    """
    if len(data) > MAX_BYTES:
        raise ParseError(f"page is {len(data) // 1_048_576} MB, larger than any report page")
    encoding, valid = sniff(data, declared_encoding)
    try:
        root, raw = _parse_utf8(data, encoding, valid)
        if root is None:
            raise etree.ParserError("Document is empty")
    except (etree.ParserError, ValueError, LookupError) as exc:
        raise ParseError(one_line(f"not an HTML page ({exc})")) from None
    return _document(root, content, raw)


# --- the page in one pass: text with line breaks, and every data table's cells ----------
#
# One XSLT transform (C, one walk of the tree) writes the page's text with a line break
# at every block element and <br>, and in place of each data table (a table holding no
# table) the table's cells: rowspan, colspan and text of each <td>/<th> of each <tr>,
# between private-use delimiter characters. Python only splits the result. This is
# what a loop over the elements did (set "\n" + text and tail of each block, read each
# cell's text), without making a Python object for every element.

_XSL = """<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="utf-8"/>
<xsl:template match="{blocks}"><xsl:text>&#10;</xsl:text><xsl:apply-templates/><xsl:text>&#10;</xsl:text></xsl:template>
<xsl:template match="br"><xsl:apply-templates/><xsl:text>&#10;</xsl:text></xsl:template>
<xsl:template match="table[not(.//table)]"><xsl:text>{table}</xsl:text><xsl:for-each select=".//tr">
<xsl:text>{row}</xsl:text><xsl:for-each select="td|th"><xsl:text>{cell}</xsl:text>
<xsl:value-of select="translate(@rowspan, '{delimiters}', '####')"/><xsl:text>{sep}</xsl:text>
<xsl:value-of select="translate(@colspan, '{delimiters}', '####')"/><xsl:text>{sep}</xsl:text><xsl:apply-templates/>
</xsl:for-each></xsl:for-each><xsl:text>{table}</xsl:text></xsl:template>
</xsl:stylesheet>"""
_TRANSFORMS = threading.local()  # an XSLT object is not to be run by two threads at once
_XPATHS = threading.local()  # compiled content-area XPaths, per thread for the same reason


def _transform(delimiters: str) -> etree.XSLT:
    cache = _TRANSFORMS.__dict__
    if delimiters not in cache:
        table, row, cell, sep = delimiters
        xsl = _XSL.format(blocks="|".join(_BLOCK_TAGS), table=table, row=row, cell=cell, sep=sep, delimiters=delimiters)
        cache[delimiters] = etree.XSLT(etree.XML(xsl))
    return cache[delimiters]


_DELIMITERS = "\ue000\ue001\ue002\ue003"  # what _delimiters() picks for text without them
# libxml2 reads a reference without its semicolon too (&#xE000x): the number ends where its digits do.
_PRIVATE_USE_REFERENCE = re.compile(rb"&#(?:[xX]0*[eE]00[0-3](?![0-9A-Fa-f])|0*5734[4-7](?![0-9]))")


def _no_private_use(raw: bytes) -> bool:
    """True when UTF-8 page bytes cannot yield U+E000-U+E003 (encoded: EE 80 80-83)."""
    # A single byte is found by memchr, a pair is not (0.02 against 0.9 M instructions a Word
    # page): EE leads every UTF-8 character from U+E000 to U+EFFF, all of them private use.
    return b"\xee" not in raw and (b"&#" not in raw or _PRIVATE_USE_REFERENCE.search(raw) is None)


_NOT_PRIVATE_USE = re.compile("[^\ue000-\uf8ff]+")


def _delimiters(text: str) -> str:
    """Four private-use characters the page's text does not contain (nearly always U+E000-U+E003).

    The private-use characters the text holds are collected in one pass: searching the text again
    for each candidate took 1,600 passes over a page that holds nearly all of them."""
    used = set(_NOT_PRIVATE_USE.sub("", text))
    for base in range(0xE000, 0xF900, 4):
        chars = "".join(map(chr, range(base, base + 4)))
        if used.isdisjoint(chars):
            return chars
    raise ParseError("not a report page (it uses every private-use character)")


def _content_area(root: etree._Element, xpath: str) -> etree._Element | None:
    """The first element the content-area XPath selects, or None."""
    cache = _XPATHS.__dict__
    if xpath not in cache:
        try:
            cache[xpath] = etree.XPath(xpath)
        except etree.XPathSyntaxError as exc:
            raise ValueError(f"bad content-area XPath {xpath!r}: {exc}") from None
    found = cache[xpath](root)
    if not isinstance(found, list):  # a number or string expression selects no element
        return None
    return next((el for el in found if isinstance(el, etree._Element)), None)


def _heading(scope: etree._Element, transform: etree.XSLT, delimiters: str, holders: list[set]) -> str | None:
    """The text of the first <h1> in scope that is not inside a data table ("" if it is empty).

    holders: [the set of tables that hold a table] once _holders has been run, [] before: it is
    found once a page, not once an <h1> (40,000 <h1> in one table took 7 s when each looked
    through the table for one). <h1>s of one parent (a cell) are placed once."""
    placed: dict[etree._Element | None, bool] = {}  # parent -> its children are inside a data table
    for h1 in scope.iter("h1"):
        parent = h1.getparent()
        hidden = placed.get(parent)
        if hidden is None:
            ancestors = list(h1.iterancestors("table"))
            if ancestors and not holders:
                holders.append(_holders(scope.getroottree().getroot()))
            hidden = placed[parent] = any(tb not in holders[0] for tb in ancestors)
        if not hidden:
            return " ".join(b for b in _blocks(str(transform(h1)), delimiters) if isinstance(b, str))
    return None


def _holders(root: etree._Element) -> set[etree._Element]:
    """The tables that hold a table (layout tables): every other table is a data table.

    Each table marks its table ancestors, stopping at one already marked (whose own ancestors
    were marked with it): every table is marked once. lxml hands out one proxy per element while
    one is alive, so the set (which keeps them alive) recognises them by identity."""
    holders: set[etree._Element] = set()
    for table in root.iter("table"):
        for outer in table.iterancestors("table"):
            if outer in holders:
                break
            holders.add(outer)
    return holders


def _document(root: etree._Element, content: str | None = None, raw: bytes | None = None) -> Document:
    meta: dict[str, str] = {}
    links: list[str] = []
    t = None
    # One walk of the tree for the three: each full walk of a large tree costs more per MB than a
    # small one's (memory caches), and next(iterdescendants("title")) was one, as lxml's iterator
    # looks ahead for the next match to the end of a page with one <title>.
    for el in root.iter("meta", "a", "title"):
        if el.tag == "a":
            href = el.get("href")
            if href:
                links.append(href.strip())
        elif el.tag == "meta":
            name = (el.get("name") or el.get("property") or "").strip()
            if name and el.get("content"):
                meta[name] = el.get("content").strip()
        elif t is None:
            t = el
    title = None
    if t is not None and _text(t).strip():
        title = clean_cell(_text(t))
    etree.strip_elements(root, "script", "style", "noscript", "template", "head", with_tail=False)

    area = _content_area(root, content) if content else None
    # The whole page's text: a heading outside the area uses them too. Serialising it costs ~0.4 ms
    # on a Word page; a page whose UTF-8 bytes hold no such character, literal or as a character
    # reference, cannot have it in its text.
    delimiters = _DELIMITERS if raw is not None and _no_private_use(raw) else _delimiters(_text(root))
    transform = _transform(delimiters)
    try:
        blocks = _blocks(str(transform(root if area is None else area)), delimiters)
        # The area's own <h1>, else the page's: a template may put the title above the body.
        holders: list[set] = []
        heading = _heading(area, transform, delimiters, holders) if area is not None else None
        if not heading:
            heading = _heading(root, transform, delimiters, holders)
        if heading:
            title = heading
    except etree.XSLTError as exc:  # libxslt gave up on the tree (resources): not a page to read
        raise ParseError(f"not a readable HTML page ({type(exc).__name__})") from None
    found = None if not content else area is not None
    return Document(blocks=blocks, title=title, meta=meta, content_found=found, links=links)


def _blocks(out: str, delimiters: str) -> list[str | Grid]:
    """The transform's output -> lines and grids, in reading order.

    ParseError for a table, or a page of tables, past the caps of parsers.document."""
    blocks: list[str | Grid] = []
    text: list[str] = []  # text since the last grid: a table that yields no grid does not break a line
    cells = positions = 0  # the page's table cells as written, and their grid positions once spans are expanded
    for i, piece in enumerate(out.split(delimiters[0])):
        if not i % 2:
            text.append(piece)
            continue
        if delimiters[1] not in piece:  # a table without a row: no grid, nothing to count
            continue
        cells += _table_size(piece, delimiters)
        check_page_cells(cells)  # before any list is made of its cells
        grid = _grid(_cells(piece, delimiters))
        positions += len(grid.rows) * len(grid.rows[0]) if grid.rows else 0
        check_page_cells(positions)
        if grid.rows:
            blocks.extend(_lines(text))
            blocks.append(grid)
            text = []
    blocks.extend(_lines(text))
    return blocks


def _lines(text: list[str]) -> list[str]:
    return [line for line in map(_clean, "".join(text).split("\n")) if line]


def _table_size(payload: str, delimiters: str) -> int:
    """The number of cells of a table's part of the transform; ParseError past a cap."""
    _, row, cell, _ = delimiters
    cells = payload.count(cell)
    check_grid_size(rows=payload.count(row), columns=0, cells=cells)
    return cells


def _cells(payload: str, delimiters: str) -> list[list[list[str]]]:
    """A table's part of the transform -> rows of [rowspan, colspan, text] per cell."""
    _, row, cell, sep = delimiters
    return [[c.split(sep, 2) for c in r.split(cell)[1:]] for r in payload.split(row)[1:]]


def _span(value: str | None, limit: int) -> int:
    if not value:
        return 1
    try:
        n = int(float(value.strip().rstrip("px;")))
    except (ValueError, OverflowError):  # "2x", "1e999" (inf), "nan"
        return 1
    return min(max(n, 1), limit)


def _grid(rows: list[list[list[str]]]) -> Grid:
    """Expand rowspan/colspan so each grid row carries its full label path.

    Raises ParseError when the expansion would pass MAX_GRID_CELLS positions or MAX_GRID_COLUMNS
    columns: spans and one very wide row must not turn a small page into a huge grid.
    """
    # long because it is the inner loop of every table of every page, kept in one frame on purpose:
    # a call per cell or per row costs more than the work it would name.
    n_rows = len(rows)
    texts: list[dict[int, str]] = [{} for _ in rows]  # row -> column -> text
    ids: list[dict[int, int]] = [{} for _ in rows]  # row -> column -> the cell it came from
    origin = 0
    budget = MAX_GRID_CELLS
    for r, cells in enumerate(rows):
        c = 0
        row_t, row_o = texts[r], ids[r]
        for rs, cs, text in cells:
            while c in row_t:
                c += 1
            text = " ".join(text.split())
            if not rs and not cs:  # no rowspan/colspan: most cells
                row_t[c] = text
                row_o[c] = origin
                budget -= 1
                origin += 1
                c += 1
                continue
            rs = min(_span(rs, MAX_ROWSPAN), n_rows - r) if rs else 1
            cs = _span(cs, MAX_COLSPAN) if cs else 1
            budget -= rs * cs
            if budget < 0:
                raise table_too_large("cells", MAX_GRID_CELLS - budget, MAX_GRID_CELLS)
            for dr in range(r, r + rs):
                target_t, target_o = texts[dr], ids[dr]
                for dc in range(c, c + cs):
                    target_t[dc] = text
                    target_o[dc] = origin
            origin += 1
            c += cs
        if budget < 0:
            raise table_too_large("cells", MAX_GRID_CELLS - budget, MAX_GRID_CELLS)
    width = max((max(t) + 1 for t in texts if t), default=0)
    kept = [r for r, t in enumerate(texts) if any(t.values())]  # rows of nothing carry nothing
    check_grid_size(rows=len(kept), columns=width, cells=width * len(kept))
    grid_rows: list[list[str]] = []
    origins: list[list[int]] = []
    columns = range(width)
    for r in kept:
        row_t, row_o = texts[r], ids[r]
        if len(row_t) == width:  # every position filled (keys are 0..width-1)
            grid_rows.append([row_t[c] for c in columns])
            origins.append([row_o[c] for c in columns])
            continue
        line, line_ids = [], []
        for c in columns:
            if c in row_t:
                line.append(row_t[c])
                line_ids.append(row_o[c])
            else:
                line.append("")
                line_ids.append(origin)
                origin += 1
        grid_rows.append(line)
        origins.append(line_ids)
    return Grid(rows=grid_rows, origins=origins)
