"""Helpers for crawl tests: a config pointing a site profile at a fixture portal, a crawl run as
the user runs it (`crawl --site NAME`, in a child process: Twisted's reactor cannot be restarted
within one test process), and a portal's saved pages served for the tests `crawl new-site` writes."""

from __future__ import annotations

import contextlib
import json
import mimetypes
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from crawler.config import load_config
from crawler.scaffold import PLACEHOLDER
from fixture_portal import PortalServer, binary, robots
from parsers.errors import ParseError
from parsers.load import HTML_SUFFIXES, parse_bytes
from parsers.model import Report
from spiders.profile import Site


def site_config(tmp_path: Path, server: PortalServer, key: str, extra: str = "") -> Path:
    """The shipped profile of `key` (its URL patterns), pointed at the fixture portal."""
    site = server.fixture
    shipped = load_config().sites[key]
    patterns = (
        f"report_patterns = {json.dumps(shipped.report_patterns)}\nlist_patterns = {json.dumps(shipped.list_patterns)}"
        + (f"\nurl_year = {json.dumps(shipped.url_year)}" if shipped.url_year else "")
    )
    text = f"""
[storage]
path = "nianbao.db"

[crawl]
user_agent = "nianbao-test/0.1 (+https://example.org/nianbao)"
concurrent_per_site = 2
download_timeout = 2
retries = 2
start_delay = 0
retry_backoff = 0.3
recheck_hours = 0

[alerts]
outbox = "outbox"

[sites.{key}]
name = "{key}"
start_urls = [{json.dumps(server.url(site.start_path))}]
allowed_domains = ["127.0.0.1"]
{patterns}
{extra}
"""
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def crawl(config: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args, "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def crawl_twice(server: PortalServer, config: Path, site: str, timeout: float = 120) -> dict:
    """A site crawled, then again with the portal unchanged (no alerts): both results and both
    request logs, for a module fixture to share among its tests."""
    first = crawl(config, "--site", site, timeout=timeout)
    first_log = list(server.log)
    server.clear_log()
    second = crawl(config, "--site", site, "--no-alerts")
    return {
        "server": server, "db": config.parent / "nianbao.db", "outbox": config.parent / "outbox",
        "first": first, "first_log": first_log, "second": second, "second_log": list(server.log),
    }  # fmt: skip


def query(db: Path, sql: str, *params) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


# --- a portal's saved pages (tests/files/NAME/, each page at its URL's path) ---------------------


def saved_pages(folder: Path) -> dict[str, Path]:
    """URL path -> saved file, for every file in `folder` but its README.md."""
    files = (p for p in sorted(folder.rglob("*")) if p.is_file() and p != folder / "README.md")
    return {"/" + p.relative_to(folder).as_posix(): p for p in files}


def placeholders(folder: Path) -> list[str]:
    """What is still to be saved: the placeholder pages `crawl new-site` left, or the folder itself
    when it holds no page at all."""
    pages = saved_pages(folder)
    if not pages:
        return [f"{folder.name}/ is empty"]
    return [path for path, file in pages.items() if PLACEHOLDER.encode() in file.read_bytes()]


def profile(config: Path, key: str) -> Site:
    sites = load_config(config).sites
    assert key in sites, f"no [sites.{key}] in {config}: `crawl new-site` wrote one there"
    return sites[key]


def _hosts(site: Site) -> list[str]:
    urls = [*site.start_urls, *([site.probe_url] if site.probe_url else [])]
    return sorted({*site.allowed_domains, *(urlsplit(u).hostname or "" for u in urls)} - {""})


def localise(data: bytes, hosts: list[str], base_url: str) -> bytes:
    """Links to the hosts (and their subdomains; http, https or protocol-relative) -> base_url."""
    for host in hosts:
        pattern = rb"(?:https?:)?//(?:[A-Za-z0-9-]+\.)*" + re.escape(host.encode()) + rb"(?::[0-9]+)?(?![\w.-])"
        data = re.sub(pattern, base_url.encode(), data, flags=re.IGNORECASE)
    return data


@contextlib.contextmanager
def serve_saved(folder: Path, site: Site) -> Iterator[tuple[PortalServer, dict[str, bytes]]]:
    """The saved pages on a fixture portal, served as saved (no charset in Content-Type, as many
    portals do) with links to the site's hosts pointed at it: the server, and the bytes at each path."""
    with PortalServer({"/robots.txt": robots()}) as server:
        served = {}
        for path, file in saved_pages(folder).items():
            served[path] = localise(file.read_bytes(), _hosts(site), server.base_url)
            server.set_page(path, binary(served[path], mimetypes.guess_type(file.name)[0] or "text/html"))
        yield server, served


def profile_config(tmp_path: Path, site: Site, server: PortalServer) -> Path:
    """A config holding `site` with its URLs on the server (its patterns and content area as they are)."""

    def local(url: str) -> str:
        parts = urlsplit(url)
        return server.url(parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    keys = {
        "name": site.name,
        "start_urls": [local(u) for u in site.start_urls],
        "allowed_domains": ["127.0.0.1"],
        "report_patterns": site.report_patterns,
        "list_patterns": site.list_patterns,
        "content": site.content,
        "url_year": site.url_year,
        "probe_url": local(site.probe_url) if site.probe_url else None,
        "probe_units": site.probe_units,
        "probe_first_year": site.probe_first_year,
    }
    block = "\n".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in keys.items() if v is not None)
    path = tmp_path / "config.toml"
    path.write_text(
        '[storage]\npath = "nianbao.db"\n\n[crawl]\nuser_agent = "nianbao-test/0.1 (+https://example.org/nianbao)"\n'
        f"start_delay = 0\nrecheck_hours = 0\n\n[sites.{site.key}]\n{block}\n",
        encoding="utf-8",
    )
    return path


def saved_reports(site: Site, server: PortalServer, served: dict[str, bytes]) -> dict[str, Report]:
    """URL (a folder's index.html as the folder) -> report, for the served pages that are reports,
    read as `crawl parse` reads them (with the site's content area)."""
    reports = {}
    for path, data in served.items():
        if Path(path).suffix.lower() not in HTML_SUFFIXES:
            continue
        try:
            report = parse_bytes(data, "html", content=site.content_xpath).report
        except ParseError:  # a list page, a 解读, a report published as a file only
            continue
        reports[server.url(path).removesuffix("index.html")] = report
    return reports
