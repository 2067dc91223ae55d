"""Report files (PDF, Word, WPS, spreadsheets) -> the Document the HTML reader makes, and where
in the file each of the report's tables was found.

parsers.filetype says what the bytes are; this module hands them to their reader
(parsers.pdf, parsers.docx, parsers.office + parsers.docx, parsers.sheets) and wraps the
result as a FileDocument: the same paragraphs and grids, plus what the file was and which
pages (PDF), tables (Word) or sheets (workbooks) each grid came from. `describe_source` turns
that into the report's `source` (its JSON form: file, type, pages, and the places of each
table), so a reader of the report can find its numbers in the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from parsers import filetype as ft
from parsers.document import Document, Grid
from parsers.errors import NeedsOcr, ParseError

if TYPE_CHECKING:
    from parsers.ocr import OcrOptions

MAX_FILE_BYTES = 64 * 1024 * 1024  # a report PDF with page images runs to ~20 MB
_MAX_PLACED_GRIDS = 60  # where each table is: one table read per grid prefix, so bounded


@dataclass
class FileDocument(Document):
    """A Document read from a file: `kind` (parsers.filetype), `pages` (PDF), and for each grid of
    `grids`, in order, the places it comes from (`place` names them: pages, tables or sheets)."""

    kind: str = ""
    pages: int | None = None
    place: str = "pages"
    grid_places: list[list[Any]] = field(default_factory=list)
    converted_by: str | None = None
    method: str | None = None  # how its text was read, where not from the file itself: "ocr"


def read_file(data: bytes, kind: str, ocr: OcrOptions | None = None) -> FileDocument:
    """Read a file of one of parsers.filetype.FILE_KINDS. ParseError when it is not readable,
    MissingTool when it needs LibreOffice or OCR that this machine lacks (or OCR, off: `ocr`)."""
    if len(data) > MAX_FILE_BYTES:
        raise ParseError(f"file is {len(data) // 1_048_576} MB, larger than any report")
    if kind == ft.PDF:
        from parsers.pdf import read_pdf

        try:
            pdf = read_pdf(data)
        except NeedsOcr as exc:  # a scan: its pages by OCR, where that is on
            return _read_by_ocr(data, kind, ocr, str(exc))
        return FileDocument(blocks=pdf.blocks, kind=kind, pages=pdf.pages, grid_places=pdf.grid_pages)
    if kind in (ft.DOCX, ft.DOC, ft.WPS, ft.ODT, ft.RTF):
        return _read_word(data, kind)
    if kind in (ft.XLSX, ft.XLS):
        from parsers.sheets import read_xls, read_xlsx

        book = read_xlsx(data) if kind == ft.XLSX else read_xls(data)
        return FileDocument(blocks=book.blocks, kind=kind, place="sheets", grid_places=[[s] for s in book.grid_sheets])
    if kind == ft.IMAGE:
        return _read_by_ocr(data, kind, ocr, "an image (a scanned report?)")
    raise ParseError(f"{ft.LABELS.get(kind, kind)}: not a format a report is read from")


def _read_by_ocr(data: bytes, kind: str, options: OcrOptions | None, what: str) -> FileDocument:
    """A scanned PDF or an image, by OCR (parsers.ocr); MissingTool when OCR is off or not installed."""
    from parsers import ocr

    ocr.require(options, what)
    assert options is not None
    read = ocr.read_scan(data, options) if kind == ft.PDF else ocr.read_image(data, options)
    return FileDocument(
        blocks=read.blocks, kind=kind, pages=read.pages, grid_places=read.grid_pages, method=ocr.METHOD
    )


def read_page_images(page: Document, images: list[bytes], ocr: OcrOptions | None) -> FileDocument:
    """A report page published as images of its pages (图片版): the page's own text (its title,
    its date) and then the images read by OCR, as one document. MissingTool when OCR is off."""
    from parsers import ocr as engine

    engine.require(ocr, f"{len(images)} page image(s) (图片版)")
    assert ocr is not None
    read = engine.read_page_images(images, ocr)
    return FileDocument(
        blocks=[*page.paragraphs, *read.blocks], title=page.title, meta=page.meta, kind=ft.IMAGE,
        pages=read.pages, grid_places=read.grid_pages, method=engine.METHOD,
    )  # fmt: skip


def _read_word(data: bytes, kind: str) -> FileDocument:
    from parsers.docx import read_docx

    converted_by = None
    if kind != ft.DOCX:
        from parsers.office import to_docx

        data, converted_by = to_docx(data, kind), "LibreOffice"
    word = read_docx(data)
    return FileDocument(
        blocks=word.blocks,
        kind=kind,
        place="tables",
        grid_places=[[n] for n in word.grid_tables],
        converted_by=converted_by,
    )


def describe_source(doc: Document, name: str | None = None) -> dict[str, Any] | None:
    """The report's `source` for a document read from a file (None for a page or text):
    {"file": name, "type": "pdf", "pages": 6, "tables": {"applications": {"pages": [4, 5]}, …}}."""
    if not isinstance(doc, FileDocument):
        return None
    source: dict[str, Any] = {"file": name, "type": doc.kind}
    if doc.pages is not None:
        source["pages"] = doc.pages
    if doc.converted_by:
        source["converted_by"] = doc.converted_by
    if doc.method:  # every number of the report was read by OCR: checks.assess lowers its findings
        source["method"] = doc.method
        source["engine"] = _ocr_engine()
    places = table_places(doc.grids, doc.grid_places)
    if places is not None:
        source["tables"] = {part: {doc.place: where} for part, where in places.items()}
    return source


def _ocr_engine() -> str:
    """The OCR engine and its version, as the source names it."""
    from importlib.metadata import PackageNotFoundError, version

    from parsers.ocr import ENGINE

    try:
        return f"{ENGINE} {version(ENGINE)}"
    except PackageNotFoundError:
        return ENGINE


def table_places(grids: list[Grid], grid_places: list[list[Any]]) -> dict[str, list[Any]] | None:
    """For each of tables 1-3 (by part name), the places of the grids its rows were read from.

    Extraction reads one stream of rows across all grids (a table may span several), so which grid
    fed which table is what extraction itself does: the tables are read from the first k grids for
    each k, and grid k belongs to the tables that changed when it was added.
    """
    from parsers.model import TABLE_PARTS, Report
    from parsers.tables import read_tables

    if len(grids) > _MAX_PLACED_GRIDS or len(grids) != len(grid_places):
        return None
    found: dict[str, list[Any]] = {}
    before: dict[str, Any] = {}
    for k in range(len(grids)):
        report = Report()
        read_tables(Document(blocks=list(grids[: k + 1])), report)
        for part in TABLE_PARTS.values():
            now = getattr(report, part)
            if now != before.get(part, {}):
                where = found.setdefault(part, [])
                where.extend(p for p in grid_places[k] if p not in where)
            before[part] = now
    return {part: found[part] for part in TABLE_PARTS.values() if part in found}
