"""`crawl --site xicheng` against a fixture portal that mimics www.bjxch.gov.cn, asserting
what is stored and, from the server's own request log, what was (not) requested."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from fixture_portal import PortalServer, html, xicheng_site
from fixture_portal.pages import interpretation_page, xicheng_detail
from tests.spiders.crawling import crawl, query, site_config

INTERPRETATION = interpretation_page(
    "xicheng", "关于《北京市西城区人民政府2023年政府信息公开工作年度报告》的解读", "2024-03-28"
)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """One portal, crawled twice (the second time unchanged), then once after a change."""
    tmp = tmp_path_factory.mktemp("xicheng")
    server = PortalServer(xicheng_site()).start()
    config = site_config(tmp, server, "xicheng")
    first = crawl(config, "--site", "xicheng", "--no-alerts")
    first_log = list(server.log)
    server.clear_log()
    second = crawl(config, "--site", "xicheng", "--no-alerts")
    second_log = list(server.log)
    yield {"server": server, "db": tmp / "nianbao.db", "first": first, "second": second,
           "first_log": first_log, "second_log": second_log, "config": config}  # fmt: skip
    server.stop()


def test_the_crawl_runs_and_summarises(crawled):
    first = crawled["first"]
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    assert "xicheng: ok" in first.stdout
    site = crawled["server"].fixture
    assert f"reports {len(site.expected)} new, 0 changed, 0 unchanged" in first.stdout


def test_every_report_stored_exactly_once_with_its_values(crawled):
    site = crawled["server"].fixture
    server = crawled["server"]
    rows = query(
        crawled["db"], "select r.url, r.year, v.report_json from reports r join versions v on v.id = r.current_version"
    )
    by_url = {r["url"]: r for r in rows}
    assert sorted(by_url) == sorted(server.url(p) for p in site.expected)
    assert query(crawled["db"], "select count(*) as n from versions")[0]["n"] == len(site.expected)
    for path, content in site.expected_reports().items():
        stored = json.loads(by_url[server.url(path)]["report_json"])
        assert stored["year"] == content.year
        assert stored["applications"] == content.applications, path
        assert stored["review_litigation"] == content.review_litigation, path
        assert stored["active_disclosure"] == content.active_disclosure, path


def test_seed_findings_are_stored(crawled):
    errors = query(
        crawled["db"],
        "select r.agency, f.where_ from findings f join reports r on r.id = f.report_id where f.severity = 'error'",
    )
    assert sorted(e["where_"] for e in errors if e["agency"] == "北京市西城区人民政府") == [
        "applications.commercial_enterprise",
        "applications.legal_service_org",
        "applications.natural_person",
        "applications.total",
    ]
    blank = query(crawled["db"], "select r.agency from findings f join reports r on r.id = f.report_id "
                  "where f.rule = 'missing_cells' and f.where_ = 'applications'")  # fmt: skip
    assert [b["agency"] for b in blank] == ["山西省人民政府外事办公室"]
    # A report filed under another year's URL: stored under its title's year, with a warning.
    site, server = crawled["server"].fixture, crawled["server"]
    filed = site.traps["url_year_differs"]
    year = site.reports[filed].year
    warned = query(crawled["db"], "select r.url, r.year, f.severity, f.lhs, f.rhs from findings f "
                   "join reports r on r.id = f.report_id where f.rule = 'url_year_mismatch'")  # fmt: skip
    assert [(w["url"], w["year"], w["severity"]) for w in warned] == [(server.url(filed), year, "warning")]
    assert (json.loads(warned[0]["lhs"])["value"], json.loads(warned[0]["rhs"])["value"]) == (year, year + 1)


def test_a_redirect_on_the_same_host_is_followed(crawled):
    site, server = crawled["server"].fixture, crawled["server"]
    short = site.traps["same_host_redirect"]
    statuses = [r.status for r in crawled["first_log"] if r.path == short]
    assert statuses == [301]
    # The report behind it is among those stored exactly once (test above); only the off-site one is dropped.
    dropped = query(crawled["db"], "select url, error from pages where status = 'dropped'")
    assert [d["url"] for d in dropped] == [server.url(site.traps["offsite_redirect"])]


def test_failures_are_recorded_with_reasons(crawled):
    site, server = crawled["server"].fixture, crawled["server"]
    pages = {p["url"]: p for p in query(crawled["db"], "select * from pages")}
    assert pages[server.url(site.traps["not_found"])]["status"] == "failed"
    assert pages[server.url(site.traps["not_found"])]["error"] == "HTTP 404"
    hang = pages[server.url(site.traps["hang"])]
    assert hang["status"] == "failed" and "TimeoutError" in hang["error"]
    redirect = pages[server.url(site.traps["offsite_redirect"])]
    assert redirect["status"] == "dropped" and "evil.example.com" in redirect["error"]
    jd = pages[server.url(site.traps["not_a_report"])]
    assert jd["status"] == "not_report" and "not an annual report" in jd["error"]
    # A report published as images and a PDF, and one listed as its PDF: found and recorded; the
    # PDFs are asked for (issue 13): one is not there, the other a scan, and each page says so.
    scanned = pages[server.url(site.traps["image_only"])]
    assert scanned["status"] == "attachment_only" and server.url("/zt/xxgkzl/files/P020220125.pdf") in scanned["error"]
    assert (scanned["agency"], scanned["year"]) == ("西城区档案馆", 2021)  # published: missing_report counts it
    listed = pages[server.url(site.traps["listed_pdf"])]
    assert listed["status"] == "attachment_only" and "西城区地方志办公室2021年" in listed["error"]
    assert [r.path for r in crawled["first_log"]].count(site.traps["listed_pdf"]) == 1
    assert "needs OCR" in listed["error"] and "HTTP 404" in scanned["error"]
    assert (listed["agency"], listed["year"]) == ("西城区地方志办公室", 2021)  # as its link names it
    assert "2 reports as attachments or images only" in crawled["first"].stdout
    # The 500 that recovers on retry is stored like any other report.
    assert pages[server.url(site.traps["flaky"])]["status"] == "stored"


def test_no_request_the_crawler_should_not_have_made(crawled):
    site = crawled["server"].fixture
    log = crawled["first_log"]
    paths = [r.path for r in log]
    assert site.traps["robots_disallowed"] not in paths
    assert paths.count(site.traps["duplicate"]) == 1
    assert all(r.host in (None, "") or r.host.startswith("127.0.0.1") for r in log)
    assert paths.count("/robots.txt") == 1
    ua = {r.header("User-Agent") for r in log}
    assert ua == {"nianbao-test/0.1 (+https://example.org/nianbao)"}
    # Every report page was fetched once, except the retried 500 (three tries) and the hang.
    for path in site.expected:
        expected = 3 if path == site.traps["flaky"] else 1
        assert paths.count(path) == expected, path


def test_second_crawl_downloads_no_report_body(crawled):
    site = crawled["server"].fixture
    second = crawled["second"]
    assert second.returncode == 0, second.stderr
    assert f"reports 0 new, 0 changed, {len(site.expected)} unchanged" in second.stdout
    report_paths = set(site.expected)
    for r in crawled["second_log"]:
        if r.path in report_paths:
            assert r.status == 304 and r.bytes_sent == 0, (r.path, r.status)
    fetched_reports = [r for r in crawled["second_log"] if r.path in report_paths]
    assert len(fetched_reports) == len(report_paths)


def test_a_page_that_is_no_report_is_asked_for_conditionally(crawled):
    """The 解读 read on the first crawl is asked for with its validators on the second: a 304, no body,
    and it stays recorded as not a report."""
    site, server = crawled["server"].fixture, crawled["server"]
    path = site.traps["not_a_report"]
    asked = [r for r in crawled["second_log"] if r.path == path]
    assert len(asked) == 1
    assert asked[0].header("If-None-Match") == server.etag(path)
    assert asked[0].status == 304 and asked[0].bytes_sent == 0
    status = query(crawled["db"], "select status from pages where url = ?", server.url(path))
    assert status == [{"status": "not_report"}]
    assert "1 not reports" in crawled["second"].stdout


def test_a_changed_report_becomes_exactly_one_new_version(crawled):
    server, site, db = crawled["server"], crawled["server"].fixture, crawled["db"]
    # A new ETag with the same text (a comment, a counter) is fetched but is no new version.
    touched = site.expected[0]
    server.touch(touched)
    # A real revision: one cell of table 2 corrected.
    path = site.expected[-1]
    content = site.reports[path]
    apps = {row: dict(cols) for row, cols in content.applications.items()}
    apps["carried_over"]["natural_person"] = (apps["carried_over"]["natural_person"] or 0) + 1
    server.set_page(path, html(xicheng_detail(replace(content, applications=apps))))
    third = crawl(crawled["config"], "--site", "xicheng", "--no-alerts")
    assert third.returncode == 0, third.stderr
    assert f"reports 0 new, 1 changed, {len(site.expected) - 1} unchanged" in third.stdout
    versions = query(db, "select v.url from versions v")
    assert len(versions) == len(site.expected) + 1
    assert [v["url"] for v in versions].count(server.url(path)) == 2


def test_retries_back_off(crawled):
    """The 500 is retried after 0.3 s, then 0.6 s (retry_backoff = 0.3 in the test config)."""
    site = crawled["server"].fixture
    times = [r.time for r in crawled["first_log"] if r.path == site.traps["flaky"]]
    assert len(times) == 3
    assert times[1] - times[0] >= 0.3
    assert times[2] - times[1] >= 0.6


def test_probing_predictable_urls_finds_unlisted_reports(tmp_path):
    """Xicheng's detail URLs are unit × year: a report missing from the list page is still
    found by probing, and a miss (404 or a 200 with no report) is 'not published', not a failure."""
    site = xicheng_site(traps=True)
    hidden = next(p for p, c in site.reports.items() if c.seed == "002")  # pnidpv379…2024
    with PortalServer(site) as server:
        # Unlink it from every list page: only the probe can find it now.
        for list_path in site.list_pages:
            page = site[list_path]
            server.set_page(list_path, replace(page, body=page.body.replace(hidden.split("/")[-1], "gone.html")))
        probe = server.url("/zt/xxgkzl/gknbxq/pnidpv{unit}pntypepvnbpnnfpv{year}.html")
        config = site_config(
            tmp_path, server, "xicheng", f'probe_url = "{probe}"\nprobe_units = [379, 197]\nprobe_first_year = 2023'
        )
        result = crawl(config, "--site", "xicheng", "--no-alerts")
        assert result.returncode == 0, result.stderr
        db = tmp_path / "nianbao.db"
        assert query(db, "select count(*) as n from reports where url = ?", server.url(hidden))[0]["n"] == 1
        pages = {p["url"]: p["status"] for p in query(db, "select url, status from pages")}
        assert pages[server.url("/zt/xxgkzl/gknbxq/pnidpv379pntypepvnbpnnfpv2023.html")] == "not_published"
        assert pages[server.url(site.traps["soft_404"])] == "not_published"  # 197 / 2025: 200 with 暂无数据
        assert "probed but not published" in result.stdout


def test_reports_checked_recently_are_not_asked_for_again(tmp_path):
    """With the shipped recheck window, a re-crawl right after a crawl is its list pages only."""
    site = xicheng_site(traps=False)
    with PortalServer(site) as server:
        config = site_config(tmp_path, server, "xicheng")
        config.write_text(config.read_text(encoding="utf-8").replace("recheck_hours = 0", "recheck_hours = 20"))
        assert crawl(config, "--site", "xicheng", "--no-alerts").returncode == 0
        server.clear_log()
        again = crawl(config, "--site", "xicheng", "--no-alerts")
        assert again.returncode == 0, again.stderr
        assert f"{len(site.expected)} checked recently, not asked again" in again.stdout
        requested = {r.path for r in server.log}
        assert not requested & set(site.expected)
        assert requested <= {*site.list_pages, "/robots.txt"}
        # A page read and found no report is not asked again either (it was, on every crawl).
        server.set_page("/zt/xxgkzl/gknbxqx/pnidpv865674.html", html(INTERPRETATION))
        list_path = site.start_path
        listed = site[list_path]
        link = '<a href="/zt/xxgkzl/gknbxqx/pnidpv865674.html">关于2023年度报告的解读</a></body>'
        server.set_page(list_path, replace(listed, body=listed.body.replace("</body>", link)))
        assert crawl(config, "--site", "xicheng", "--no-alerts").returncode == 0
        server.clear_log()
        assert crawl(config, "--site", "xicheng", "--no-alerts").returncode == 0
        assert "/zt/xxgkzl/gknbxqx/pnidpv865674.html" not in {r.path for r in server.log}
        # --full asks for every report again.
        server.clear_log()
        assert crawl(config, "--site", "xicheng", "--no-alerts", "--full").returncode == 0
        assert set(site.expected) <= {r.path for r in server.log}


def test_a_deep_list_finds_every_report(tmp_path):
    """100 list pages, each linking a few neighbours: the last reports are 30+ hops deep."""
    site = xicheng_site(120, traps=False, per_page=2, seeds=False)
    assert len(site.list_pages) >= 60
    with PortalServer(site) as server:
        config = site_config(tmp_path, server, "xicheng")
        result = crawl(config, "--site", "xicheng", "--no-alerts")
        assert result.returncode == 0, result.stderr
        stored = query(tmp_path / "nianbao.db", "select count(*) as n from reports")[0]["n"]
        assert stored == len(site.expected)
