"""The spider's errback tells deliberate drops (spiders.errors) by class, and one host test
serves the spider's link filter and the off-site redirect middleware."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.middlewares import OffsiteRedirects
from spiders.errors import OffsiteRedirect, RecentlyChecked
from spiders.portal import PortalSpider
from spiders.profile import Site
from spiders.sites import spider_for
from spiders.urls import host_allowed

SITE = Site(key="xicheng", name="西城", start_urls=["https://www.bjxch.gov.cn/"], allowed_domains=["bjxch.gov.cn"])


def spider() -> PortalSpider:
    cls = spider_for(SITE)
    return cls.from_crawler(get_crawler(cls))


def errback(exc: Exception, **meta) -> list:
    failure = Failure(exc)
    failure.request = Request("https://www.bjxch.gov.cn/r.html", meta=meta)
    return list(spider().failed(failure))


class _LooksLikeARedirect(IgnoreRequest):
    target = "https://elsewhere.example/"


def test_errback_tells_drops_by_class() -> None:
    assert [p.status for p in errback(RecentlyChecked("checked at ..."), report=True)] == ["recently_checked"]
    dropped = errback(OffsiteRedirect("https://www.bjxch.gov.cn/r.html", "https://evil.example/"), report=True)
    assert [(p.status, p.error) for p in dropped] == [("dropped", "redirect off site to https://evil.example/")]
    # Neither an attribute called target nor a class called RecentlyChecked makes a drop.
    assert [p.status for p in errback(_LooksLikeARedirect("no"), report=True)] == ["failed"]
    other = type("RecentlyChecked", (IgnoreRequest,), {})
    assert [p.status for p in errback(other("no"), report=True)] == ["failed"]


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://bjxch.gov.cn/a", True),
        ("https://www.bjxch.gov.cn/a", True),
        ("https://WWW.BJXCH.GOV.CN:8443/a", True),
        ("https://evilbjxch.gov.cn/a", False),
        ("https://bjxch.gov.cn.evil.example/a", False),
        ("mailto:office@bjxch.gov.cn", False),
        ("http://[::1/a", False),  # malformed: on no host
    ],
)
def test_host_allowed(url: str, allowed: bool) -> None:
    assert host_allowed(url, ["bjxch.gov.cn"]) is allowed
    assert host_allowed(url, ["BJXCH.gov.cn"]) is allowed


def test_the_redirect_middleware_uses_the_same_test() -> None:
    portal = spider()
    request = Request("https://www.bjxch.gov.cn/r.html")
    portal.crawler.spider = portal  # what the engine sets when the crawl starts
    middleware = OffsiteRedirects.from_crawler(portal.crawler)
    inside = Response(request.url, status=302, headers={"Location": "https://sub.bjxch.gov.cn/x"}, request=request)
    # As Scrapy calls it: without the spider (>= 2.13 passes none to a defaulted parameter).
    assert middleware.process_response(request, inside) is inside
    outside = Response(request.url, status=302, headers={"Location": "https://evilbjxch.gov.cn/x"}, request=request)
    with pytest.raises(OffsiteRedirect) as info:
        middleware.process_response(request, outside)
    assert info.value.target == "https://evilbjxch.gov.cn/x"
    assert portal.crawler.stats.get_value("nianbao/offsite_redirects") == 1


def test_pages_written_by_a_trs_pagination_script() -> None:
    from spiders.portal import script_pages

    assert script_pages('createPageHTML(4, 0, "index", "html");') == ["index_1.html", "index_2.html", "index_3.html"]
    # Variables, the current page left out, other names and extensions (Haidian: index_bm_1.shtml).
    script = "var countPage = 3//共多少页\nvar currentPage = 1;\ncreatePageHTML(countPage, currentPage, 'index_bm', 'shtml');"
    assert script_pages(script) == ["index_bm_2.shtml"]
    assert script_pages("createPageHTML(1, 0, 'index', 'html')") == []  # one page: nothing more
    assert script_pages("createPageHTML(pages, 0, 'index', 'html')") == []  # a count it cannot read
    assert len(script_pages("createPageHTML(999999, 0, 'index', 'html')")) == 499  # a broken count is capped
    # Odd scripts never raise: a count in other digits, or too long, is no count.
    for count in ("²", "9" * 5000):
        assert (
            script_pages(
                f"var c = {count}; createPageHTML({count}, 0, 'index', 'html'); createPageHTML(c, 0, 'a', 'html')"
            )
            == []
        )
    # A leading element id (another TRS version); let/const and lists of declarations; a quoted count.
    assert script_pages("createPageHTML('page_div', 3, 0, 'index', 'html', 93);") == ["index_1.html", "index_2.html"]
    assert script_pages(
        "let currentPage = 1, countPage = '3'; createPageHTML(countPage, currentPage, 'list', 'shtml')"
    ) == ["list_2.shtml"]
    # The older template: only countPage, links written from nextPage; pages named as this one is.
    old = 'var countPage = 3//共多少页\nvar currentPage = 0;\nvar nextPage = currentPage + 1;\n' \
          'document.write("<a href=\\"index_" + nextPage + "." + "html\\">下一页</a>");'  # fmt: skip
    assert script_pages(old, "https://www.bjdch.gov.cn/zfxxgkzl/zfxxgknb/2024nb/dcqzf2024/") == [
        "index_1.html",
        "index_2.html",
    ]
    assert script_pages(old.replace("currentPage = 0", "currentPage = 1"), "https://h.gov.cn/a/index_bm_1.shtml") == [
        "index_bm_2.shtml"
    ]
    assert script_pages(old, "https://h.gov.cn/a/list") == []  # a page named otherwise: no guess
    assert script_pages("if (countPage == 1) { }") == []
    # Two lists on one page, each with its own countPage: each call reads the value set before it.
    two = "var countPage = 2; createPageHTML(countPage, 0, 'index', 'html'); var countPage = 3; createPageHTML(countPage, 0, 'more', 'html');"
    assert script_pages(two) == ["index_1.html", "more_1.html", "more_2.html"]


def test_the_link_title_travels_with_the_report_request() -> None:
    from scrapy.http import HtmlResponse

    portal = spider()
    title = "北京市西城区人民政府2020年政府信息公开工作年度报告"
    listing = HtmlResponse(
        "https://www.bjxch.gov.cn/zt/xxgkzl/zfxxgknb.html",
        body=f'<a href="/zt/xxgkzl/gknbxq/pnidpv1pntypepvnbpnnfpv2020.html" title="{title}">北京市西城区…</a>'.encode(),
        encoding="utf-8",
    )
    (request,) = list(portal.parse_list(listing))
    assert request.meta["link_title"] == title
    page = HtmlResponse(request.url, body=b"<html></html>", encoding="utf-8", request=request)
    (item,) = list(portal.parse_report(page))
    assert item.link_title == title
