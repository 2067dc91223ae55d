"""Redirects a crawl does not follow, each left as a `dropped` page with its reason: to another
port of an allowed host (another server), a loop, a meta refresh off site or to another port."""

from __future__ import annotations

from pathlib import Path

from fixture_portal import PortalServer, html, redirect, robots
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


def test_redirects_not_followed_are_recorded_with_their_reasons(tmp_path: Path) -> None:
    with PortalServer({"/robots.txt": robots(), "/report.html": html("<p>other server</p>")}) as other:
        with PortalServer(portal(other.base_url)) as server:
            config = tmp_path / "config.toml"
            config.write_text(
                f'[storage]\npath = "nianbao.db"\n[crawl]\nstart_delay = 0\nretries = 0\nrecheck_hours = 0\n'
                f'[sites.site]\nstart_urls = ["{server.url("/list.html")}"]\nallowed_domains = ["127.0.0.1"]\n',
                encoding="utf-8",
            )
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
