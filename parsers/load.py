"""The entry points: a file or a fetched page -> (Document, Report). The report has no findings
yet: the rules live in checks/ (checks.assess.assess_report), not in the parser."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from parsers.document import Document
from parsers.encoding import sniff_encoding
from parsers.errors import NoReportText, ParseError, parser_guard
from parsers.extract import extract
from parsers.files import describe_source, read_file, read_page_images
from parsers.filetype import FILE_KINDS, sniff_file
from parsers.html import MAX_BYTES, parse_html
from parsers.model import Report
from parsers.ocr import OcrOptions
from parsers.page_images import image_sources, images_beside
from parsers.text import parse_text

HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml"}
TEXT_SUFFIXES = {".txt", ".md", ".text"}


@dataclass
class Parsed:
    document: Document
    report: Report
    data: bytes = b""  # the bytes parsed (what the store keeps as the raw page)

    @property
    def records(self) -> list[str]:
        return self.document.records()


def looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body", b"<meta", b"<div", b"<p", b"<table"))


def to_document(
    data: bytes,
    kind: str | None = None,
    encoding: str | None = None,
    content: str | None = None,
    name: str | None = None,
    ocr: OcrOptions | None = None,
) -> Document:
    """Bytes -> Document; kind is 'html', 'text' or a file kind of parsers.filetype (sniffed from the
    bytes when None; name, the file's name or URL, only tells a .wps from a .doc); content is the
    site's content-area XPath (html only; see parsers.html.parse_html); ocr: whether (and how) a
    scan or an image is read by OCR (parsers.ocr; None: it is not, and says it needs OCR)."""
    if kind is None:
        kind = sniff_file(data, name) or ("html" if looks_like_html(data) else "text")
    if kind in FILE_KINDS:
        return read_file(data, kind, ocr)  # PDF, Word, WPS, spreadsheets, scans (issue 13)
    if kind == "html":
        return parse_html(data, encoding, content=content)
    if len(data) > MAX_BYTES:
        raise ParseError(f"file is {len(data) // 1_048_576} MB, larger than any report")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ParseError("binary data, not a report page or text")
    text = data.decode(sniff_encoding(data, encoding), errors="replace")
    return parse_text(text)


@parser_guard
def parse_bytes(
    data: bytes,
    kind: str | None = None,
    encoding: str | None = None,
    content: str | None = None,
    title_hint: str | None = None,
    name: str | None = None,
    ocr: OcrOptions | None = None,
) -> Parsed:
    """Parse and extract one report. Raises NotAReport for a readable page that is not a
    report, ParseError for anything unreadable. title_hint: see parsers.extract.extract; name: the
    file's name or URL (a file's report names it in its source); ocr: see to_document."""
    doc = to_document(data, kind, encoding, content, name, ocr)
    report = extract(doc, title_hint)
    report.source = describe_source(doc, name)
    return Parsed(doc, report, data)


@parser_guard
def parse_page_images(
    page: bytes,
    images: list[tuple[str, bytes]],
    url: str,
    encoding: str | None = None,
    content: str | None = None,
    title_hint: str | None = None,
    ocr: OcrOptions | None = None,
) -> Parsed:
    """A report page whose report is the images it shows (图片版: `images`, (URL, bytes) in the
    page's order) read by OCR, with the page's own title and date. Its source names the page (`file`)
    and the images (`images`); MissingTool when OCR is off (see to_document)."""
    doc = read_page_images(parse_html(page, encoding, content=content), [data for _, data in images], ocr)
    report = extract(doc, title_hint)
    report.source = {**(describe_source(doc, url) or {}), "images": [name for name, _ in images]}
    return Parsed(doc, report, page)


def parse_path(path: str | Path, content: str | None = None, ocr: OcrOptions | None = None) -> Parsed:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read {path}: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    kind = "html" if suffix in HTML_SUFFIXES else "text" if suffix in TEXT_SUFFIXES else None
    kind = sniff_file(data, path.name) or kind  # a file is what its bytes say, whatever its name
    try:
        return parse_bytes(data, kind, content=content, name=path.name, ocr=ocr)
    except NoReportText:
        sources = image_sources(data) if kind in (None, "html") else []
        if len(sources) < 2:  # no page images: the report is in an attachment, or not here
            raise
    # A saved 图片版 page: its images are the files beside it that its <img> name.
    return parse_page_images(data, images_beside(path, sources), path.name, content=content, ocr=ocr)
