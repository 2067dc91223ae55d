"""`crawl parse` and `crawl ingest` take report files as they take pages."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from crawler.cli import main
from parsers import office

FILES = Path(__file__).resolve().parent.parent / "fixtures" / "attachments"


def test_parse_prints_the_summary_and_where_the_tables_are(capsys: pytest.CaptureFixture) -> None:
    assert main(["parse", str(FILES / "huaian-2024.pdf"), str(FILES / "seed000.docx")]) == 0
    out = capsys.readouterr().out
    assert "淮安市人民政府 · 2024 · template 2021" in out
    assert "read from: huaian-2024.pdf (pdf, 6 pages); table 1: pages 3, 4; table 2: pages 4, 5; table 3: page 5" in out
    assert "北京市西城区人民政府外事办公室 · 2021 · template 2021" in out
    assert "read from: seed000.docx (docx); table 1: table 1; table 2: table 2; table 3: table 3" in out
    assert out.count("result: OK") == 2


def test_parse_json_says_what_the_report_was_read_from(capsys: pytest.CaptureFixture) -> None:
    assert main(["parse", "--json", str(FILES / "hongze-2024.pdf")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["source"] == {
        "file": "hongze-2024.pdf",
        "type": "pdf",
        "pages": 5,
        "tables": {"active_disclosure": {"pages": [2, 3]}, "applications": {"pages": [3, 4]},
                   "review_litigation": {"pages": [4]}},
    }  # fmt: skip
    assert data["applications"]["new_received"]["total"] == 95


def test_parse_a_wps_without_libreoffice(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_SOFFICE", "")
    assert main(["parse", str(FILES / "seed000.wps")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"crawl parse: {FILES / 'seed000.wps'}: needs LibreOffice to read .wps")
    assert err.count("\n") == 1


def _ingest(db: Path, capsys: pytest.CaptureFixture, *names: str) -> list[str]:
    assert main(["ingest", "--db", str(db), *(str(FILES / n) for n in names)]) == 0
    return [line.split()[0] for line in capsys.readouterr().out.splitlines()]


def test_ingest_stores_file_reports(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    db = tmp_path / "files.db"
    assert _ingest(db, capsys, "huaian-2024.pdf", "hongze-2024.pdf", "seed000.docx") == ["new"] * 3
    assert _ingest(db, capsys, "hongze-2024.pdf") == ["unchanged"]
    if office.soffice():  # the same report as a .wps: the same text records, no new version
        assert _ingest(db, capsys, "seed000.wps") == ["unchanged"]
    # huaian's tables alone, as a workbook: the same report (agency + year), other content
    assert _ingest(db, capsys, "huaian-2024-tables.xlsx") == ["changed"]
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "select r.agency, r.year, json_extract(v.report_json, '$.source.type'), "
            "json_extract(v.report_json, '$.source.file'), length(v.raw) > 0 "
            "from reports r join versions v on v.id = r.current_version order by r.id"
        ).fetchall()
        cells = conn.execute(
            "select value from cells c join reports r on r.current_version = c.version_id "
            "where r.agency = '淮安市洪泽区人民政府' and part = 'applications' and row = 'withheld_prohibited_by_law' "
            "and col = 'total'"
        ).fetchall()
    conn.close()
    assert rows == [
        ("淮安市人民政府", 2024, "xlsx", "huaian-2024-tables.xlsx", 1),
        ("淮安市洪泽区人民政府", 2024, "pdf", "hongze-2024.pdf", 1),
        ("北京市西城区人民政府外事办公室", 2021, "docx", "seed000.docx", 1),
    ]
    assert cells == [(0,)]  # the typo'd row, stored under its key
