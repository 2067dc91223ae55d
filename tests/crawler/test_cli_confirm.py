"""`crawl confirm REPORT_ID` (issue 13, item 4): a person confirms the numbers OCR read of a stored
report, and its warnings are errors again; `--undo` takes it back. The report is stored as a crawl
stores one: `crawl ingest --ocr` of a page image (one, to keep OCR's seconds few)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.cli import main
from tests.crawler.test_ocr_pipeline import table3_png

pytest.importorskip("rapidocr_onnxruntime", reason="the ocr extra is not installed")


def findings(db: Path, capsys: pytest.CaptureFixture) -> str:
    assert main(["findings", "--db", str(db)]) == 0
    return capsys.readouterr().out


def test_crawl_confirm_makes_the_ocr_warnings_errors_and_undo_warnings_again(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    image, db = tmp_path / "P1.png", tmp_path / "nianbao.db"
    image.write_bytes(table3_png())
    assert main(["ingest", "--ocr", "--db", str(db), str(image)]) == 0
    capsys.readouterr()
    before = findings(db, capsys)
    assert "warning missing_table" in before and "error " not in before
    assert "(numbers read by OCR, not yet confirmed)" in before
    assert "OCR 识别，未经人工确认  (report 1: crawl confirm 1)" in before

    assert main(["confirm", "1", "--by", "张三", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("report 1 (") and "OCR 识别，已人工确认 (张三, " in out and "2 open error(s)" in out
    after = findings(db, capsys)
    assert "error   missing_table" in after and "not yet confirmed" not in after
    assert "OCR 识别，已人工确认 (张三, " in after and "crawl confirm --undo 1" in after

    assert main(["confirm", "--undo", "1", "--db", str(db)]) == 0
    assert "taken back" in capsys.readouterr().out
    assert findings(db, capsys) == before

    assert main(["confirm", "--undo", "1", "--db", str(db)]) == 1  # not confirmed: nothing to undo
    assert main(["confirm", "7", "--db", str(db)]) == 1
    assert capsys.readouterr().err.endswith("crawl confirm: no report 7\n")


def test_crawl_confirm_refuses_a_report_not_read_by_ocr(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    seed = Path(__file__).resolve().parents[1] / "fixtures" / "seeds" / "003_42b2e6b1a7d7c7c9.txt"
    db = tmp_path / "nianbao.db"
    assert main(["ingest", "--db", str(db), str(seed)]) == 0
    assert main(["confirm", "1", "--db", str(db)]) == 1
    assert "was not read by OCR" in capsys.readouterr().err
    assert main(["export", "--db", str(db)]) == 0
    assert "confirmed" not in json.dumps(json.loads(capsys.readouterr().out), ensure_ascii=False)
