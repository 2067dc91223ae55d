"""The fixture portals: what they serve, conditional requests, the log, shutdown, and that
every report page parses back to its content (the seeds' values for the seeds)."""

from __future__ import annotations

import contextlib
import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from checks.assess import assess_report, assessed
from fixture_portal.content import SEED_FILES, seed_report, seed_text, synthetic_reports
from fixture_portal.pages import xicheng_detail
from fixture_portal.server import PortalServer, html
from fixture_portal.sites import EVIL, dongcheng_site, xicheng_site
from parsers.errors import ParseError
from parsers.load import parse_bytes, parse_path
from spiders.portal import script_pages

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


_opener = urllib.request.build_opener(_NoRedirect, urllib.request.ProxyHandler({}))


def fetch(url: str, headers: dict[str, str] | None = None, timeout: float = 5) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with _opener.open(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def links(page: bytes) -> list[str]:
    return re.findall(r'<a href="([^"]+)"', page.decode("utf-8"))


@pytest.fixture
def xicheng_portal() -> Iterator[PortalServer]:
    with PortalServer(xicheng_site()) as server:
        yield server


@pytest.fixture
def dongcheng_portal() -> Iterator[PortalServer]:
    with PortalServer(dongcheng_site()) as server:
        yield server


def charset(headers: dict[str, str]) -> str | None:
    m = re.search(r"charset=([\w-]+)", headers.get("Content-Type", ""))
    return m.group(1) if m else None


# --- content ---------------------------------------------------------------------


def test_seed_copies_are_the_fixtures() -> None:
    for sid, name in SEED_FILES.items():
        assert seed_text(sid) == (SEEDS / name).read_bytes()


@pytest.mark.parametrize("sid", sorted(SEED_FILES))
def test_seed_pages_parse_to_the_seed_values(sid: str) -> None:
    expected = assessed(parse_path(SEEDS / SEED_FILES[sid]).report)
    content = seed_report(sid)
    site = dongcheng_site() if sid == "001" else xicheng_site()
    (path,) = [p for p, c in site.reports.items() if c.seed == sid]
    with PortalServer(site) as server:
        status, headers, body = fetch(server.url(path))
    assert status == 200
    got = assessed(parse_bytes(body, encoding=charset(headers)).report)
    for attr in ("title", "agency", "year", "template", "tables", "active_disclosure", "applications",
                 "review_litigation", "result_rows"):  # fmt: skip
        assert getattr(got, attr) == getattr(expected, attr), attr
    assert got.published == content.published.date().isoformat()
    assert got.sections["overview"] == expected.sections["overview"]
    # 003 keeps its four balance errors, 004 its blank table 2; the others are clean.
    rules = sorted(f.rule for f in got.findings if f.severity == "error")
    assert rules == sorted(f.rule for f in expected.findings if f.severity == "error")
    if sid == "004":
        assert "missing_cells" in {f.rule for f in got.findings}


def test_synthetic_reports_are_consistent_over_the_years() -> None:
    reports = synthetic_reports("xicheng", 16)
    assert len({r.key for r in reports}) == 16
    previous = {}
    for content in reports:
        report = parse_bytes(xicheng_detail(content).encode()).report
        assert report.applications == content.applications
        assert report.year == content.year and report.title == content.title
        assert assess_report(report, previous=previous.get(content.agency)) == []
        previous[content.agency] = report


def test_broken_synthetic_reports_fail_their_defects() -> None:
    broken = [c for c in synthetic_reports("dongcheng", 6, broken_every=3) if c.defects]
    assert len(broken) == 2
    for content in broken:
        report = assessed(parse_bytes(xicheng_detail(content).encode()).report)
        assert {f.rule for f in report.findings} == set(content.defects)


def test_demo_site_scales() -> None:
    t = time.perf_counter()
    from fixture_portal import demo_site

    site = demo_site("xicheng", 2000)
    assert time.perf_counter() - t < 10
    assert len(site.expected) == 2004  # 2000 synthetic + seeds 000, 002, 003, 004
    assert len({c.key for c in site.reports.values()}) == 2004
    assert len(site.list_pages) == 101


# --- the Xicheng fixture site -------------------------------------------------------------


def test_xicheng_list_pages_link_every_report(xicheng_portal: PortalServer) -> None:
    site = xicheng_portal.fixture
    url, seen, found = xicheng_portal.url(site.start_path), [], []
    while url:
        status, _, body = fetch(url)
        assert status == 200
        seen.append(urlsplit(url).path)
        hrefs = links(body)
        found += [urljoin(url, h) for h in hrefs if "gknbxq" in h]
        nxt = re.search(r'<a href="([^"]+)">下一页</a>', body.decode())
        url = urljoin(url, nxt.group(1)) if nxt else None
    assert seen == site.list_pages and len(seen) >= 3
    paths = [urlsplit(u).path for u in found]
    # One report is listed by a short link that redirects to it (on the same host).
    short = site.traps["same_host_redirect"]
    assert short in _all_links(xicheng_portal)
    status, headers, _ = fetch(xicheng_portal.url(short))
    assert status == 301
    target = urlsplit(headers["Location"]).path
    assert set(site.expected) <= set(paths) | {target}
    for trap in ("not_found", "hang", "offsite_redirect", "robots_disallowed", "not_a_report", "flaky"):
        assert site.traps[trap] in paths
    dup = site.traps["duplicate"]
    assert paths.count(dup) == 2  # once relative, once absolute with this server's port
    assert xicheng_portal.url(dup) in found


def _all_links(portal: PortalServer) -> list[str]:
    return [h for path in portal.fixture.list_pages for h in links(fetch(portal.url(path))[2])]


def test_xicheng_traps(xicheng_portal: PortalServer) -> None:
    site, url = xicheng_portal.fixture, xicheng_portal.url
    assert fetch(url(site.traps["not_found"]))[0] == 404
    assert fetch(url("/no/such/page.html"))[0] == 404
    assert [fetch(url(site.traps["flaky"]))[0] for _ in range(3)] == [500, 500, 200]
    status, headers, _ = fetch(url(site.traps["offsite_redirect"]))
    assert status == 302 and headers["Location"] == EVIL + site.traps["offsite_redirect"]
    status, _, body = fetch(url("/robots.txt"))
    assert status == 200 and "Disallow: /zt/xxgkzl/gknbxq/pnidpv400pntypepv" in body.decode()
    assert site.traps["robots_disallowed"].startswith("/zt/xxgkzl/gknbxq/pnidpv400pntypepv")
    assert site.traps["robots_disallowed"] not in site.expected
    status, _, body = fetch(url(site.traps["soft_404"]))
    assert status == 200 and "暂无数据" in body.decode()
    status, _, body = fetch(url(site.traps["not_a_report"]))
    assert status == 200 and "年度报告" in body.decode()
    with contextlib.suppress(ParseError):  # a title naming 年度报告, none of the tables: not a report
        assert parse_bytes(body).report.tables == []


def test_gbk_page_has_no_charset_anywhere(xicheng_portal: PortalServer) -> None:
    path = xicheng_portal.fixture.traps["gbk"]
    status, headers, body = fetch(xicheng_portal.url(path))
    assert status == 200 and headers["Content-Type"] == "text/html"
    assert b"charset" not in body.lower()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert "政府信息公开工作年度报告" in body.decode("gbk")
    assert parse_bytes(body).report.applications == seed_report("000").applications


def test_every_report_page_parses_to_its_content(xicheng_portal: PortalServer) -> None:
    site = xicheng_portal.fixture
    for path, content in site.reports.items():
        if path == site.traps.get("flaky"):
            continue
        status, headers, body = fetch(xicheng_portal.url(path))
        assert status == 200
        report = parse_bytes(body, encoding=charset(headers)).report
        assert (report.title, report.year, report.template) == (content.title, content.year, content.template)
        assert report.active_disclosure == content.active_disclosure
        assert report.applications == content.applications
        assert report.review_litigation == content.review_litigation


# --- the server ---------------------------------------------------------------------


def test_etag_last_modified_and_304(xicheng_portal: PortalServer) -> None:
    site, url = xicheng_portal.fixture, xicheng_portal.url
    for path in (site.start_path, site.expected[0], "/robots.txt"):
        status, headers, _ = fetch(url(path))
        assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    path = site.expected[0]
    _, headers, body = fetch(url(path))
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert xicheng_portal.etag(path) == etag
    assert fetch(url(path), {"If-None-Match": etag})[:3:2] == (304, b"")
    assert fetch(url(path), {"If-None-Match": f'"other", {etag}'})[0] == 304
    assert fetch(url(path), {"If-Modified-Since": modified})[0] == 304
    assert fetch(url(path), {"If-Modified-Since": "Mon, 01 Jan 2018 00:00:00 GMT"})[0] == 200
    assert fetch(url(path), {"If-None-Match": '"stale"', "If-Modified-Since": modified})[0] == 200

    xicheng_portal.touch(path)  # the page changes while the server runs
    status, headers, new_body = fetch(url(path), {"If-None-Match": etag, "If-Modified-Since": modified})
    assert status == 200 and headers["ETag"] != etag and new_body != body
    assert fetch(url(path), {"If-None-Match": headers["ETag"]})[0] == 304
    assert fetch(url(path), {"If-Modified-Since": modified})[0] == 200

    xicheng_portal.set_page(path, html("<html><body>replaced</body></html>"))
    assert fetch(url(path))[2] == b"<html><body>replaced</body></html>"


def test_request_log(xicheng_portal: PortalServer) -> None:
    site, url = xicheng_portal.fixture, xicheng_portal.url
    xicheng_portal.clear_log()
    fetch(url(site.start_path + "?x=1"), {"User-Agent": "nianbao-test/1"})
    fetch(url(site.traps["not_found"]))
    fetch(url(site.start_path), {"If-None-Match": xicheng_portal.etag(site.start_path)})
    req = urllib.request.Request(url("/robots.txt"), method="HEAD")
    with _opener.open(req, timeout=5) as r:
        assert r.status == 200 and r.read() == b""
    log = xicheng_portal.log
    assert [(e.method, e.status) for e in log] == [("GET", 200), ("GET", 404), ("GET", 304), ("HEAD", 200)]
    first = log[0]
    assert first.path == site.start_path + "?x=1" and first.header("user-agent") == "nianbao-test/1"
    assert first.host == f"127.0.0.1:{xicheng_portal.port}"
    assert first.bytes_sent == len(fetch(url(site.start_path))[2]) > 0
    assert log[2].bytes_sent == 0 and log[3].bytes_sent == 0
    assert xicheng_portal.hits(site.start_path) == 3  # the query is ignored when counting by path
    assert xicheng_portal.statuses(site.traps["not_found"]) == [404]


def test_hanging_page_does_not_block_shutdown() -> None:
    site = xicheng_site(2)
    server = PortalServer(site).start()
    path = site.traps["hang"]
    with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
        fetch(server.url(path), timeout=0.3)
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    time.sleep(0.05)
    assert server.statuses(path) == [None, None]  # logged, never answered
    t = time.perf_counter()
    server.stop()
    assert time.perf_counter() - t < 1.0
    sock.settimeout(2)
    assert sock.recv(100) == b""  # the hanging connection is closed, without an answer
    sock.close()


def test_virtual_hosts_and_proxy_requests() -> None:
    sites = {"www.bjxch.gov.cn": xicheng_site(2), "www.bjdch.gov.cn": dongcheng_site(3)}
    with PortalServer(hosts=sites) as server:
        status, _, body = fetch(server.url("/zt/xxgkzl/zfxxgknb.html"), {"Host": "www.bjxch.gov.cn"})
        assert status == 200 and "西城区" in body.decode()
        assert fetch(server.url("/zt/xxgkzl/zfxxgknb.html"), {"Host": "www.bjdch.gov.cn"})[0] == 404
        proxy = urllib.request.build_opener(urllib.request.ProxyHandler({"http": server.base_url}))
        with proxy.open("http://www.bjdch.gov.cn/zfxxgkzl/zfxxgknb/", timeout=5) as r:
            assert r.status == 200 and "./2023nb/" in r.read().decode()
        assert server.log[-1].path == "http://www.bjdch.gov.cn/zfxxgkzl/zfxxgknb/"
        # {{base}} links name the host asked for
        dup = sites["www.bjxch.gov.cn"].traps["duplicate"]
        last = sites["www.bjxch.gov.cn"].list_pages[-1]
        with proxy.open("http://www.bjxch.gov.cn" + last, timeout=5) as r:
            assert f'href="http://www.bjxch.gov.cn{dup}"' in r.read().decode()


# --- the Dongcheng fixture site --------------------------------------------------------


def test_dongcheng_walk(dongcheng_portal: PortalServer) -> None:
    site, url = dongcheng_portal.fixture, dongcheng_portal.url
    todo, lists, details = [url(site.start_path)], [], []
    while todo:
        page_url = todo.pop(0)
        status, _, body = fetch(page_url)
        assert status == 200, page_url
        lists.append(urlsplit(page_url).path)
        # One list names its further pages only in its pagination script, as many TRS lists do.
        for h in [*links(body), *script_pages(body.decode("utf-8", "replace"), page_url)]:
            target = urljoin(page_url, h)
            path = urlsplit(target).path
            if re.search(r"/t\d{8}_\d+\.html$", path):
                details.append(path)
            elif (
                path.startswith("/zfxxgkzl/zfxxgknb/")
                and target not in todo
                and path not in lists
                and (path.endswith("/") or re.search(r"index(_\d+)?\.html$", path))
            ):
                todo.append(target)
    norm = {p if not p.endswith("/") else p + "index.html" for p in lists}
    assert norm == set(site.list_pages)
    assert any(p.endswith("index_1.html") for p in norm)
    assert {"dcqzf2021", "dcqzfbm2021", "dcqjd2021", "dcgzfbm2023", "dcqid2023"} <= {
        p.split("/")[4] for p in norm if p.count("/") > 4
    }
    assert set(site.expected) <= set(details)
    # …and that list's first page has no link to its second: only the script names it.
    first = site.traps["script_paging"].replace("index_1.html", "index.html")
    assert not any(h.endswith("index_1.html") for h in links(fetch(url(first))[2]))
    assert details.count(site.traps["duplicate"]) == 2
    for trap in ("not_found", "hang", "offsite_redirect", "robots_disallowed", "not_a_report"):
        assert site.traps[trap] in details
    assert fetch(url(site.traps["not_found"]))[0] == 404
    assert [fetch(url(site.traps["flaky"]))[0] for _ in range(3)] == [500, 500, 200]
    status, headers, body = fetch(url(site.traps["attachment"]))
    assert status == 200 and headers["Content-Type"] == "application/pdf" and body.startswith(b"%PDF")
    assert "Disallow: " + site.traps["robots_disallowed"] in fetch(url("/robots.txt"))[2].decode()


def test_dongcheng_pages(dongcheng_portal: PortalServer) -> None:
    site, url = dongcheng_portal.fixture, dongcheng_portal.url
    _, _, body = fetch(url(site.traps["duplicate"]))
    text = body.decode()
    assert "日期:2022-01-17 10:30&nbsp;&nbsp;来源:区外联办" in text and "字号:" in text
    assert 'href="./P020220117395412345678.pdf"' in text
    # the URL date is not the publication date
    path = site.traps["url_date_differs"]
    report = parse_bytes(fetch(url(path))[2]).report
    assert report.published == site.reports[path].published.date().isoformat()
    assert report.published.replace("-", "")[:6] not in path
    status, headers, body = fetch(url(site.traps["gbk"]))
    assert headers["Content-Type"] == "text/html" and b"charset" not in body.lower()
    assert parse_bytes(body).report.applications == site.reports[site.traps["gbk"]].applications
    for path, content in site.reports.items():
        if path == site.traps["flaky"]:
            continue
        status, headers, body = fetch(url(path))
        report = parse_bytes(body, encoding=charset(headers)).report
        assert (report.title, report.year, report.applications) == (content.title, content.year, content.applications)


def test_portal_context_manager_serves_any_dict() -> None:
    with PortalServer({"/a.html": html("<p>{{base}}/b.html</p>")}) as server:
        assert fetch(server.url("/a.html"))[2].decode() == f"<p>{server.base_url}/b.html</p>"
        assert fetch(server.url("/"))[0] == 404
