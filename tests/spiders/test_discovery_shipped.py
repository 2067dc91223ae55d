"""Discovery from the home page on the fixture portals of the first profiles (西城, 东城): with
only `home` given, the spider finds the 政府信息公开年报 column and every report the list gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.config import load_config
from fixture_portal import PortalServer, dongcheng_site, xicheng_site
from tests.spiders.crawling import crawl, query

SITES = {"xicheng": lambda: xicheng_site(traps=False), "dongcheng": lambda: dongcheng_site(traps=False)}


@pytest.mark.parametrize("key", sorted(SITES))
def test_the_column_is_found_from_the_home_page(tmp_path: Path, key: str) -> None:
    site, shipped = SITES[key](), load_config().sites[key]
    assert shipped.home  # the shipped profile names its home page
    with PortalServer(site) as server:
        config = tmp_path / "config.toml"
        config.write_text(
            '[storage]\npath = "nianbao.db"\n\n[crawl]\nuser_agent = "nianbao-test/0.1"\nstart_delay = 0\n'
            f'recheck_hours = 0\n\n[sites.{key}]\nname = "{key}"\nhome = "{server.url("/")}"\n'
            f'allowed_domains = ["127.0.0.1"]\nreport_patterns = {json.dumps(shipped.report_patterns)}\n'
            f"list_patterns = {json.dumps(shipped.list_patterns)}\n",
            encoding="utf-8",
        )
        done = crawl(config, "--site", key, "--no-alerts")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "report column found from the home page" in done.stdout
    stored = {r["url"] for r in query(tmp_path / "nianbao.db", "select url from reports")}
    assert stored == {server.url(p) for p in site.expected}
