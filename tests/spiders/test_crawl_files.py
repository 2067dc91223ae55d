"""Reports published as files only, crawled end to end (issue 13, item 1): the PDFs a list links
directly and the file a report page attaches (详见附件) are fetched politely, read by their bytes,
checked, stored under the file's URL with its source, alerted, not downloaded again when
unchanged; a file this machine cannot read is recorded with the reason."""

from __future__ import annotations

import email
import json
import zlib
from email import policy
from pathlib import Path

import pytest

from fixture_portal import PortalServer
from fixture_portal.file_sites import pdf_site, word_site
from parsers.load import parse_path
from tests.spiders.crawling import crawl, crawl_twice, query

FILES = Path(__file__).resolve().parent.parent / "fixtures" / "attachments"
(SEED_000,) = (FILES.parent / "seeds").glob("000_*.txt")
TRUTH = {t["file"]: t for t in json.loads((FILES / "truth.json").read_text(encoding="utf-8"))}


def config_for(tmp_path: Path, server: PortalServer, key: str, file_maxsize: int = 2_000_000) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[storage]
path = "nianbao.db"

[crawl]
user_agent = "nianbao-test/0.1 (+https://example.org/nianbao)"
start_delay = 0
retries = 1
retry_backoff = 0.1
recheck_hours = 0
file_maxsize = {file_maxsize}

[alerts]
outbox = "outbox"
recipients = ["office@example.org"]

[sites.{key}]
name = "{server.fixture.name}"
start_urls = ["{server.url(server.fixture.start_path)}"]
allowed_domains = ["127.0.0.1"]
""",
        encoding="utf-8",
    )
    return path


def stored_reports(db: Path) -> dict[str, dict]:
    rows = query(
        db,
        "select r.id, r.url, r.agency, r.year, r.status, v.raw, v.report_json "
        "from reports r join versions v on v.id = r.current_version",
    )
    return {row["url"]: {**row, "json": json.loads(row["report_json"])} for row in rows}


def digest_text(outbox: Path) -> str:
    (eml,) = outbox.glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    return message["Subject"] + "\n" + message.get_body(("plain",)).get_content()


@pytest.fixture(scope="module")
def pdf_crawl(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("pdf")
    with PortalServer(pdf_site(FILES)) as server:
        yield crawl_twice(server, config_for(tmp_path, server, "huaian"), "huaian")


def test_pdf_reports_are_fetched_read_and_stored_under_the_file_url(pdf_crawl) -> None:
    server, first = pdf_crawl["server"], pdf_crawl["first"]
    site = server.fixture
    assert first.returncode == 0, first.stdout + first.stderr
    assert "reports 2 new" in first.stdout, first.stdout
    reports = stored_reports(pdf_crawl["db"])
    assert sorted(reports) == sorted(server.url(p) for p in site.expected)
    hongze, huaian = (reports[server.url(p)] for p in site.expected)
    assert (hongze["agency"], hongze["year"]) == ("淮安市洪泽区人民政府", 2024)
    assert (huaian["agency"], huaian["year"]) == ("淮安市人民政府", 2024)
    for row, path, name in (
        (hongze, site.expected[0], "hongze-2024.pdf"),
        (huaian, site.expected[1], "huaian-2024.pdf"),
    ):
        assert zlib.decompress(row["raw"]) == (FILES / name).read_bytes()  # the file, kept compressed
        source = row["json"]["source"]
        assert (source["file"], source["type"]) == (server.url(path), "pdf")  # served as octet-stream: bytes decide
        assert source["tables"]["applications"]["pages"]
    truth = TRUTH["huaian-2024.pdf"]
    assert huaian["json"]["applications"] == truth["applications"]
    assert huaian["json"]["review_litigation"] == truth["review_litigation"]
    # The page that said 详见附件 stays recorded: published, its agency and year, the report in its file.
    (page,) = query(pdf_crawl["db"], "select * from pages where url = ?", server.url(site.traps["pages"]))
    assert (page["status"], page["agency"], page["year"]) == ("attachment_only", "淮安市人民政府", 2024)
    assert server.url(site.expected[1]) in page["error"]


def test_file_reports_are_checked_and_alerted(pdf_crawl) -> None:
    server, db = pdf_crawl["server"], pdf_crawl["db"]
    hongze = stored_reports(db)[server.url(server.fixture.expected[0])]
    findings = query(db, "select rule, severity from findings where report_id = ?", hongze["id"])
    # Its lone （六）其他处理 row merges the 2021 template's three sub-rows: none of them is blank.
    assert [f["rule"] for f in findings if f["rule"] != "missing_report"] == []
    assert hongze["status"] == "ok"  # no false error
    huaian = stored_reports(db)[server.url(server.fixture.expected[1])]
    errors = query(db, "select rule from findings where report_id = ? and severity = 'error'", huaian["id"])
    assert [f["rule"] for f in errors if f["rule"] != "missing_report"] == []  # (its 2025 report is due by now)
    digest = digest_text(pdf_crawl["outbox"])
    assert "新发布 2 份" in digest
    assert "淮安市洪泽区人民政府 2024" in digest and "淮安市人民政府 2024" in digest
    assert "表格有空格" not in digest  # hongze's lone （六）其他处理 row: no false missing_cells


def test_file_requests_are_polite_and_a_recrawl_downloads_nothing(pdf_crawl) -> None:
    site = pdf_crawl["server"].fixture
    paths = [r.path for r in pdf_crawl["first_log"]]
    for path in (*site.expected, site.traps["pages"]):
        assert paths.count(path) == 1, path
    assert {r.header("User-Agent") for r in pdf_crawl["first_log"]} == {
        "nianbao-test/0.1 (+https://example.org/nianbao)"
    }
    second = pdf_crawl["second"]
    assert second.returncode == 0, second.stdout + second.stderr
    assert "reports 0 new, 0 changed, 2 unchanged" in second.stdout, second.stdout
    for r in pdf_crawl["second_log"]:
        if r.path in site.expected:  # asked conditionally: 304, no body
            assert r.status == 304 and r.bytes_sent == 0, (r.path, r.status)
    assert sorted(r.path for r in pdf_crawl["second_log"] if r.path in site.expected) == sorted(site.expected)


def test_a_report_page_linking_a_docx(tmp_path: Path) -> None:
    with PortalServer(word_site(FILES, "seed000.docx")) as server:
        done = crawl(config_for(tmp_path, server, "waiban"), "--site", "waiban", "--no-alerts")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reports 1 new" in done.stdout, done.stdout
    (report,) = stored_reports(tmp_path / "nianbao.db").values()
    assert report["url"] == server.url(server.fixture.expected[0])
    seed = parse_path(SEED_000).report
    for part in ("active_disclosure", "applications", "review_litigation"):
        assert report["json"][part] == getattr(seed, part), part
    assert (report["agency"], report["year"]) == (seed.agency, 2021)
    assert report["json"]["source"]["type"] == "docx"


def test_a_wps_without_libreoffice_is_recorded_with_the_reason(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NIANBAO_SOFFICE", "")  # as on a machine without LibreOffice (tests/parsers/test_docx.py)
    db = tmp_path / "nianbao.db"
    with PortalServer(word_site(FILES, "seed000.wps")) as server:
        config = config_for(tmp_path, server, "waiban")
        done = crawl(config, "--site", "waiban", "--no-alerts")
        fetched = [r.path for r in server.log]
        page_url, file_url = server.url(server.fixture.traps["pages"]), server.url(server.fixture.expected[0])
        first = {p["url"]: p for p in query(db, "select * from pages")}
        # Crawled again, unchanged: the file it could not read is asked for conditionally, and not
        # downloaded again (it would fail the same way); the page and the file keep the reason.
        server.clear_log()
        again = crawl(config, "--site", "waiban", "--no-alerts")
        second_log = [r for r in server.log if r.path == server.fixture.expected[0]]
    assert done.returncode == 0, done.stdout + done.stderr
    assert server.fixture.expected[0] in fetched  # asked for, read, not understood
    assert query(db, "select * from reports") == []
    page = first[page_url]
    assert page["status"] == "attachment_only" and "needs LibreOffice to read .wps" in page["error"]
    assert (page["agency"], page["year"]) == ("北京市西城区人民政府外事办公室", 2021)  # published all the same
    assert "1 reports as attachments or images only" in done.stdout, done.stdout
    assert first[file_url]["status"] == "attachment_only" and first[file_url]["etag"]

    assert again.returncode == 0, again.stdout + again.stderr
    assert [(r.status, r.bytes_sent) for r in second_log] == [(304, 0)]
    assert second_log[0].header("If-None-Match") == first[file_url]["etag"]
    assert "1 reports as attachments or images only" in again.stdout, again.stdout
    assert query(db, "select * from reports") == []
    pages = {p["url"]: p for p in query(db, "select * from pages")}
    for url in (page_url, file_url):
        assert (pages[url]["status"], pages[url]["error"]) == (first[url]["status"], first[url]["error"]), url
        assert (pages[url]["agency"], pages[url]["year"]) == (first[url]["agency"], first[url]["year"]), url
    assert (pages[file_url]["http_status"], pages[file_url]["etag"]) == (304, first[file_url]["etag"])
    with PortalServer(word_site(FILES, "seed000.wps")) as server:  # --full asks for it whole again
        config = config_for(tmp_path, server, "waiban")
        crawl(config, "--site", "waiban", "--no-alerts", "--full")
        assert [r.status for r in server.log if r.path == server.fixture.expected[0]] == [200]


def test_a_file_over_the_size_cap_is_not_downloaded_and_says_so(tmp_path: Path) -> None:
    with PortalServer(pdf_site(FILES)) as server:  # the PDFs are 240 KB and 413 KB
        done = crawl(config_for(tmp_path, server, "huaian", file_maxsize=100_000), "--site", "huaian", "--no-alerts")
    assert done.returncode == 0, done.stdout + done.stderr
    assert query(tmp_path / "nianbao.db", "select * from reports") == []
    pages = {p["url"]: p for p in query(tmp_path / "nianbao.db", "select * from pages")}
    listed, page = pages[server.url(server.fixture.expected[0])], pages[server.url(server.fixture.traps["pages"])]
    assert listed["status"] == page["status"] == "attachment_only"
    assert "file not fetched" in listed["error"] and "淮安市洪泽区人民政府2024年" in listed["error"]
    assert (listed["agency"], listed["year"]) == ("淮安市洪泽区人民政府", 2024)  # as its link names it: published
    assert "file not fetched" in page["error"] and (page["agency"], page["year"]) == ("淮安市人民政府", 2024)
    assert "2 reports as attachments or images only" in done.stdout, done.stdout
