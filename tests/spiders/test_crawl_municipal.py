"""The profiles of municipal bodies' own sites on beijing.gov.cn subdomains (config.toml csglw, zdb),
each crawled end to end from a fixture portal built from the one report URL docs/portals.md records
of it (fixture_portal.beijing.MUNICIPAL): with its start URL as shipped, and from its home page alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixture_portal import PortalServer
from fixture_portal.beijing import MUNICIPAL
from fixture_portal.districts import district_site
from tests.spiders.test_crawl_districts import SHIPPED, local_config, stored


@pytest.mark.parametrize("key", sorted(MUNICIPAL))
def test_the_shipped_profile_crawls_its_site(tmp_path: Path, key: str) -> None:
    assert [d.endswith(".beijing.gov.cn") for d in SHIPPED[key].allowed_domains] == [True]
    site = district_site(MUNICIPAL[key])
    with PortalServer(site) as server:
        done = crawl_site(tmp_path, key, server)
    expected = {server.url(p): (c.agency, c.year) for p, c in site.expected_reports().items()}
    assert len(expected) == 2 and stored(tmp_path) == expected, done.stdout + done.stderr
    assert "0 failed" in done.stdout, done.stdout


@pytest.mark.parametrize("key", sorted(MUNICIPAL))
def test_discovery_finds_the_column_from_the_home_page(tmp_path: Path, key: str) -> None:
    site = district_site(MUNICIPAL[key])
    with PortalServer(site) as server:
        done = crawl_site(tmp_path, key, server, home_only=True)
    assert set(stored(tmp_path)) == {server.url(p) for p in site.expected}, done.stdout + done.stderr
    assert f"report column found from the home page: {server.url(MUNICIPAL[key].column)}" in done.stdout


def crawl_site(tmp_path: Path, key: str, server: PortalServer, home_only: bool = False):
    from tests.spiders.crawling import crawl

    done = crawl(local_config(tmp_path, key, server, home_only=home_only), "--site", key, "--no-alerts")
    assert done.returncode == 0, done.stdout + done.stderr
    return done
