"""ParseStage: a page that is readable but not a report, and one that cannot be read at all,
are told apart by the exception's class, on probed URLs as on linked ones."""

from __future__ import annotations

import asyncio
import re
import time
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


def test_attachment_only_is_only_the_reports_own_page() -> None:
    from fixture_portal.pages import image_only_page

    title = "北京市西城区人民政府2023年政府信息公开工作年度报告"
    scanned = image_only_page(title, "2024-01-25 09:00", "/files/P020240125.pdf")
    assert parse(scanned.encode(), probe=False).status == "attachment_only"  # its pages and its PDF
    file_only = scanned.replace('<p><img src="./P1.jpg"></p><p><img src="./P2.jpg"></p>', "")
    assert parse(file_only.encode(), probe=False).status == "attachment_only"  # its PDF
    images_only = re.sub(r"<p>附件：.*?</p>", "", scanned)
    assert parse(images_only.encode(), probe=False).status == "attachment_only"  # its scanned pages
    about = f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><img src="/images/logo.png">' \
            f'<h1>{title}</h1><p>本单位政府信息公开工作年度报告见附件。</p></body></html>'  # fmt: skip
    item = parse(about.encode(), probe=False)
    assert (item.status, item.agency) == ("not_report", None)  # no text, file or pages of it: not published
    assert "no text, file or images" in item.error


def test_a_page_over_its_time_budget_fails_and_a_dead_worker_is_replaced() -> None:
    import os
    import signal
    import time

    stage = ParseStage(workers=1, seconds=0.2)
    stage.open_spider()
    try:

        async def run(body: bytes) -> ReportPage:
            return await stage.process_item(ReportPage("xicheng", "http://127.0.0.1/r.html", "fetched", 200, body=body))

        assert asyncio.run(run(SAMPLE.read_bytes())).parsed is not None  # the worker is up
        # ~5.5 MB of a real report's tables: more than 0.2 s of parsing however fast the parser is
        big = SAMPLE.read_bytes().replace(b"</body>", SAMPLE.read_bytes().split(b"<body", 1)[1] * 150 + b"</body>")
        started = time.monotonic()
        slow = asyncio.run(run(big))
        assert (slow.status, slow.error) == ("failed", "parsing took more than 0.2 s (parse_seconds): skipped")
        assert time.monotonic() - started < 5
        assert asyncio.run(run(SAMPLE.read_bytes())).parsed is not None  # the crawl goes on
        (worker,) = stage.pool.pids  # a worker killed (the OOM killer, say) …
        os.kill(worker, signal.SIGKILL)
        time.sleep(0.5)
        item = asyncio.run(run(SAMPLE.read_bytes()))
        assert item.parsed is not None and item.status == "fetched"  # … is replaced: the page is parsed again
        assert stage.pool.pids != [worker]
    finally:
        stage.close_spider()


@pytest.mark.parametrize("name", ["hongze-2024.pdf", "huaian-2024-form.docx", "huaian-2024-tables.xlsx"])
# Shares well under the whole parse, so a machine running slower or faster by several times still stops it.
@pytest.mark.parametrize("share", [0.01, 0.03, 0.1])
def test_a_file_over_its_time_budget_is_stopped_not_read_on(name: str, share: float) -> None:
    """The budget's exception, raised wherever the parse is then (in pdfminer, python-docx,
    openpyxl, under a reader's `except Exception`), ends the parse as over budget: neither a parse
    nor "not a readable PDF". The budget is a share of the time a whole parse takes here."""
    from crawler.parse_worker import OverBudget, budgeted_parse, parse_page

    body, url = (FILES / name).read_bytes(), f"http://127.0.0.1/files/{name}"
    parse_page(body, None, None, url)  # the libraries imported
    started = time.perf_counter()
    parse_page(body, None, None, url)
    seconds = (time.perf_counter() - started) * share
    with pytest.raises(OverBudget, match=r"parsing took more than .* \(parse_seconds\)"):
        budgeted_parse(seconds, body, None, None, url)


def test_a_report_file_over_its_budget_in_the_worker_is_published_with_that_reason() -> None:
    stage = ParseStage(workers=1, seconds=60)
    stage.open_spider()
    try:

        def item() -> ReportPage:
            page = "http://127.0.0.1/gknb/t20250120_1001.html"
            return ReportPage("hongze", "http://127.0.0.1/gknb/P1.pdf", "fetched", 200, file=True, linked_from=page,
                              body=(FILES / "hongze-2024.pdf").read_bytes(), agency="洪泽区人民政府", year=2024)  # fmt: skip

        assert asyncio.run(stage.process_item(item())).parsed is not None  # the worker up, pdfplumber imported
        stage.seconds = 0.05  # inside pdfplumber's reading of the pages (a parse takes ~0.5 s)
        over = asyncio.run(stage.process_item(item()))
        assert over.parsed is None
        assert (over.status, over.error) == (
            "attachment_only",
            "parsing took more than 0.05 s (parse_seconds): skipped",
        )
    finally:
        stage.close_spider()


def test_a_file_still_unread_and_not_downloaded_again_keeps_its_reason(tmp_path: Path) -> None:
    """A report file not read (needs LibreOffice), 304 or checked recently on the next crawl: still
    an attachment-only report, and its page, read again meanwhile, gets the file's reason back."""
    from crawler.pipelines import StoreStage
    from storage.store import Store

    wps, page = "http://127.0.0.1/gknb/P1.wps", "http://127.0.0.1/gknb/t1.html"
    stage = StoreStage(str(tmp_path / "nianbao.db"))
    stage.store, stage.site = Store(stage.db_path), "x"
    try:
        stage.store.pages.record(wps, "x", status="attachment_only", error="needs LibreOffice to read .wps", etag='"w"')
        for status in ("not_modified", "recently_checked"):
            stage.store.pages.record(page, "x", status="attachment_only", error="the report is in its attachments")
            stage.process_item(ReportPage("x", wps, status, 304, file=True, linked_from=page, year=2021))
            (row,) = [p for p in stage.store.pages.db["pages"].rows if p["url"] == page]
            assert (row["status"], row["error"]) == ("attachment_only", f"{wps}: needs LibreOffice to read .wps")
        (row,) = [p for p in stage.store.pages.db["pages"].rows if p["url"] == wps]
        assert (row["status"], row["error"], row["etag"], row["http_status"]) == (
            "attachment_only", "needs LibreOffice to read .wps", '"w"', 304,
        )  # fmt: skip
        assert stage.counts == {"attachment_only": 2, "not_rechecked": 1}
    finally:
        stage.store.db.close()


def test_only_the_last_crawl_of_a_process_to_finish_indexes_the_text(tmp_path: Path) -> None:
    """`crawl --all` runs a crawler a site in one process: a site whose crawl ends leaves the
    full-text indexing (a long write that held up the other crawls) to the last one, which
    indexes every report the process stored, and every run is finished."""
    from scrapy.utils.test import get_crawler

    from crawler.parse_worker import parse_page
    from crawler.pipelines import StoreStage
    from spiders.portal import PortalSpider
    from storage.store import Store

    db = str(tmp_path / "nianbao.db")
    stages = []
    for site in ("xicheng", "dongcheng"):
        crawler = get_crawler(PortalSpider, {"NIANBAO_DB": db})
        stage = StoreStage.from_crawler(crawler)
        spider = type("S", (), {"site": site})()
        stage.open_spider(spider)
        stages.append((stage, spider))
    for stage, spider in stages:
        url = f"http://127.0.0.1/{spider.site}/r.html"
        item = ReportPage(spider.site, url, "fetched", 200, body=SAMPLE.read_bytes())
        item.parsed = parse_page(item.body, None, None, url)
        stage.process_item(item)

    def pending() -> int:
        store = Store(db)
        try:
            return store.db.execute("select count(*) from text_pending").fetchone()[0]
        finally:
            store.db.close()

    first, second = stages
    first[0].spider_closed(first[1], "finished")
    assert pending() == 1  # the other crawl goes on: not indexed yet (one report: a copy on the other site)
    second[0].spider_closed(second[1], "finished")
    assert pending() == 0
    store = Store(db)
    try:
        # Both runs closed (failed: the monitors see a crawl of no list pages, as these are).
        assert [r["status"] for r in store.db["crawl_runs"].rows] == ["failed", "failed"]
        assert store.text.count("政府信息公开") == 1
    finally:
        store.close()



READERS = ("pdfminer", "pdfplumber", "docx", "openpyxl", "xlrd", "rapidocr_onnxruntime", "PIL")


@pytest.mark.parametrize("modules", ["crawler.parse_worker", "crawler.parse_worker, crawler.pipelines"])
def test_a_crawl_imports_no_reader_of_files_it_has_not_met(modules: str) -> None:
    """Each crawl spawns its parse workers: a worker (and the crawl process) that meets no PDF,
    Word or Excel file, nor a scan, does not import their readers (pdfminer's import alone costs
    a worker as much CPU as parsing tens of report pages)."""
    import subprocess
    import sys

    code = f"import sys, {modules}; print(' '.join(m for m in {READERS!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])  # fmt: skip
    assert out.stdout.split() == []
