"""`crawl --site beijing` with the shipped profile against a fixture of the city portal's
index of 区政府 reports by year (docs/portals.md §5): year folders, TRS lists, detail pages,
and the Big5 gateway copies that must be skipped."""

from __future__ import annotations

import json
from dataclasses import replace

from fixture_portal import PortalServer, html, robots, seed_report
from fixture_portal.pages import ListEntry, dongcheng_detail, dongcheng_list
from fixture_portal.sites import Site
from tests.spiders.crawling import crawl, query, site_config

ROOT = "/gongkai/zfxxgk/zfxxgknb/"


def beijing_site() -> Site:
    site = Site("beijing", ROOT)
    site["/robots.txt"] = robots()
    years = {2020: "003", 2021: "001"}
    year_links = "".join(f'<li><a href="./{y}nb/">{y}年政府信息公开工作年度报告</a></li>' for y in years)
    site[ROOT] = html(
        f"<html><head><meta charset='utf-8'><title>年报</title></head><body><ul>{year_links}</ul></body></html>"
    )
    site.list_pages.append(ROOT)
    for year, seed in years.items():
        content = replace(seed_report(seed), source="北京市人民政府")
        detail = f"{ROOT}{year}nb/qzf/{year + 1}03/t{year + 1}0310_{2287000 + year}.html"
        site.add_report(detail, content, html(dongcheng_detail(content)))
        big5 = f"/gate/big5/www.beijing.gov.cn{detail}"
        site[big5] = html("<html><body>政府信息公開工作年度報告</body></html>")
        entries = [ListEntry(f"./{detail.split('/qzf/')[1]}", content.title, "2021-03-10"),
                   ListEntry(f"{{{{base}}}}{big5}", content.title + "（繁體）", "2021-03-10")]  # fmt: skip
        listing = f"{ROOT}{year}nb/qzf/index.html"
        site[listing] = html(dongcheng_list(f"{year}年区政府", entries, 0, 1))
        site[f"{ROOT}{year}nb/"] = html(
            "<html><head><meta charset='utf-8'></head><body><a href='./qzf/'>区政府</a></body></html>"
        )
        site.list_pages += [f"{ROOT}{year}nb/", listing]
    return site


def test_beijing_portal_with_the_shipped_profile(tmp_path):
    site = beijing_site()
    with PortalServer(site) as server:
        config = site_config(tmp_path, server, "beijing")
        result = crawl(config, "--site", "beijing", "--no-alerts")
        assert result.returncode == 0, result.stderr
        rows = query(
            tmp_path / "nianbao.db",
            "select r.url, v.report_json from reports r join versions v on v.id = r.current_version",
        )
        assert sorted(r["url"] for r in rows) == sorted(server.url(p) for p in site.expected)
        for row in rows:
            path = row["url"].split(str(server.port), 1)[1]
            assert json.loads(row["report_json"])["applications"] == site.reports[path].applications
        assert not any("/gate/big5/" in r.path for r in server.log)  # the traditional copies are skipped
