"""OCR of scans (issue 13, item 4): the pages of the real PDFs that hold tables 2 and 3, rendered
with pypdfium2 at 150 dpi as a scan would be, read by RapidOCR into the same model, every cell
against truth.json. One report goes in as a PDF of page images (no text layer), the other as a
multi-page TIFF, so both ways in are read. OCR costs seconds a page: each is read once here."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from parsers import ocr
from parsers.errors import MissingTool
from parsers.load import parse_bytes
from parsers.ocr import OcrOptions
from parsers.ruled import find_tables

pytest.importorskip("rapidocr_onnxruntime", reason="the ocr extra is not installed")

log = logging.getLogger(__name__)
FILES = Path(__file__).resolve().parent.parent / "fixtures" / "attachments"
TRUTH = {t["file"]: t for t in json.loads((FILES / "truth.json").read_text(encoding="utf-8"))}
TABLE_PAGES = {"hongze-2024.pdf": [3, 4], "huaian-2024.pdf": [4, 5]}  # tables 2 and 3
DONE_WHEN = 0.99  # issue 13: OCR gets at least 99 % of the cells of tables 2 and 3 right
ON = OcrOptions(enabled=True)


def rendered(name: str, pages: list[int]) -> list:
    """Pages of a real PDF as images, as a scanner at 150 dpi would give them."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(FILES / name))
    return [pdf[n - 1].render(scale=150 / 72).to_pil().convert("RGB") for n in pages]


def scanned_pdf(images: list) -> bytes:
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=150, save_all=True, append_images=images[1:], quality=90)
    return buf.getvalue()


def tiff(images: list) -> bytes:
    buf = io.BytesIO()
    images[0].save(buf, "TIFF", save_all=True, append_images=images[1:], compression="tiff_deflate")
    return buf.getvalue()


@pytest.fixture(scope="module")
def read() -> dict:
    out = {}
    for name, make in (("hongze-2024.pdf", scanned_pdf), ("huaian-2024.pdf", tiff)):
        data = make(rendered(name, TABLE_PAGES[name]))
        out[name] = parse_bytes(data, name=name, ocr=ON).report
    return out


def cells_right(report, truth) -> tuple[int, int, list]:
    wrong, total = [], 0
    for part in ("applications", "review_litigation"):
        for row, cols in truth[part].items():
            for col, want in cols.items():
                total += 1
                got = getattr(report, part).get(row, {}).get(col, "missing")
                if got != want:
                    wrong.append((part, row, col, want, got))
    return total - len(wrong), total, wrong


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_ocr_reads_the_cells_of_tables_2_and_3(read, name: str) -> None:
    right, total, wrong = cells_right(read[name], TRUTH[name])
    log.info("OCR %s: %d of %d cells right", name, right, total)
    assert right / total >= DONE_WHEN, wrong
    assert (right, total) == ({"hongze-2024.pdf": 176, "huaian-2024.pdf": 190}[name],) * 2  # measured: all
    assert set(read[name].applications) == set(TRUTH[name]["applications"])  # no row of its own for a misread label
    assert read[name].template == "2021"


def test_the_source_says_the_numbers_were_read_by_ocr(read) -> None:
    hongze, huaian = read["hongze-2024.pdf"].to_json()["source"], read["huaian-2024.pdf"].to_json()["source"]
    assert (hongze["type"], hongze["method"], huaian["type"], huaian["method"]) == ("pdf", "ocr", "image", "ocr")
    assert hongze["engine"].startswith("rapidocr_onnxruntime ")
    # A table cut by the page break is one table again, as in the PDF: its pages are those of the images.
    assert hongze["tables"]["applications"] == {"pages": [1, 2]} and hongze["tables"]["review_litigation"] == {
        "pages": [2]
    }


def test_findings_of_an_ocr_read_report_are_no_errors(read) -> None:
    from checks.assess import assess_report

    for report in read.values():
        assert [f.rule for f in assess_report(report) if f.severity == "error"] == []


def test_off_or_not_installed_says_what_it_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    png = io.BytesIO()
    rendered("hongze-2024.pdf", [5])[0].save(png, "PNG")
    for options in (None, OcrOptions(enabled=False)):
        with pytest.raises(MissingTool, match=r"an image .*needs OCR, which is off \(\[crawl\] ocr = true"):
            parse_bytes(png.getvalue(), ocr=options)
    monkeypatch.setattr(ocr, "installed", lambda: False)
    with pytest.raises(MissingTool, match="rapidocr_onnxruntime is not installed"):
        parse_bytes(png.getvalue(), ocr=ON)
    with pytest.raises(MissingTool, match="no text layer .*rapidocr_onnxruntime is not installed"):
        parse_bytes(scanned_pdf(rendered("hongze-2024.pdf", [5])), ocr=ON)


def test_ruled_tables_are_found_with_their_merged_cells() -> None:
    """A drawn table: three columns, the first cell spanning two rows, the last row's two right cells one."""
    import numpy as np
    from PIL import Image, ImageDraw

    image = Image.new("L", (600, 400), 255)
    draw = ImageDraw.Draw(image)
    xs, ys = [50, 250, 400, 550], [50, 150, 250, 350]
    for y in ys:
        draw.line([(xs[0], y), (xs[-1], y)], fill=0, width=2)
    for x in (xs[0], xs[-1]):
        draw.line([(x, ys[0]), (x, ys[-1])], fill=0, width=2)
    draw.line([(xs[1], ys[0]), (xs[1], ys[-1])], fill=0, width=2)
    draw.line([(xs[2], ys[0]), (xs[2], ys[2])], fill=0, width=2)  # not in the last row: merged there
    draw.rectangle([xs[0] + 3, ys[1] - 1, xs[1] - 3, ys[1] + 1], fill=255)  # first column: rows 1-2 one cell
    draw.text((300, 90), "12", fill=0)  # text is no rule
    (table,) = find_tables(np.asarray(image))
    assert [abs(a - b) <= 2 for a, b in zip(table.xs, xs)] == [True] * 4 and len(table.ys) == 4
    assert table.cells == [[0, 1, 2], [0, 3, 4], [5, 6, 6]]
    assert table.unit_at(300, 100) == (0, 1) and table.unit_at(10, 10) is None
