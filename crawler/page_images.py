"""Report pages published as images of their pages (图片版) in a crawl: which images of a page are
the report's, and asking for them when OCR is on (the spider fetches them one after another, as
politely as report files: allowed hosts, the files' size cap, retries; the parse worker then reads
them by OCR, each page within ocr_page_seconds, and the report is stored under the page's URL).
With OCR off, or not installed, the page stays attachment_only with the reason."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from parsers import ocr
from parsers.errors import MissingTool

if TYPE_CHECKING:
    from spiders.items import ReportPage

_IMG = re.compile(rb"""<img\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)""", re.I)
# Pictures every page of a portal shows: its logo, icons, buttons, QR codes (二维码: ewm).
_CHROME = re.compile(rb"logo|icon|banner|button|btn|nav|search|qr|ewm|header|footer|top|bottom|bg", re.I)
MAX_IMAGES = 60  # pages of a report shown as images; more is no report page


def page_images(body: bytes) -> list[bytes]:
    """The images of a page other than the portal's own chrome: a report published as scanned
    pages shows several (only pages whose title names a report get here, so this is rare)."""
    return [src for src in _IMG.findall(body) if not _CHROME.search(src)]


def image_urls(page_url: str, body: bytes) -> list[str]:
    """The absolute URLs of a report page's page images, in the page's order, once each."""
    found = []
    for src in page_images(body):
        url = urljoin(page_url, src.decode("utf-8", "replace").strip())
        if urlsplit(url).scheme in ("http", "https"):
            found.append(url)
    return list(dict.fromkeys(found))[:MAX_IMAGES]


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
