"""HTML bytes -> Document: decode, strip scripts, expand every data table into a Grid.

lxml does the parsing and all tree walks that matter run in C (iter with tag
filters, text_content); BeautifulSoup is deliberately kept off this path.
"""

from __future__ import annotations

import codecs
import re

import lxml.html
from lxml import etree

from parsers.document import Document, Grid, clean_cell
from parsers.errors import ParseError

MAX_BYTES = 32 * 1024 * 1024  # Word pages run to ~350 KB; anything near this is not a report
MAX_COLSPAN = 64
MAX_ROWSPAN = 2000

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BLOCK_TAGS = (
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article",
    "center", "blockquote", "pre", "dd", "dt", "header", "footer", "td", "th", "ul", "ol",
)  # fmt: skip
_MARK = "\ue000"  # private-use: cannot occur in report text
_SPLIT_MARK = re.compile("\ue000(\\d+)\ue000")
_PARSERS: dict[str, lxml.html.HTMLParser] = {}


def normalise_encoding(name: str | None) -> str | None:
    """Canonical codec name; the GB family is read as its superset gb18030."""
    if not name:
        return None
    try:
        canon = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    if canon in ("gb2312", "gbk", "gb18030", "hz"):
        return "gb18030"
    return canon


def sniff_encoding(data: bytes, declared: str | None = None) -> str:
    """Pick the encoding: BOM, then the HTTP header, then <meta charset>, then detection.

    A declared latin-1 is distrusted: portals' error pages claim it for GBK bodies.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for candidate in (declared, _meta_charset(data)):
        enc = normalise_encoding(candidate)
        if enc and enc not in ("latin-1", "iso8859-1", "cp1252", "ascii"):
            return enc
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only for pages that are neither

    best = from_bytes(data[:65536]).best()
    return normalise_encoding(best.encoding if best else None) or "utf-8"


def _meta_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii", "replace") if m else None


def _parser(encoding: str) -> lxml.html.HTMLParser:
    if encoding not in _PARSERS:
        _PARSERS[encoding] = lxml.html.HTMLParser(encoding=encoding, remove_comments=True)
    return _PARSERS[encoding]


def parse_html(data: bytes, declared_encoding: str | None = None) -> Document:
    """Turn a report page into paragraphs and grids, in reading order."""
    if len(data) > MAX_BYTES:
        raise ParseError(f"page is {len(data) // 1_048_576} MB, larger than any report page")
    encoding = sniff_encoding(data, declared_encoding)
    try:
        text = data.decode(encoding, errors="replace")
        # Re-encode as UTF-8 so one parser serves every page and undecodable bytes
        # become U+FFFD instead of stopping libxml2.
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=_parser("utf-8"))
    except (etree.ParserError, ValueError, LookupError) as exc:
        raise ParseError(f"not an HTML page ({exc})") from None
    if root is None:
        raise ParseError("not an HTML page (empty document)")
    return _document(root)


def _document(root: etree._Element) -> Document:
    meta = {}
    for el in root.iter("meta"):
        name = (el.get("name") or el.get("property") or "").strip()
        if name and el.get("content"):
            meta[name] = el.get("content").strip()
    title = None
    t = root.find(".//title")
    if t is not None and t.text_content().strip():
        title = clean_cell(t.text_content())
    etree.strip_elements(root, "script", "style", "noscript", "template", "head", with_tail=False)

    # Line structure: <br> and block elements start new lines in text_content().
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for el in root.iter(*_BLOCK_TAGS):
        el.text = "\n" + (el.text or "")
        el.tail = "\n" + (el.tail or "")

    grids: list[Grid] = []
    for table in [t for t in root.iter("table") if t.find(".//table") is None]:
        grid = table_to_grid(table)
        marker = etree.Element("p")
        if grid.rows:
            marker.text = f"\n{_MARK}{len(grids)}{_MARK}\n"
            grids.append(grid)
        marker.tail = table.tail
        parent = table.getparent()
        if parent is not None:
            parent.replace(table, marker)

    blocks: list[str | Grid] = []
    parts = _SPLIT_MARK.split(root.text_content())
    for i, part in enumerate(parts):
        if i % 2:
            blocks.append(grids[int(part)])
            continue
        for line in part.split("\n"):
            line = clean_cell(line)
            if line:
                blocks.append(line)
    h1 = root.find(".//h1")
    if h1 is not None and clean_cell(h1.text_content()):
        title = clean_cell(h1.text_content())
    return Document(blocks=blocks, title=title, meta=meta)


def _span(value: str | None, limit: int) -> int:
    try:
        n = int(float((value or "1").strip().rstrip("px;")))
    except ValueError:
        return 1
    return min(max(n, 1), limit)


def table_to_grid(table: etree._Element) -> Grid:
    """Expand rowspan/colspan so each grid row carries its full label path."""
    trs = [tr for tr in table.iter("tr")]
    placed: list[dict[int, tuple[str, int]]] = [{} for _ in trs]
    origin = 0
    for r, tr in enumerate(trs):
        c = 0
        row = placed[r]
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            while c in row:
                c += 1
            text = clean_cell(td.text_content())
            rs = min(_span(td.get("rowspan"), MAX_ROWSPAN), len(trs) - r)
            cs = _span(td.get("colspan"), MAX_COLSPAN)
            for dr in range(rs):
                target = placed[r + dr]
                for dc in range(cs):
                    target[c + dc] = (text, origin)
            origin += 1
            c += cs
    width = max((max(row) + 1 for row in placed if row), default=0)
    rows: list[list[str]] = []
    origins: list[list[int]] = []
    for row in placed:
        if not any(text for text, _ in row.values()):
            continue  # rows of nothing carry nothing
        texts, ids = [], []
        for c in range(width):
            if c in row:
                texts.append(row[c][0])
                ids.append(row[c][1])
            else:
                texts.append("")
                ids.append(origin)
                origin += 1
        rows.append(texts)
        origins.append(ids)
    return Grid(rows=rows, origins=origins)
