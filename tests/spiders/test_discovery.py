"""Column discovery (spiders.discovery): a site given by its home page only finds its report column;
a configured list page that moves (404, or lists no report) is found again from the home page, the
new location stored and told in the digest, and the next crawl starts there."""

from __future__ import annotations

import json
from pathlib import Path

from fixture_portal import PortalServer, html, not_found
from fixture_portal.districts import PortalFacts, district_site
from spiders.discovery import column_prefix
from tests.spiders.crawling import crawl, query

BEFORE = PortalFacts("xicheng", "西城区", column="/zfxxgk/gknb/", years=(2023, 2024))
AFTER = PortalFacts("xicheng", "西城区", column="/zwgk/zfxxgkndbg/", way="/zwgk/", years=(2023, 2024))


def config(tmp: Path, server: PortalServer, start: str | None) -> Path:
    starts = f"start_urls = [{json.dumps(server.url(start))}]\n" if start else ""
    path = tmp / "config.toml"
    path.write_text(
        '[storage]\npath = "nianbao.db"\n\n[crawl]\nuser_agent = "nianbao-test/0.1 (+https://example.org/nianbao)"\n'
        'start_delay = 0\nrecheck_hours = 0\nretries = 0\n\n[alerts]\noutbox = "outbox"\nrecipients = ["x@example.org"]\n\n'
        f'[sites.xicheng]\nname = "北京市西城区人民政府"\nhome = {json.dumps(server.url("/"))}\n{starts}'
        'allowed_domains = ["127.0.0.1"]\n',
        encoding="utf-8",
    )
    return path


def test_a_site_given_by_its_home_page_alone_finds_its_reports(tmp_path: Path) -> None:
    site = district_site(BEFORE)
    with PortalServer(site) as server:
        done = crawl(config(tmp_path, server, None), "--site", "xicheng", "--no-alerts")
    assert done.returncode == 0, done.stdout + done.stderr
    stored = {r["url"] for r in query(tmp_path / "nianbao.db", "select url from reports")}
    assert stored == {server.url(p) for p in site.expected}
    assert f"report column found from the home page: {server.url(BEFORE.column)}" in done.stdout


def test_a_column_that_moves_is_found_again_stored_and_told(tmp_path: Path) -> None:
    before, after = district_site(BEFORE), district_site(AFTER)
    db = tmp_path / "nianbao.db"
    with PortalServer(before) as server:
        cfg = config(tmp_path, server, BEFORE.column)
        first = crawl(cfg, "--site", "xicheng")
        assert first.returncode == 0, first.stdout + first.stderr
        for path in set(before) - set(after):  # the portal is redesigned: the old paths are 404
            server.set_page(path, not_found())
        for path, page in after.items():
            server.set_page(path, page)
        second = crawl(cfg, "--site", "xicheng")
        server.clear_log()
        third = crawl(cfg, "--site", "xicheng", "--no-alerts")
        third_paths = {r.path for r in server.log}
    assert second.returncode == 0, second.stdout + second.stderr
    old, new = server.url(BEFORE.column), server.url(AFTER.column)
    assert f"the report list moved: {old} -> {new}" in second.stdout
    # The same reports (agency + year) at their new URLs: no report is new, none missing.
    reports = query(db, "select url from reports")
    assert len(reports) == len(after.expected)
    assert {r["url"] for r in reports} == {server.url(p) for p in after.expected}
    assert query(db, "select moved_from, url from columns where moved_from is not null") == [
        {"moved_from": old, "url": new}
    ]
    mails = sorted((tmp_path / "outbox").glob("*.eml"))
    text = mails[-1].read_bytes().decode("utf-8", "replace")
    import email
    from email import policy

    message = email.message_from_bytes(mails[-1].read_bytes(), policy=policy.default)
    body = message.get_body(("plain",)).get_content()
    assert f"北京市西城区人民政府：年报栏目已迁移至 {new}（原地址 {old}" in body, text[:2000]
    # The next crawl starts where the list went: the old page is not asked for again.
    assert third.returncode == 0, third.stdout + third.stderr
    assert BEFORE.column not in third_paths and AFTER.column in third_paths
    assert "moved" not in third.stdout


def test_a_list_page_that_lists_no_report_sends_the_spider_home(tmp_path: Path) -> None:
    before, after = district_site(BEFORE), district_site(AFTER)
    with PortalServer(after) as server:
        # The old column still answers, but lists nothing any more (an empty template).
        server.set_page(BEFORE.column, html("<html><body><p>暂无数据</p></body></html>"))
        done = crawl(config(tmp_path, server, BEFORE.column), "--site", "xicheng", "--no-alerts")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"the report list moved: {server.url(BEFORE.column)} -> {server.url(AFTER.column)}" in done.stdout
    assert len(query(tmp_path / "nianbao.db", "select url from reports")) == len(after.expected)
    assert before.expected


def test_column_prefix() -> None:
    assert column_prefix("https://a.gov.cn/zfxxgk/zfxxgknb/") == "/zfxxgk/zfxxgknb/"
    assert column_prefix("https://a.gov.cn/zfxxgk/zfxxgknb/index.html") == "/zfxxgk/zfxxgknb/"
    assert column_prefix("https://www.bjxch.gov.cn/zt/xxgkzl/zfxxgknb.html") == "/zt/xxgkzl/zfxxgknb"
