"""Helpers for crawl tests: a config pointing a site profile at a fixture portal, and a
crawl run as the user runs it (`crawl --site NAME`, in a child process: Twisted's reactor
cannot be restarted within one test process)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from crawler.config import load_config
from fixture_portal import PortalServer


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


def query(db: Path, sql: str, *params) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()
