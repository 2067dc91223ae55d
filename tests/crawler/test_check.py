"""`crawl check SITE`: a dry run against fixture portals on 127.0.0.1 — what a crawl would take is
printed (report links with year and agency, links skipped and why, pagination, robots.txt, the
content area), nothing is stored, and `--save DIR` keeps pages the portal's crawl test can use."""

from __future__ import annotations

from pathlib import Path

from fixture_portal import PortalServer, robots, xicheng_site
from tests.spiders.crawling import crawl, profile_config, query, saved_reports, serve_saved, site_config


def test_the_dry_run_prints_what_a_crawl_would_take_and_stores_nothing(tmp_path: Path) -> None:
    site = xicheng_site(traps=True)
    with PortalServer(site) as server:
        config = site_config(tmp_path, server, "xicheng", 'content = "div.gknb_content"')
        done = crawl(config, "check", "xicheng")
        log = list(server.log)
    out = done.stdout
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "nianbao.db").exists()  # storing nothing
    # Report pages are not fetched: robots.txt and the list pages only.
    assert {r.path for r in log} <= {"/robots.txt", *site.list_pages}
    assert f"  {server.url(site.start_path)}  (start URL)" in out
    assert "_2.html  (list_patterns)" in out  # the pagination followed
    hidden = site.traps["robots_disallowed"]
    assert f"{server.url(hidden)}  (report_patterns)  FORBIDDEN by robots.txt" in out
    assert "forbids 1 of the pages a crawl would ask for" in out
    assert f"  2024  西城区政府办公室  {server.url('/zt/xxgkzl/gknbxq/pnidpv379pntypepvnbpnnfpv2024.html')}" in out
    assert "(its text names a 解读 or notice)" in out
    assert "西城区地方志办公室2021年政府信息公开工作年度报告  " in out  # a report listed as its PDF
    assert "content area: div.gknb_content (not tried" in out
    n_reports = len([p for p in site if "/gknbxq" in p or p.startswith("/r/")])
    assert n_reports and "report links (" in out
    assert "a crawl would fetch " in out and f"from {len(site.list_pages)} list pages" in out


def test_save_keeps_pages_the_portals_crawl_test_reads(tmp_path: Path) -> None:
    """The saved pages are what `crawl new-site`'s test serves: crawled, every saved report is stored."""
    site = xicheng_site(traps=False)
    saved = tmp_path / "files"
    with PortalServer(site) as server:
        config = site_config(tmp_path, server, "xicheng")
        done = crawl(config, "check", "xicheng", "--save", str(saved), "--reports", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (saved / site.start_path.lstrip("/")).is_file()
    pages = [p for p in saved.rglob("*.html") if "/gknbxq" in p.as_posix()]
    assert len(pages) == 2
    assert f"saved {len(site.list_pages) + 2} pages in {saved}/" in done.stdout

    from tests.spiders.crawling import profile

    profile_site = profile(config, "xicheng")
    run = tmp_path / "run"
    run.mkdir()
    with serve_saved(saved, profile_site) as (server, served):
        crawl_config = profile_config(run, profile_site, server)
        crawled = crawl(crawl_config, "--site", "xicheng", "--no-alerts")
        expected = saved_reports(profile_site, server, served)
    assert crawled.returncode == 0, crawled.stdout + crawled.stderr
    stored = {r["url"] for r in query(run / "nianbao.db", "select url from reports")}
    assert len(expected) == 2 and stored == set(expected)


def test_a_portal_whose_robots_txt_forbids_everything(tmp_path: Path) -> None:
    site = xicheng_site(traps=False)
    site["/robots.txt"] = robots("/")
    with PortalServer(site) as server:
        config = site_config(tmp_path, server, "xicheng")
        done = crawl(config, "check", "xicheng")
        assert {r.path for r in server.log} == {"/robots.txt"}
    assert done.returncode == 1
    assert "the portal does not allow crawling" in done.stdout


def test_an_unknown_site_is_one_line(tmp_path: Path) -> None:
    with PortalServer(xicheng_site(traps=False)) as server:
        done = crawl(site_config(tmp_path, server, "xicheng"), "check", "nosuch")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_site_given_by_its_home_page_is_checked_through_discovery(tmp_path: Path) -> None:
    from fixture_portal.beijing import BEIJING
    from fixture_portal.districts import district_site

    facts = BEIJING["pinggu"]
    site = district_site(facts)
    with PortalServer(site) as server:
        config = tmp_path / "config.toml"
        config.write_text(
            '[crawl]\nuser_agent = "nianbao-test/0.1"\nstart_delay = 0\n\n[sites.pinggu]\nname = "北京市平谷区人民政府"\n'
            f'home = "{server.url("/")}"\nallowed_domains = ["127.0.0.1"]\n',
            encoding="utf-8",
        )
        done = crawl(config, "check", "pinggu")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"report column found from the home page: {server.url(facts.column)}" in done.stdout
    for path, content in site.expected_reports().items():
        assert f"  {content.year}  {content.agency}  {server.url(path)}" in done.stdout
    assert not (tmp_path / "nianbao.db").exists() and not (tmp_path / "data").exists()
