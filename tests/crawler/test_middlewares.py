"""The meta-refresh middleware on its own (the conditional requests are tested by re-crawls, in tests/spiders)."""

from __future__ import annotations

from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.middlewares import MetaRefresh

REFRESH = '<meta http-equiv="Refresh" content="0; url=/zfxxgk/nb2024/index.html">'


def page(head: str, body: str = "<p>正文</p>", encoding: str = "utf-8", filler: int = 0) -> HtmlResponse:
    html = f"<html><head>{head}</head><body>{'<p>段落</p>' * filler}{body}</body></html>"
    return HtmlResponse(
        "https://www.bjxch.gov.cn/a.html",
        body=html.encode(encoding),
        headers={"Content-Type": f"text/html; charset={encoding}"},
        request=Request("https://www.bjxch.gov.cn/a.html"),
    )


def middleware() -> MetaRefresh:
    return MetaRefresh.from_crawler(get_crawler(settings_dict={"METAREFRESH_IGNORE_TAGS": []}))


def test_a_meta_refresh_is_followed() -> None:
    for encoding in ("utf-8", "gb18030", "utf-16"):
        response = page(REFRESH, encoding=encoding)
        result = middleware().process_response(response.request, response)
        assert isinstance(result, Request), encoding
        assert result.url == "https://www.bjxch.gov.cn/zfxxgk/nb2024/index.html"


def test_a_page_without_one_is_not_decoded() -> None:
    response = page('<meta charset="utf-8">', filler=3000)
    assert middleware().process_response(response.request, response) is response
    assert getattr(response, "_cached_ubody", None) is None  # the body was never decoded


def test_the_same_4096_characters_as_scrapy_are_read() -> None:
    # Scrapy honours a refresh within the page's first 4096 characters, which in Chinese text are
    # more bytes than that: at character ~3,800 (byte ~5,500) it is followed; at ~4,350 it is not.
    near = page("", body=REFRESH, filler=420)
    assert isinstance(middleware().process_response(near.request, near), Request)
    far = page("", body=REFRESH, filler=480)
    assert middleware().process_response(far.request, far) is far
    late = page("", body=REFRESH, filler=2000)  # past the bytes the check reads: not even decoded
    assert middleware().process_response(late.request, late) is late


def test_a_utf16_page_without_bom_starting_with_chinese_text() -> None:
    body = '年报年报<html><head><meta http-equiv="refresh" content="0; url=/b.html"></head></html>'
    response = HtmlResponse("https://www.bjxch.gov.cn/a.html", body=body.encode("utf-16-le"),
                            headers={"Content-Type": "text/html; charset=utf-16-le"},
                            request=Request("https://www.bjxch.gov.cn/a.html"))  # fmt: skip
    result = middleware().process_response(response.request, response)
    assert isinstance(result, Request) and result.url == "https://www.bjxch.gov.cn/b.html"
