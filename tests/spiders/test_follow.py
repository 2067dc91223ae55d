"""The spider asks for each page once: a report or list page that list pages link again and again
is not yielded again (the duplicate filter would drop it, after its trip through the spider
middlewares and the scheduler)."""

from __future__ import annotations

from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from spiders.portal import PortalSpider
from spiders.profile import Site
from spiders.sites import spider_for
from spiders.stats import REPORT_LINKS

SITE = Site(key="xicheng", name="西城", start_urls=["https://www.bjxch.gov.cn/zt/xxgkzl/zfxxgknb.html"],
            allowed_domains=["bjxch.gov.cn"])  # fmt: skip
REPORT = "/zt/xxgkzl/gknbxq/pnidpv1pntypepvnbpnnfpv2020.html"
TITLE = "北京市西城区人民政府2020年政府信息公开工作年度报告"


def spider() -> PortalSpider:
    cls = spider_for(SITE)
    portal = cls.from_crawler(get_crawler(cls))
    list(portal.start_requests())  # the crawl's budget, as a crawl starts
    return portal


def listing(url: str, *links: str) -> HtmlResponse:
    return HtmlResponse(f"https://www.bjxch.gov.cn{url}", body="".join(links).encode(), encoding="utf-8")


def test_pages_linked_again_are_asked_for_once() -> None:
    portal = spider()
    report = f'<a href="{REPORT}">{TITLE}</a>'
    files = '<a href="/zt/xxgkzl/files/P2021.pdf">北京市西城区人民政府2021年政府信息公开工作年度报告</a>'
    pages = '<a href="/zt/xxgkzl/zfxxgknb_2.html">2</a><a href="/zt/xxgkzl/zfxxgknb_3.html">下一页</a>'
    first = list(portal.parse_list(listing("/zt/xxgkzl/zfxxgknb.html", report, report, files, pages, pages)))
    assert sorted(r.url.rsplit("/", 1)[-1] for r in first) == [
        "P2021.pdf", "pnidpv1pntypepvnbpnnfpv2020.html", "zfxxgknb_2.html", "zfxxgknb_3.html",
    ]  # fmt: skip
    # The next list page links the same report, file and pages again (and the first list page): nothing new.
    again = '<a href="/zt/xxgkzl/zfxxgknb.html">1</a>'
    assert list(portal.parse_list(listing("/zt/xxgkzl/zfxxgknb_2.html", report, files, pages, again))) == []
    assert portal.crawler.stats.get_value(REPORT_LINKS) == 2  # found once each
    # A report asked for first by a probe is not asked for again when a list links it.
    probe = "/zt/xxgkzl/gknbxq/pnidpv2pntypepvnbpnnfpv2020.html"
    assert len(list(portal.report_request(f"https://www.bjxch.gov.cn{probe}", probe=True))) == 1
    assert list(portal.parse_list(listing("/zt/xxgkzl/zfxxgknb_3.html", f'<a href="{probe}">{TITLE}</a>'))) == []
