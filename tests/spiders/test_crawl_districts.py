"""The Beijing district profiles of config.toml, each crawled end to end from a fixture portal
modelled on what docs/portals.md records of it (fixture_portal/beijing.py): TRS createPageHTML lists,
rows written by script, GBK without a charset header, opaque ids, year folders off by one, a home
page that is a script redirect shell, a column that moved, a robots.txt that forbids everything.
Each profile's URLs are pointed at the fixture (host → 127.0.0.1), its patterns kept as shipped."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.config import load_config
from fixture_portal import PortalServer
from fixture_portal.beijing import BEIJING
from fixture_portal.districts import district_site
from tests.spiders.crawling import crawl, query

SHIPPED = load_config().sites
CRAWLED = sorted(k for k in BEIJING if k != "shunyi")


def local_config(tmp: Path, key: str, server: PortalServer, *, home_only: bool = False) -> Path:
    site = SHIPPED[key]

    def local(url: str) -> str:
        return server.url(urlsplit(url).path or "/")

    keys = {
        "name": site.name,
        "home": local(site.home) if site.home else None,
        "start_urls": [] if home_only else [local(u) for u in site.start_urls],
        "allowed_domains": ["127.0.0.1"],
        "report_patterns": site.report_patterns,
        "list_patterns": site.list_patterns,
        "url_year": site.url_year,
    }
    block = "\n".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in keys.items() if v not in (None, []))
    path = tmp / "config.toml"
    path.write_text(
        '[storage]\npath = "nianbao.db"\n\n[crawl]\nuser_agent = "nianbao-test/0.1 (+https://example.org/nianbao)"\n'
        f"start_delay = 0\nrecheck_hours = 0\nretries = 0\n\n[sites.{key}]\n{block}\n",
        encoding="utf-8",
    )
    return path


def stored(tmp: Path) -> dict[str, tuple[str, int]]:
    rows = query(tmp / "nianbao.db", "select url, agency, year from reports")
    return {r["url"]: (r["agency"], r["year"]) for r in rows}


@pytest.mark.parametrize("key", CRAWLED)
def test_the_shipped_profile_crawls_its_portal(tmp_path: Path, key: str) -> None:
    site = district_site(BEIJING[key])
    with PortalServer(site) as server:
        done = crawl(local_config(tmp_path, key, server), "--site", key, "--no-alerts")
    assert done.returncode == 0, done.stdout + done.stderr
    expected = {server.url(p): (c.agency, c.year) for p, c in site.expected_reports().items()}
    assert stored(tmp_path) == expected
    moved = 1 if key == "changping" else 0  # its configured list page is gone (404): found again
    assert f"{moved} failed" in done.stdout, done.stdout


@pytest.mark.parametrize("key", CRAWLED)
def test_discovery_finds_the_column_from_the_home_page(tmp_path: Path, key: str) -> None:
    site = district_site(BEIJING[key])
    with PortalServer(site) as server:
        done = crawl(local_config(tmp_path, key, server, home_only=True), "--site", key, "--no-alerts")
    assert done.returncode == 0, done.stdout + done.stderr
    assert set(stored(tmp_path)) == {server.url(p) for p in site.expected}
    assert f"report column found from the home page: {server.url(BEIJING[key].column)}" in done.stdout


def test_changping_s_moved_column_is_found_again(tmp_path: Path) -> None:
    site = district_site(BEIJING["changping"])
    with PortalServer(site) as server:
        done = crawl(local_config(tmp_path, "changping", server), "--site", "changping", "--no-alerts")
    old = server.url(urlsplit(SHIPPED["changping"].start_urls[0]).path)
    assert f"the report list moved: {old} -> {server.url(BEIJING['changping'].column)}" in done.stdout


def test_a_portal_whose_robots_txt_forbids_everything(tmp_path: Path) -> None:
    """顺义: reported as the portal not allowing crawling; nothing asked past robots.txt, no failure."""
    site = district_site(BEIJING["shunyi"])
    with PortalServer(site) as server:
        config = local_config(tmp_path, "shunyi", server)
        runs = [crawl(config, "--site", "shunyi", "--no-alerts") for _ in range(3)]
        assert {r.path for r in server.log} == {"/robots.txt"}
    for done in runs:
        assert "shunyi: forbidden — the portal does not allow crawling" in done.stdout, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
    statuses = query(tmp_path / "nianbao.db", "select status from crawl_runs")
    assert [r["status"] for r in statuses] == ["forbidden"] * 3  # not failed: no failure streak
    assert query(tmp_path / "nianbao.db", "select count(*) as n from pages")[0]["n"] == 0
