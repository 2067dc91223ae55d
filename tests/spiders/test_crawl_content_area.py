"""The site's content area travels with each report page, translated once, to the parser."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from fixture_portal import PortalServer, xicheng_site
from parsers.html import css_to_xpath
from parsers.load import parse_bytes
from spiders.profile import Site
from spiders.sites import spider_for
from tests.parsers.test_content_area import sidebar_page
from tests.spiders.crawling import crawl, query, site_config

URL = "https://www.bjxch.gov.cn/zt/xxgkzl/gknbxq/pnidpv379pntypepvnbpnnfpv2020.html"


def report_page(site: Site):
    cls = spider_for(site)
    spider = cls.from_crawler(get_crawler(cls))
    response = HtmlResponse(URL, body=sidebar_page(), headers={"Content-Type": "text/html; charset=utf-8"})
    response.request = Request(URL)
    (page,) = spider.parse_report(response)
    return page


def test_report_pages_carry_the_content_xpath() -> None:
    site = Site(key="xicheng", name="西城", start_urls=[URL], allowed_domains=["bjxch.gov.cn"], content="div.detail")
    page = report_page(site)
    assert page.content == site.content_xpath == css_to_xpath("div.detail")
    parsed = parse_bytes(page.body, "html", page.encoding, page.content)  # as ParseStage calls it
    assert parsed.document.content_found is True and parsed.report.year == 2020


def test_no_content_key_no_content_xpath() -> None:
    site = Site(key="xicheng", name="西城", start_urls=[URL], allowed_domains=["bjxch.gov.cn"])
    assert site.content_xpath is None and report_page(site).content is None


@pytest.mark.parametrize(("selector", "found"), [("div.gknb-detail", True), ("div.no-such-area", False)])
def test_a_crawl_reads_the_content_area_or_says_it_was_not_found(tmp_path, selector: str, found: bool) -> None:
    """End to end: the selector in config.toml reaches the parse worker; a selector that matches
    nothing loses no report, and the crawl says so for each page."""
    with PortalServer(xicheng_site(3, traps=False, seeds=False)) as server:
        config = site_config(tmp_path, server, "xicheng", extra=f'content = "{selector}"')
        done = crawl(config, "--site", "xicheng", "--no-alerts")
        assert done.returncode == 0, done.stderr
        expected = server.fixture.expected_reports()
    stored = query(tmp_path / "nianbao.db", "select url, agency, year from reports")
    assert len(stored) == len(expected) == 3
    assert sorted(r["url"] for r in stored) == sorted(server.url(path) for path in expected)
    assert sorted(r["year"] for r in stored) == sorted(c.year for c in expected.values())
    not_found = [line for line in done.stdout.splitlines() if line.startswith("[xicheng] content area (")]
    assert len(not_found) == (0 if found else 3)
    summary = "3 pages read whole: their content area was not found"
    assert (summary in done.stdout) is not found
