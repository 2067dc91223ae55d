"""Report pages published as images of their pages (图片版) in a crawl (issue 13, item 4): with
`[crawl] ocr = true` the page's images are fetched politely (allowed hosts, the files' size cap),
read by OCR in the parse worker, checked (its errors warnings until a person confirms) and stored
under the page's URL with the images named in its source, and alerted; an unchanged page is not
fetched again, nor its images; a page that changed asks for its images conditionally, and with
none changed reads nothing again; with one changed, reads them all again. With OCR off the page stays attachment_only, with the reason. Two
page images of hongze-2024.pdf (tables 2 and 3 only) keep OCR's seconds few."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixture_portal import PortalServer
from fixture_portal.file_sites import image_site
from tests.spiders.crawling import crawl, crawl_twice, query
from tests.spiders.test_crawl_files import FILES, TRUTH, config_for, digest_text, stored_reports

pytest.importorskip("rapidocr_onnxruntime", reason="the ocr extra is not installed")

NOTE = "(numbers read by OCR, not yet confirmed)"


def with_ocr(config: Path, on: bool) -> Path:
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[crawl]\n", f"[crawl]\nocr = {'true' if on else 'false'}\n", 1), encoding="utf-8")
    return config


@pytest.fixture(scope="module")
def image_crawl(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("images")
    with PortalServer(image_site(FILES)) as server:
        config = with_ocr(config_for(tmp_path, server, "hongze", file_maxsize=2_000_000), True)
        crawled = crawl_twice(server, config, "hongze", timeout=300)
        page, images = server.fixture.expected[0], server.fixture.traps["images"]
        # The page changes (a visit counter, a sidebar), its images do not; then one image does too.
        for n, touched in ((3, [page]), (4, [page, images[1]])):
            server.clear_log()
            for path in touched:
                server.touch(path)
            crawled[n] = crawl(config, "--site", "hongze", "--no-alerts", timeout=300)
            crawled[f"log{n}"] = list(server.log)
        yield crawled


def test_a_picture_report_is_read_by_ocr_stored_checked_and_alerted(image_crawl) -> None:
    server, first, db = image_crawl["server"], image_crawl["first"], image_crawl["db"]
    site = server.fixture
    assert first.returncode == 0, first.stdout + first.stderr
    assert "reports 1 new" in first.stdout, first.stdout
    (report,) = stored_reports(db).values()
    page_url = server.url(site.expected[0])
    assert report["url"] == page_url and (report["agency"], report["year"]) == ("淮安市洪泽区人民政府", 2024)
    source = report["json"]["source"]
    assert (source["method"], source["type"], source["pages"]) == ("ocr", "image", 2)
    assert source["images"] == [server.url(p) for p in site.traps["images"]] and "confirmed" not in source
    truth = TRUTH["hongze-2024.pdf"]
    assert report["json"]["review_litigation"] == truth["review_litigation"]
    assert report["json"]["applications"] == truth["applications"]
    assert report["json"]["published"] == "2025-01-22"  # the page's own date, with the images' numbers
    (page,) = query(db, "select * from pages where url = ?", page_url)
    assert (page["status"], page["report_id"]) == ("stored", report["id"])
    findings = query(db, "select rule, severity, message from findings where report_id = ? and rule != "
                         "'missing_report'", report["id"])  # fmt: skip
    # Tables 2 and 3 add up; table 1 is not among the images shown: an error, a warning until a
    # person confirms the numbers OCR read (crawl confirm).
    assert all(f["severity"] == "warning" for f in findings), findings
    missing = [f for f in findings if f["rule"] == "missing_table"]
    assert [f["message"].endswith(NOTE) for f in missing] == [True], findings
    assert report["status"] == "ok"
    digest = digest_text(image_crawl["outbox"])
    assert "新发布 1 份" in digest and "淮安市洪泽区人民政府 2024" in digest
    assert "缺少报告部分：没有找到“一、总体情况”部分" in digest


def test_picture_requests_are_polite_and_an_unchanged_page_fetches_nothing(image_crawl) -> None:
    site = image_crawl["server"].fixture
    paths = [r.path for r in image_crawl["first_log"]]
    for path in (*site.expected, *site.traps["images"]):
        assert paths.count(path) == 1, path
    assert "/images/logo.png" not in paths  # the portal's chrome is no page of the report
    second = image_crawl["second"]
    assert second.returncode == 0, second.stdout + second.stderr
    assert "reports 0 new, 0 changed, 1 unchanged" in second.stdout, second.stdout
    again = [r for r in image_crawl["second_log"] if r.path in (*site.expected, *site.traps["images"])]
    assert [(r.path, r.status) for r in again] == [(site.expected[0], 304)]


def test_with_ocr_off_a_picture_report_is_recorded_with_the_reason(tmp_path: Path) -> None:
    with PortalServer(image_site(FILES)) as server:
        done = crawl(with_ocr(config_for(tmp_path, server, "hongze"), False), "--site", "hongze", "--no-alerts")
        fetched = [r.path for r in server.log]
    assert done.returncode == 0, done.stdout + done.stderr
    site = server.fixture
    assert not set(site.traps["images"]) & set(fetched)  # not fetched: nothing could read them
    (page,) = query(tmp_path / "nianbao.db", "select * from pages where url = ?", server.url(site.expected[0]))
    assert (page["status"], page["agency"], page["year"]) == ("attachment_only", "淮安市洪泽区人民政府", 2024)
    assert page["error"] == "2 page images (图片版): reading it needs OCR, which is off ([crawl] ocr = true, " \
                            "or crawl parse --ocr)"  # fmt: skip
    assert query(tmp_path / "nianbao.db", "select * from reports") == []
    assert json.dumps(page, ensure_ascii=False)


def test_a_changed_page_asks_for_its_images_conditionally_and_none_changed_reads_nothing_again(image_crawl) -> None:
    server, db = image_crawl["server"], image_crawl["db"]
    page, images = server.fixture.expected[0], server.fixture.traps["images"]
    third = image_crawl[3]
    assert third.returncode == 0, third.stdout + third.stderr
    assert "reports 0 new, 0 changed, 1 unchanged" in third.stdout, third.stdout
    asked = [r for r in image_crawl["log3"] if r.path in (page, *images)]
    assert [(r.path, r.status) for r in asked] == [(page, 200), (images[0], 304), (images[1], 304)]
    assert all(r.bytes_sent == 0 and "If-None-Match" in r.headers for r in asked[1:])  # no bytes: nothing to OCR
    (row,) = query(db, "select status, etag from pages where url = ?", server.url(page))
    assert row == {"status": "stored", "etag": server.etag(page)}  # its new ETag: next time the page is a 304
    assert [r["n"] for r in query(db, "select count(*) n from versions")] == [1]


def test_with_one_image_changed_all_are_read_again(image_crawl) -> None:
    server, db = image_crawl["server"], image_crawl["db"]
    page, images = server.fixture.expected[0], server.fixture.traps["images"]
    fourth = image_crawl[4]
    assert fourth.returncode == 0, fourth.stdout + fourth.stderr
    asked = [(r.path, r.status, "If-None-Match" in r.headers) for r in image_crawl["log4"] if r.path in (page, *images)]
    # OCR reads a report's images together: the unchanged one is fetched again, in full.
    assert asked == [(page, 200, True), (images[0], 304, True), (images[1], 200, True), (images[0], 200, False)]
    assert "reports 0 new, 0 changed, 1 unchanged" in fourth.stdout, fourth.stdout  # the same numbers read again
    rows = query(db, "select url, etag from pages where url in (?, ?)", *(server.url(p) for p in images))
    assert {r["url"]: r["etag"] for r in rows} == {server.url(p): server.etag(p) for p in images}
