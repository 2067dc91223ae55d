"""Adding a portal, as the README says: a [sites.NAME] block in a config plus saved pages
(tests/files/shanghai/) served on loopback. No code for the site: the generic spider finds the
report by its link text, skips the 图解 and the notice, and stores the real report page."""

from __future__ import annotations

import json
from pathlib import Path

from fixture_portal import PortalServer, html, robots
from parsers.load import parse_path
from tests.spiders.crawling import crawl, query

FILES = Path(__file__).resolve().parent.parent / "files" / "shanghai"
REPORT = "/nw12344/20200131/report-2019.html"


def test_a_new_portal_is_a_config_block_and_saved_pages(tmp_path: Path) -> None:
    site = {
        "/robots.txt": robots(),
        "/nw12344/list.html": html((FILES / "list.html").read_text(encoding="utf-8")),
        REPORT: html((FILES / "report-2019.html").read_text(encoding="utf-8")),
        "/nw12344/20200131/jiedu-2019.html": html("<html><body><h1>图解</h1></body></html>"),
        "/nw12344/20190315/notice.html": html("<html><body><h1>通知</h1></body></html>"),
    }
    with PortalServer(site) as server:
        config = tmp_path / "config.toml"
        config.write_text(
            f"""
[storage]
path = "nianbao.db"

[crawl]
user_agent = "nianbao-test/0.1 (+https://example.org/nianbao)"
start_delay = 0

[sites.shanghai]
name = "上海市人民政府办公厅"
start_urls = ["{server.url("/nw12344/list.html")}"]
allowed_domains = ["127.0.0.1"]
content = "div.article"
""",
            encoding="utf-8",
        )
        done = crawl(config, "--site", "shanghai", "--no-alerts")
        requested = {r.path for r in server.log}
    assert done.returncode == 0, done.stdout + done.stderr
    assert "shanghai: ok" in done.stdout and "reports 1 new" in done.stdout
    assert requested == {"/robots.txt", "/nw12344/list.html", REPORT}  # not the 图解, not the notice

    (row,) = query(
        tmp_path / "nianbao.db",
        "select r.agency, r.year, r.published, r.status, r.url, v.report_json "
        "from reports r join versions v on v.id = r.current_version",
    )
    assert (row["agency"], row["year"], row["published"]) == ("上海市人民政府办公厅", 2019, "2020-01-31")
    assert row["status"] == "ok" and row["url"] == server.url(REPORT)
    stored, saved = json.loads(row["report_json"]), parse_path(FILES / "report-2019.html").report
    for part in ("active_disclosure", "applications", "review_litigation"):
        assert stored[part] == getattr(saved, part)
    new = stored["applications"]["new_received"]
    assert (new["natural_person"], new["research_institution"], new["total"]) == (821, None, 859)  # blank: null
