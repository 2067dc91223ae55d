"""Scans in a crawl and on the command line (issue 13, item 4): OCR in the parse worker (its
address space capped as every worker's), each page within its own budget, off unless asked for."""

from __future__ import annotations

import asyncio
import functools
import io
import json
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.parse_worker import OverBudget, budgeted_parse
from crawler.pipelines import ParseStage
from parsers.ocr import OcrOptions
from spiders.items import ReportPage

pytest.importorskip("rapidocr_onnxruntime", reason="the ocr extra is not installed")

FILES = Path(__file__).resolve().parent.parent / "fixtures" / "attachments"
TRUTH = {t["file"]: t for t in json.loads((FILES / "truth.json").read_text(encoding="utf-8"))}


@functools.cache
def table3_png() -> bytes:
    """hongze-2024's table 3 and the text below it, as a 150-dpi image (a picture in a report page)."""
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(str(FILES / "hongze-2024.pdf"))[3]
    buf = io.BytesIO()
    page.render(scale=150 / 72).to_pil().convert("RGB").crop((0, 600, 1240, 1340)).save(buf, "PNG")
    return buf.getvalue()


def test_a_scan_is_read_by_ocr_in_the_parse_worker() -> None:
    stage = ParseStage(workers=1, ocr=OcrOptions(enabled=True, page_seconds=120))
    stage.open_spider()
    try:
        item = ReportPage("x", "http://127.0.0.1/gknb/P1.png", "fetched", 200, body=table3_png(), file=True,
                          agency="淮安市洪泽区人民政府", year=2024)  # fmt: skip
        item = asyncio.run(stage.process_item(item))
    finally:
        stage.close_spider()
    assert (item.status, item.error) == ("fetched", None)
    report = item.parsed.report
    assert report.review_litigation == TRUTH["hongze-2024.pdf"]["review_litigation"]
    assert report.source["method"] == "ocr" and report.source["type"] == "image"


def test_an_ocr_page_over_its_budget_is_skipped_with_the_reason() -> None:
    page = (table3_png(), None, None, "http://127.0.0.1/P1.png", None, None, None, None)
    with pytest.raises(OverBudget, match=r"^OCR of page 1 took more than 0.001 s \(ocr_page_seconds\): skipped$"):
        budgeted_parse(60, *page, OcrOptions(enabled=True, page_seconds=0.001))


def test_ocr_off_leaves_the_file_recorded_with_the_reason() -> None:
    item = ReportPage("x", "http://127.0.0.1/gknb/P1.png", "fetched", 200, body=table3_png(), file=True,
                      agency="淮安市洪泽区人民政府", year=2024)  # fmt: skip
    item = asyncio.run(ParseStage(workers=0).process_item(item))
    assert item.status == "attachment_only" and "needs OCR, which is off" in item.error


def test_crawl_parse_reads_an_image_with_ocr(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "page.png"
    path.write_bytes(table3_png())
    assert main(["parse", str(path)]) == 1
    err = capsys.readouterr().err
    assert err == f"crawl parse: {path}: an image (a scanned report?): reading it needs OCR, which is off " \
                  "([crawl] ocr = true, or crawl parse --ocr)\n"  # fmt: skip
    assert main(["parse", "--ocr", str(path)]) == 0  # table 3 alone, right: no error finding
    out = capsys.readouterr().out
    assert "read from: page.png (image, 1 pages, read by OCR (rapidocr_onnxruntime " in out
    assert "numbers unconfirmed); table 3: page 1" in out
