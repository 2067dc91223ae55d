"""Report pages published as images of their pages (图片版) in a crawl: the URLs of the images of a
page that are the report's (which those are: parsers.page_images), and asking for them when OCR is on (the spider fetches them one after another, as
politely as report files: allowed hosts, the files' size cap, retries; the parse worker then reads
them by OCR, each page within ocr_page_seconds, and the report is stored under the page's URL).
With OCR off, or not installed, the page stays attachment_only with the reason."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from parsers import ocr
from parsers.errors import MissingTool
from parsers.page_images import image_sources, page_images

__all__ = ["fetch_images", "image_urls", "page_images"]

if TYPE_CHECKING:
    from spiders.items import ReportPage


def image_urls(page_url: str, body: bytes) -> list[str]:
    """The absolute URLs of a report page's page images, in the page's order, once each."""
    found = []
    for src in image_sources(body):
        url = urljoin(page_url, src)
        if urlsplit(url).scheme in ("http", "https"):
            found.append(url)
    return list(dict.fromkeys(found))


def fetch_images(item: ReportPage, options: ocr.OcrOptions, crawler: Any) -> None:
    """For a report page that shows its report as images (and links no file of it): ask for them
    through the spider (spiders.portal image_request) when OCR is on; else say why it is not read."""
    urls = image_urls(item.url, item.body)
    if len(urls) < 2:  # not page images: the page said what it lacks
        return
    try:
        ocr.require(options, f"{len(urls)} page images (图片版)")
    except MissingTool as exc:
        item.error = str(exc)
        return
    spider = getattr(crawler, "spider", None) if crawler else None
    request = getattr(spider, "image_request", None)
    first = request(item, urls) if request else None
    if first is not None:
        crawler.engine.crawl(first)
        item.files = urls  # the report is read from them; what becomes of them counts it
