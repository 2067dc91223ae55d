"""ParseStage: a page that is readable but not a report, and one that cannot be read at all,
are told apart by the exception's class, on probed URLs as on linked ones."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from crawler.pipelines import ParseStage
from spiders.items import ReportPage

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "samples" / "shanghai-szfbgt-2019.html"
SOFT_404 = "<html><head><title>暂无数据</title></head><body><p>暂无数据</p></body></html>".encode()
TOO_BIG = b"<html>" + b" " * (9 * 1024 * 1024)  # unreadable: larger than any report page


def parse(body: bytes, probe: bool) -> ReportPage:
    item = ReportPage("xicheng", "http://127.0.0.1/r.html", "fetched", 200, body=body, probe=probe)
    return asyncio.run(ParseStage(workers=0).process_item(item))


@pytest.mark.parametrize(
    ("body", "probe", "status"),
    [
        (SOFT_404, False, "not_report"),
        (SOFT_404, True, "not_published"),  # a guessed URL with no report on it: not published yet
        (TOO_BIG, False, "failed"),
        (TOO_BIG, True, "failed"),  # a genuine failure is not hidden by the probe
        (b"", True, "failed"),
    ],
)
def test_not_a_report_versus_unreadable(body: bytes, probe: bool, status: str) -> None:
    item = parse(body, probe)
    assert item.status == status and item.error and item.parsed is None


def test_a_report_is_parsed() -> None:
    item = parse(SAMPLE.read_bytes(), probe=True)
    assert item.status == "fetched" and item.parsed.report.year == 2019


FILES = Path(__file__).resolve().parents[1] / "fixtures" / "attachments"


def test_a_fetched_file_is_read_by_its_bytes_not_its_url() -> None:
    url = "http://127.0.0.1/module/download/downfile.jsp?classid=0&id=88231"  # no suffix to go by
    item = ReportPage("huaian", url, "fetched", 200, body=(FILES / "huaian-2024.pdf").read_bytes(), file=True)
    item = asyncio.run(ParseStage(workers=0).process_item(item))
    assert item.status == "fetched", item.error
    assert (item.parsed.report.source["file"], item.parsed.report.source["type"]) == (url, "pdf")
    assert (item.parsed.report.agency, item.parsed.report.year) == ("淮安市人民政府", 2024)


def test_a_file_that_needs_a_missing_tool_is_published_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_SOFFICE", "")  # as on a machine without LibreOffice
    page = "http://127.0.0.1/gknb/t20220120_1001.html"
    item = ReportPage("x", "http://127.0.0.1/gknb/P1.wps", "fetched", 200, body=(FILES / "seed000.wps").read_bytes(),
                      file=True, linked_from=page, agency="北京市西城区人民政府外事办公室", year=2021)  # fmt: skip
    item = asyncio.run(ParseStage(workers=0).process_item(item))
    assert item.status == "attachment_only" and item.error.startswith("needs LibreOffice to read .wps")
    assert (item.linked_from, item.agency, item.year) == (page, "北京市西城区人民政府外事办公室", 2021)
