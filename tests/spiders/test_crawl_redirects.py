"""Redirects a crawl does not follow, each left as a `dropped` page with its reason: to another
port of an allowed host (another server), a loop, a meta refresh off site or to another port."""

from __future__ import annotations

from pathlib import Path

from fixture_portal import PortalServer, html, redirect, robots, seed_report
from fixture_portal.pages import xicheng_detail
from spiders.urls import link_refused, start_ports
from tests.spiders.crawling import crawl, query

TITLE = "2023年度{}政府信息公开工作年度报告"


def refresh(target: str) -> str:
    return f'<html><head><meta http-equiv="refresh" content="0; url={target}"><title>跳转</title></head></html>'


def portal(other: str) -> dict:
    links = ["port", "loop1", "self", "refresh_port", "refresh_off", "refresh_loop"]
    items = "".join(f'<li><a href="/r/{name}.html">{TITLE.format(name)}</a></li>' for name in links)
    return {
        "/robots.txt": robots(),
        "/list.html": html(f'<html><head><meta charset="utf-8"></head><body><ul>{items}</ul></body></html>'),
        "/r/port.html": redirect(f"{other}/report.html"),
        "/r/loop1.html": redirect("{{base}}/r/loop2.html"),
        "/r/loop2.html": redirect("{{base}}/r/loop1.html"),
        "/r/self.html": redirect("/r/self.html"),
        "/r/refresh_port.html": html(refresh(f"{other}/report.html")),
        "/r/refresh_off.html": html(refresh("http://evil.example.com/report.html")),
        "/r/refresh_loop.html": html(refresh("/r/refresh_loop.html")),
    }


def one_site_config(tmp_path: Path, start_url: str) -> Path:
    """A config of one site, `site`, at start_url on 127.0.0.1: no delay, no retry, no recheck window."""
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\npath = "nianbao.db"\n[crawl]\nstart_delay = 0\nretries = 0\nrecheck_hours = 0\n'
        f'[sites.site]\nstart_urls = ["{start_url}"]\nallowed_domains = ["127.0.0.1"]\n',
        encoding="utf-8",
    )
    return config


def test_redirects_not_followed_are_recorded_with_their_reasons(tmp_path: Path) -> None:
    with PortalServer({"/robots.txt": robots(), "/report.html": html("<p>other server</p>")}) as other:
        with PortalServer(portal(other.base_url)) as server:
            config = one_site_config(tmp_path, server.url("/list.html"))
            result = crawl(config, "--site", "site", "--no-alerts")
        assert other.log == [], "nothing is fetched from another port"
    pages = {p["url"].removeprefix(server.base_url): p for p in query(tmp_path / "nianbao.db", "select * from pages")}
    dropped = {url: p["error"] for url, p in pages.items() if p["status"] == "dropped"}
    assert dropped == {
        "/r/port.html": f"redirect to another port or scheme than the start URLs': {other.base_url}/report.html",
        "/r/loop2.html": f"redirect loop: {server.url('/r/loop1.html')} -> {server.url('/r/loop2.html')} -> "
        f"{server.url('/r/loop1.html')}",
        "/r/self.html": f"redirect loop: {server.url('/r/self.html')} redirects to itself",
        "/r/refresh_port.html": f"meta refresh to another port or scheme than the start URLs': {other.base_url}/report.html",
        "/r/refresh_off.html": "meta refresh off site to http://evil.example.com/report.html",
        "/r/refresh_loop.html": f"meta refresh loop: {server.url('/r/refresh_loop.html')} redirects to itself",
    }, result.stdout


# --- links (not redirects) to another port of an allowed host -------------------------------------


def test_a_link_to_another_port_of_an_allowed_host_is_not_followed(tmp_path: Path) -> None:
    """The same host on another port is another server: its report page, its report file and its
    list page are not asked for; the start URL's own port is, written with or without the host."""
    report = html(xicheng_detail(seed_report("001")))
    with PortalServer({"/robots.txt": robots(), "/r/a.html": report, "/nb_2.html": report,
                       "/r/b.pdf": html("<p>not here</p>")}) as other:  # fmt: skip
        links = {
            "/r/same.html": TITLE.format("同一端口"),
            "{{base}}/r/absolute.html": TITLE.format("同一端口绝对地址"),
            f"{other.base_url}/r/a.html": TITLE.format("另一端口"),
            f"{other.base_url}/r/b.pdf": TITLE.format("另一端口文件"),
            f"{other.base_url}/nb_2.html": "下一页",
        }
        items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links.items())
        pages = {
            "/robots.txt": robots(),
            "/list.html": html(f'<html><head><meta charset="utf-8"></head><body><ul>{items}</ul></body></html>'),
            "/r/same.html": html(xicheng_detail(seed_report("003"))),
            "/r/absolute.html": report,
        }
        with PortalServer(pages) as server:
            config = one_site_config(tmp_path, server.url("/list.html"))
            result = crawl(config, "--site", "site", "--no-alerts")
            check = crawl(config, "check", "site")
        assert other.log == [], "nothing is fetched from another port"
    assert result.returncode == 0, result.stdout + result.stderr
    stored = query(tmp_path / "nianbao.db", "select url from reports order by url")
    assert [r["url"] for r in stored] == [server.url("/r/absolute.html"), server.url("/r/same.html")]
    skipped = [line for line in check.stdout.splitlines() if other.base_url in line]
    assert len(skipped) == 3 and all("another port than the start URLs'" in line for line in skipped), check.stdout


def test_ports_compare_with_the_scheme_s_default_port() -> None:
    domains = ["www.bjxch.gov.cn"]
    ports = start_ports(["https://www.bjxch.gov.cn/zt/xxgkzl/zfxxgknb.html"])
    for same in ("https://www.bjxch.gov.cn/a.html", "https://www.bjxch.gov.cn:443/a.html",
                 "http://www.bjxch.gov.cn/a.html", "http://www.bjxch.gov.cn:80/a.html"):  # fmt: skip
        assert link_refused(same, domains, ports) is None, same
    assert link_refused("http://www.bjxch.gov.cn:8080/a.html", domains, ports) == "another port than the start URLs'"
    assert link_refused("http://www.bjxch.gov.cn:99999/a.html", domains, ports) is not None  # no such port
    assert link_refused("http://www.example.com/a.html", domains, ports) == "off the site's hosts"
    on_8080 = start_ports(["http://www.bjxch.gov.cn:8080/"])
    assert link_refused("http://www.bjxch.gov.cn:8080/a.html", domains, on_8080) is None
    assert link_refused("http://www.bjxch.gov.cn/a.html", domains, on_8080) is not None
