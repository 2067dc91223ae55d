"""Downloader middlewares on their own: the meta-refresh check and the conditional requests."""

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


def test_a_refresh_past_4096_characters_is_not_honoured_as_in_scrapy() -> None:
    # Scrapy reads only the first 4096 characters: a refresh later on is no redirect, with or without the check.
    late = page("", body=REFRESH, filler=2000)
    assert middleware().process_response(late.request, late) is late
