"""Scans and page images (图片版) -> the paragraphs and grids a PDF's text layer gives, by OCR.

A PDF with no text layer is rendered page by page with pypdfium2 at 150 dpi (what RapidOCR read
exactly while planning); an image file (PNG, JPEG, TIFF, …: parsers.filetype) is its pages.
RapidOCR (rapidocr_onnxruntime: PP-OCR models on onnxruntime, the models inside the package,
nothing downloaded) reads each page into text boxes. The page's ruled tables are found from
its pixels (parsers.ruled) and each box goes to the cell under its centre; the boxes outside
them become lines by their vertical overlap. From there a page is what parsers.pdf makes of a
PDF page (Line, PageTable): page numbers and running heads dropped, paragraphs joined, a table
cut by a page break joined again, so extraction and checks read an OCR'd report as any other.

OCR is optional (the `ocr` extra) and off unless asked for (`[crawl] ocr = true`, `crawl parse
--ocr`): a page costs seconds of CPU, and its numbers may be misread, so a report read this way
says so (its source's "method" is "ocr") and checks.assess lowers its findings to warnings.
"""

from __future__ import annotations

import importlib.util
import io
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from parsers.document import Grid, check_grid_size
from parsers.errors import MissingTool, ParseError
from parsers.pdf import MAX_PAGES, Line, PageTable, assemble, drop_running_lines, join_text, make_page
from parsers.ruled import RuledTable, find_tables

log = logging.getLogger(__name__)

ENGINE = "rapidocr_onnxruntime"
METHOD = "ocr"  # the report's source says its numbers were read this way
DPI = 150  # PDF pages are rendered at this; an image is taken as being at it
MAX_SIDE = 2000  # px: a larger image is scaled down first (RapidOCR's own limit for detection)
MAX_PIXELS = 60_000_000  # an image past this is no page of a report (and a decompression bomb)
_POINTS = 72 / DPI  # px -> PDF points, the unit parsers.pdf measures lines and columns in
# Characters OCR reads for digits in a number cell (O for 0, l for 1): only in a cell of nothing else.
_DIGIT_LOOKALIKES = str.maketrans("OoDQIl|", "0000111")
_RULE_PAD = 4  # px left out at a cell's edges: its rules
_INK = 170  # grey level under which a pixel is ink (a thin 7 in 9-point type is grey, not black)
_MIN_INK = 8  # pixels: fewer in a cell are specks of a scan, not a character
_MAX_LINE = 40  # px: ink taller than this in a cell is more than one line, not for recognition alone
_MIN_SCORE = 0.5  # RapidOCR's own threshold for a box's text
_NUMBER_LIKE = re.compile(r"^[0-9OoDQIl|,，.]+$")


@dataclass(frozen=True)
class OcrOptions:
    """Whether scans are read by OCR, and each page's budget. `on_page` is told the number of each
    page before it is read, and None once all are (the parse worker re-arms its timer with it)."""

    enabled: bool = False
    page_seconds: float = 60.0
    on_page: Callable[[int | None], None] | None = field(default=None, compare=False)


@dataclass
class OcrContent:
    blocks: list[str | Grid]
    grid_pages: list[list[int]]
    pages: int
    seconds: float  # of OCR, all pages


def installed() -> bool:
    """Whether the OCR engine is installed (pip install 'nianbao[ocr]')."""
    return importlib.util.find_spec(ENGINE) is not None


def require(options: OcrOptions | None, what: str) -> None:
    """MissingTool naming why `what` cannot be read, unless OCR is on and installed."""
    if options is None or not options.enabled:
        raise MissingTool(f"{what}: reading it needs OCR, which is off ([crawl] ocr = true, or crawl parse --ocr)")
    if not installed():
        raise MissingTool(f"{what}: reading it needs OCR, and {ENGINE} is not installed (pip install 'nianbao[ocr]')")


_engine: Any = None


def engine() -> Any:
    """The RapidOCR engine, made once per process (loading its three models takes ~0.2 s)."""
    global _engine
    if _engine is None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:  # installed, but a library it loads is not (opencv: libGL.so.1)
            raise MissingTool(f"reading it needs OCR, and {ENGINE} does not load: {exc}") from None
        logging.getLogger("RapidOCR").setLevel(logging.WARNING)
        _engine = RapidOCR()
    return _engine


def read_scan(data: bytes, options: OcrOptions) -> OcrContent:
    """A PDF with no text layer, read by OCR of its pages rendered at DPI."""
    return read_images(_pdf_pages(data), options)


def read_image(data: bytes, options: OcrOptions) -> OcrContent:
    """An image file (every frame of a multi-page TIFF or GIF), read by OCR."""
    return read_images(_image_pages(data), options)


def read_page_images(images: list[bytes], options: OcrOptions) -> OcrContent:
    """The images a report page shows as its pages (图片版), in the page's order, read by OCR."""
    return read_images((frame for data in images for frame in _image_pages(data)), options)


def read_images(images: Iterator[Any], options: OcrOptions) -> OcrContent:
    """OCR of page images (PIL images, read one at a time) -> paragraphs and grids."""
    import numpy as np

    pages = []
    started = time.perf_counter()
    for n, image in enumerate(images, 1):
        if options.on_page is not None:
            options.on_page(n)
        rgb = np.asarray(image.convert("RGB"))
        boxes = _recognise(rgb[:, :, ::-1].copy())  # RapidOCR takes BGR, as OpenCV reads
        gray = np.asarray(image.convert("L"))
        tables = find_tables(gray)
        boxes = _blank_cells(tables, boxes, gray)
        pages.append(_page(n, boxes, tables))
        log.debug("OCR page %d: %d boxes", n, len(boxes))
    if options.on_page is not None:
        options.on_page(None)
    if not pages:
        raise ParseError("no page to read")
    seconds = time.perf_counter() - started
    drop_running_lines(pages)
    blocks, grid_pages = assemble(pages)
    return OcrContent(blocks=blocks, grid_pages=grid_pages, pages=len(pages), seconds=seconds)


@dataclass
class _Box:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


def _recognise(bgr: Any) -> list[_Box]:
    result, _elapsed = engine()(bgr, use_cls=False)  # the angle classifier turns a lone 6 into a 9
    boxes = []
    for quad, text, _score in result or []:
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        text = " ".join(str(text).split())
        if text:
            boxes.append(_Box(text, min(xs), min(ys), max(xs), max(ys)))
    return boxes


def _blank_cells(tables: list[RuledTable], boxes: list[_Box], gray: Any) -> list[_Box]:
    """The boxes, with table cells the detector found no box in read cell by cell, and cells whose
    only text is a lone sign no number is (√ for a 1, Q for a 0) read again so.

    The detector misses a lone small digit (a 0 in a column of 0s, in 9-point type at 150 dpi:
    huaian-2024 lost 43 of 190 cells so), and reads one now and then as a sign; recognition
    alone, on the ink of that one cell, reads it. A cell with no ink is blank, as it should be.
    A sign read again as no number stays what it was."""
    import numpy as np

    out = list(boxes)
    for table in tables:
        by_cell: dict[int, list[_Box]] = {}
        for b in boxes:
            if (u := table.unit_at(b.cx, b.cy)) is not None:
                by_cell.setdefault(table.cells[u[0]][u[1]], []).append(b)
        for cell, (x0, y0, x1, y1) in _cell_boxes(table).items():
            its = by_cell.get(cell, [])
            if its and not (len(its) == 1 and _unsure(its[0].text)):
                continue
            inside = gray[y0 + _RULE_PAD : y1 - _RULE_PAD, x0 + _RULE_PAD : x1 - _RULE_PAD]
            ink = np.argwhere(inside < _INK)
            if len(ink) < _MIN_INK:
                continue
            (top, left), (bottom, right) = (int(v) for v in ink.min(axis=0)), (int(v) for v in ink.max(axis=0))
            if bottom - top > _MAX_LINE:
                continue
            crop = inside[max(0, top - 4) : bottom + 5, max(0, left - 4) : right + 5]
            text = _recognise_one(np.pad(crop, 8, constant_values=255))
            if not text or (its and not text.isdigit()):
                continue
            ox, oy = x0 + _RULE_PAD, y0 + _RULE_PAD
            out = [b for b in out if b not in its]
            out.append(_Box(text, ox + left, oy + top, ox + right + 1, oy + bottom + 1))
    return out


def _unsure(text: str) -> bool:
    """A cell's only text is one or two signs that are no digit, letter of a word or CJK: misread?"""
    text = text.translate(_DIGIT_LOOKALIKES)
    return len(text) <= 2 and not text.isdigit() and (text == "一" or not any(ch.isalpha() for ch in text))


def _cell_boxes(table: RuledTable) -> dict[int, tuple[int, int, int, int]]:
    """Each cell's rectangle in pixels (a merged cell: the union of its units)."""
    out: dict[int, tuple[int, int, int, int]] = {}
    for r, ids in enumerate(table.cells):
        for c, cell in enumerate(ids):
            x0, y0, x1, y1 = table.xs[c], table.ys[r], table.xs[c + 1], table.ys[r + 1]
            if cell in out:
                a = out[cell]
                x0, y0, x1, y1 = min(a[0], x0), min(a[1], y0), max(a[2], x1), max(a[3], y1)
            out[cell] = (x0, y0, x1, y1)
    return out


def _recognise_one(gray_crop: Any) -> str:
    """Recognition alone (no detection) of one small image: its text, or "" when unsure."""
    import numpy as np

    result, _elapsed = engine()(np.dstack([gray_crop] * 3), use_det=False, use_cls=False)
    for item in result or []:
        text, score = item[-2], item[-1]
        if score >= _MIN_SCORE:
            return " ".join(str(text).split())
    return ""


def _pdf_pages(data: bytes) -> Iterator[Any]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ParseError(f"not a readable PDF ({exc})") from None
    try:
        if len(pdf) > MAX_PAGES:
            raise ParseError(f"a PDF of {len(pdf)} pages, more than any report ({MAX_PAGES})")
        for i in range(len(pdf)):
            page = pdf[i]
            try:
                yield page.render(scale=DPI / 72).to_pil()
            finally:
                page.close()
    finally:
        pdf.close()


def _image_pages(data: bytes) -> Iterator[Any]:
    from PIL import Image, ImageSequence, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # past it PIL raises (DecompressionBombError), not allocates
    try:
        image = Image.open(io.BytesIO(data))
        frames = getattr(image, "n_frames", 1)
        if frames > MAX_PAGES:
            raise ParseError(f"an image of {frames} pages, more than any report ({MAX_PAGES})")
        for frame in ImageSequence.Iterator(image):
            frame.load()
            scale = MAX_SIDE / max(frame.size)
            if scale < 1:
                frame = frame.resize((round(frame.width * scale), round(frame.height * scale)))
            yield frame
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise ParseError(f"not a readable image ({type(exc).__name__})") from None


def _page(number: int, boxes: list[_Box], tables: list[RuledTable]) -> Any:
    """One page's boxes and ruled tables -> a parsers.pdf Page (in points, as a PDF page is)."""
    placed: list[tuple[float, Line | PageTable]] = []
    inside: list[list[_Box]] = [[] for _ in tables]
    rest = []
    for box in boxes:
        k = next((k for k, t in enumerate(tables) if t.unit_at(box.cx, box.cy) is not None), None)
        (rest if k is None else inside[k]).append(box)
    for table, its_boxes in zip(tables, inside):
        grid = _grid(table, its_boxes)
        if grid is not None:
            columns = [x * _POINTS for x in table.xs[1:-1]]
            placed.append((table.ys[0] * _POINTS, PageTable(grid=grid, columns=columns, pages=[number])))
    for line in _lines(rest):
        x0, x1 = min(b.x0 for b in line), max(b.x1 for b in line)
        size = sorted(b.y1 - b.y0 for b in line)[len(line) // 2] * _POINTS
        text = ""
        for b in sorted(line, key=lambda b: b.x0):
            text = join_text(text, b.text)
        placed.append((min(b.y0 for b in line) * _POINTS, Line(text, x0 * _POINTS, x1 * _POINTS, size)))
    return make_page(number, placed)


def _lines(boxes: list[_Box]) -> list[list[_Box]]:
    """Boxes outside tables -> lines of text: a box whose middle lies within a line's height joins it."""
    lines: list[list[_Box]] = []
    for box in sorted(boxes, key=lambda b: b.cy):
        if lines:
            last = lines[-1]
            top, bottom = min(b.y0 for b in last), max(b.y1 for b in last)
            if top <= box.cy <= bottom:
                last.append(box)
                continue
        lines.append([box])
    return lines


def _grid(table: RuledTable, boxes: list[_Box]) -> Grid | None:
    """A ruled table and the boxes in it -> a Grid, each merged cell's text in every unit it covers."""
    texts: dict[int, list[_Box]] = {}
    for box in boxes:
        for cell, text in _split_over_cells(table, box):
            texts.setdefault(cell, []).append(replace(box, text=text))
    cell_text = {cell: _cell_text(parts) for cell, parts in texts.items()}
    rows, origins = [], []
    for ids in table.cells:
        row = [cell_text.get(cell, "") for cell in ids]
        if any(row):  # a row of nothing carries nothing (as in parsers.pdf)
            rows.append(row)
            origins.append(list(ids))
    if not rows:
        return None
    check_grid_size(len(rows), len(rows[0]), len(rows) * len(rows[0]))
    return Grid(rows=rows, origins=origins)


def _split_over_cells(table: RuledTable, box: _Box) -> list[tuple[int, str]]:
    """The cells a box's text goes to: the cell under its centre, or, for a box OCR read across
    the rules of several cells of a row (a head row: 结果维持 结果纠正 …), its characters shared out
    by how much of the box lies over each."""
    unit = table.unit_at(box.cx, box.cy)
    if unit is None:
        return []
    r, _c = unit
    spans = []
    for c in range(len(table.xs) - 1):
        overlap = min(box.x1, table.xs[c + 1]) - max(box.x0, table.xs[c])
        if overlap > 0:
            spans.append((table.cells[r][c], overlap))
    cells = {cell for cell, _ in spans}
    if len(cells) < 2 or len(box.text) < len(spans):
        return [(table.cells[r][unit[1]], box.text)]
    out, width, done = [], sum(w for _, w in spans), 0.0
    for cell, overlap in spans:
        start, done = round(len(box.text) * done / width), done + overlap
        piece = box.text[start : round(len(box.text) * done / width)]
        if piece:
            out.append((cell, piece))
    return out


def _cell_text(boxes: list[_Box]) -> str:
    """A cell's boxes, line by line and left to right, joined as parsers.pdf joins a cell's lines."""
    text = ""
    for line in _lines(boxes):
        for box in sorted(line, key=lambda b: b.x0):
            text = join_text(text, box.text)
    if _NUMBER_LIKE.match(text) and text.strip(",，."):
        text = text.translate(_DIGIT_LOOKALIKES)
    return text
