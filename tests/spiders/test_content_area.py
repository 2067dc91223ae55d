"""The site's content area travels with each report page, translated once, to the parser."""

from __future__ import annotations

from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.config import Site
from parsers.html import css_to_xpath
from parsers.load import parse_bytes
from spiders.sites import spider_for
from tests.test_content_area import sidebar_page

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
