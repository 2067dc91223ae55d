"""`crawl --site dongcheng` with the shipped profile against a TRS-style fixture portal
(year folders, irregular category slugs, index_N pagination, attachments)."""

from __future__ import annotations

import json

from fixture_portal import PortalServer, dongcheng_site
from tests.spiders.crawling import crawl, query, site_config


def test_dongcheng_portal_end_to_end(tmp_path):
    with PortalServer(dongcheng_site()) as server:
        site = server.fixture
        config = site_config(tmp_path, server, "dongcheng")
        result = crawl(config, "--site", "dongcheng", "--no-alerts")
        assert result.returncode == 0, result.stderr
        db = tmp_path / "nianbao.db"
        rows = query(
            db, "select r.url, v.report_json, v.attachments from reports r join versions v on v.id = r.current_version"
        )
        by_url = {r["url"]: r for r in rows}
        assert sorted(by_url) == sorted(server.url(p) for p in site.expected)
        for path, content in site.expected_reports().items():
            stored = json.loads(by_url[server.url(path)]["report_json"])
            assert stored["applications"] == content.applications, path
            assert stored["year"] == content.year
        # The report date comes from the page, never from the URL folder.
        moved = site.traps["url_date_differs"]
        stored = json.loads(by_url[server.url(moved)]["report_json"])
        assert stored["published"] == site.reports[moved].published.date().isoformat()
        # Attachments linked from a report are recorded with it.
        seed = next(p for p, c in site.reports.items() if c.seed == "001")
        attachments = json.loads(by_url[server.url(seed)]["attachments"])
        assert attachments and all(a.endswith(".pdf") for a in attachments)
        # Politeness, from the server's log.
        paths = [r.path for r in server.log]
        assert site.traps["robots_disallowed"] not in paths
        assert paths.count(site.traps["duplicate"]) == 1
        assert not any(p.endswith(".pdf") for p in paths)  # attachments are recorded, not downloaded
        # A list whose further pages are linked only from its pagination script is read whole, once.
        assert paths.count(site.traps["script_paging"]) == 1
