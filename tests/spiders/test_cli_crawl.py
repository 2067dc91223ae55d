"""The crawl command's contract around the crawl itself: errors in one line, exit status,
and Scrapy's own tooling (scrapy list / scrapy crawl) on the same spiders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from crawler.config import load_config
from fixture_portal import PortalServer, xicheng_site
from fixture_portal.server import html, robots
from tests.crawler.smtp import free_port
from tests.spiders.crawling import crawl, query, site_config

ROOT = Path(__file__).resolve().parents[2]


def test_unknown_site_is_one_clear_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "crawler.cli", "--site", "nowhere"], capture_output=True, text=True)
    assert result.returncode == 2
    # The shipped config's sites: the 17 Beijing portals since issue 14, and municipal bodies' own sites.
    sites = ", ".join(sorted(load_config().sites))
    assert sites.startswith("beijing, changping, chaoyang, csglw, daxing, dongcheng")
    assert result.stderr.strip() == f"crawl: unknown site 'nowhere' (sites in config.toml: {sites})"


def test_broken_config_is_one_clear_line(tmp_path):
    bad = tmp_path / "config.toml"
    bad.write_text("[sites.xicheng\nname = 1\n", encoding="utf-8")
    result = crawl(bad, "--all")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("crawl: config.toml is not valid TOML")
    missing = crawl(tmp_path / "nope.toml", "--all")
    assert missing.returncode == 2 and "config file not found" in missing.stderr


def test_a_site_that_cannot_be_crawled_at_all_exits_non_zero(tmp_path):
    port = free_port()  # nothing listens here
    config = tmp_path / "config.toml"
    config.write_text(
        f"""[storage]
path = "nianbao.db"
[crawl]
download_timeout = 2
retries = 0
start_delay = 0
[sites.xicheng]
start_urls = ["http://127.0.0.1:{port}/zt/xxgkzl/zfxxgknb.html"]
allowed_domains = ["127.0.0.1"]
""",
        encoding="utf-8",
    )
    result = crawl(config, "--site", "xicheng", "--no-alerts")
    assert result.returncode == 1
    assert "xicheng: failed" in result.stdout
    assert "no list page could be fetched" in result.stdout
    assert "Traceback" not in result.stderr
    runs = query(tmp_path / "nianbao.db", "select status from crawl_runs")
    assert runs == [{"status": "failed"}]
    # `scrapy crawl` says the same with its exit status.
    env = {**os.environ, "NIANBAO_CONFIG": str(config), "NIANBAO_DB": str(tmp_path / "scrapy.db")}
    scrapy = subprocess.run([str(Path(sys.executable).with_name("scrapy")), "crawl", "xicheng"],
                            cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert scrapy.returncode == 1
    assert "(failed 1 times)" in scrapy.stderr  # config.toml's retries = 0 holds under `scrapy crawl` too
    assert query(tmp_path / "scrapy.db", "select status from crawl_runs") == [{"status": "failed"}]


def test_list_pages_that_link_no_report_fail_the_crawl(tmp_path):
    """A redesigned portal whose list pages no longer link reports (in a way the spider reads):
    not an "ok" crawl that silently found nothing."""
    site = {"/list.html": html("<html><body><a href='/about.html'>关于我们</a><p>新版栏目，内容加载中</p></body></html>"),
            "/robots.txt": robots()}  # fmt: skip
    with PortalServer(site) as server:
        config = tmp_path / "config.toml"
        config.write_text(
            f'[storage]\npath = "nianbao.db"\n[crawl]\nstart_delay = 0\n[sites.xicheng]\n'
            f'start_urls = ["{server.url("/list.html")}"]\nallowed_domains = ["127.0.0.1"]\n',
            encoding="utf-8",
        )
        result = crawl(config, "--site", "xicheng", "--no-alerts")
    assert result.returncode == 1
    assert "xicheng: failed" in result.stdout and "list pages link no report" in result.stdout


def test_scrapy_list_and_scrapy_crawl(tmp_path):
    env = {**os.environ}
    listed = subprocess.run(["scrapy", "list"], cwd=ROOT, capture_output=True, text=True, env=env,
                            executable=str(Path(sys.executable).with_name("scrapy")))  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == sorted(load_config().sites)  # the 17 Beijing portals since issue 14

    with PortalServer(xicheng_site(traps=False)) as server:
        config = site_config(tmp_path, server, "xicheng")
        env.update(NIANBAO_CONFIG=str(config), NIANBAO_DB=str(tmp_path / "scrapy.db"))
        result = subprocess.run([str(Path(sys.executable).with_name("scrapy")), "crawl", "xicheng"],
                                cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
        assert result.returncode == 0, result.stderr
        stored = query(tmp_path / "scrapy.db", "select count(*) as n from reports")[0]["n"]
        assert stored == len(server.fixture.expected)
