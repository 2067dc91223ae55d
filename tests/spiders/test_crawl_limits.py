"""Every crawl is bounded: a portal whose list never ends, or that links 100,000 reports, is left
at a limit of [crawl] (or the site's own), and the run says `limited` and which limit it was."""

from __future__ import annotations

import json
from pathlib import Path

from fixture_portal import PortalServer
from fixture_portal.hostile import ENDLESS_START, MANY_START, endless_pages, endless_site, many_links_site
from tests.spiders.crawling import crawl, query


def hostile_config(tmp_path: Path, server: PortalServer, start: str, crawl_limits: str = "", site: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[storage]
path = "nianbao.db"

[crawl]
user_agent = "nianbao-test/0.1 (+https://example.org/nianbao)"
start_delay = 0
recheck_hours = 0
retries = 0
download_timeout = 5
{crawl_limits}

[alerts]
outbox = "outbox"

[sites.hostile]
name = "hostile"
start_urls = ["{server.url(start)}"]
allowed_domains = ["127.0.0.1"]
list_patterns = ["/endless/list_"]
{site}
""",
        encoding="utf-8",
    )
    return path


def run_of(tmp_path: Path) -> dict:
    (run,) = query(tmp_path / "nianbao.db", "select * from crawl_runs")
    return {**run, "errors": json.loads(run["errors"]), "counts": json.loads(run["counts"])}


def list_hits(server: PortalServer) -> int:
    return sum(r.path.startswith("/endless/list_") for r in server.log)


def test_an_endless_list_stops_at_max_list_pages(tmp_path):
    with PortalServer(endless_site(), routes=endless_pages) as server:
        config = hostile_config(tmp_path, server, ENDLESS_START, "max_list_pages = 12")
        result = crawl(config, "--site", "hostile", "--no-alerts")
        hits = list_hits(server)
    assert result.returncode == 1, result.stderr
    assert "hostile: limited (stopped after 12 list pages (max_list_pages)" in result.stdout
    run = run_of(tmp_path)
    assert run["status"] == "limited"
    assert run["errors"][0].startswith("stopped after 12 list pages (max_list_pages)")
    assert run["counts"]["list_pages"] == 12 and hits == 12
    assert len(query(tmp_path / "nianbao.db", "select * from pages")) == 12  # what was found is kept
    assert run["counts"]["not_report"] == 12  # pages about a report, with nothing of it: not attachment_only


def test_a_site_sets_its_own_pagination_depth(tmp_path):
    with PortalServer(endless_site(), routes=endless_pages) as server:
        config = hostile_config(tmp_path, server, ENDLESS_START, "max_depth = 1000", "max_depth = 5")
        result = crawl(config, "--site", "hostile", "--no-alerts")
        hits = list_hits(server)
    assert result.returncode == 1
    run = run_of(tmp_path)
    assert run["status"] == "limited"
    assert run["errors"][0].startswith("stopped following pagination 5 pages deep (max_depth)")
    assert hits == 6  # the start page and five deeper


def test_a_list_of_100000_reports_stops_at_max_report_pages(tmp_path):
    with PortalServer(many_links_site()) as server:
        config = hostile_config(tmp_path, server, MANY_START, "max_report_pages = 25")
        result = crawl(config, "--site", "hostile", "--no-alerts")
        reports = sum(r.path.startswith("/many/report_") for r in server.log)
    assert result.returncode == 1
    run = run_of(tmp_path)
    assert run["status"] == "limited"
    assert run["errors"][0].startswith("stopped after 25 report pages (max_report_pages)")
    assert reports == 25


def test_bytes_and_wall_time_end_the_crawl(tmp_path):
    with PortalServer(many_links_site()) as server:  # one list page of ~10 MB
        config = hostile_config(tmp_path, server, MANY_START, "max_bytes = 1_000_000")
        crawl(config, "--site", "hostile", "--no-alerts")
    run = run_of(tmp_path)
    assert (run["status"], run["errors"][0]) == ("limited", "stopped after 1,000,000 bytes downloaded (max_bytes)")

    slow = tmp_path / "slow"
    slow.mkdir()
    with PortalServer(endless_site(), routes=endless_pages, latency=0.4) as server:
        config = hostile_config(slow, server, ENDLESS_START, "max_seconds = 2")
        result = crawl(config, "--site", "hostile", "--no-alerts")
    run = run_of(slow)
    assert (run["status"], run["errors"][0]) == ("limited", "stopped after 2 s (max_seconds)")
    assert run["counts"]["seconds"] < 10, result.stdout


def test_the_shipped_defaults_end_an_endless_list(tmp_path):
    with PortalServer(endless_site(), routes=endless_pages) as server:
        config = hostile_config(tmp_path, server, ENDLESS_START)
        result = crawl(config, "--site", "hostile", "--no-alerts", timeout=600)
    assert result.returncode == 1
    run = run_of(tmp_path)
    assert run["status"] == "limited"
    assert "(max_depth)" in run["errors"][0] or "(max_list_pages)" in run["errors"][0]
