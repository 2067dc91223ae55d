"""The one item every spider yields: a report page as fetched (or why it could not be)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from common.constants import PageStatus


@dataclass
class PageImage:
    """One image of a 图片版 report page as the crawl asked for it: its bytes (None: unchanged, a 304
    or checked within recheck_hours), its validators for the next conditional request, and what
    the store had recorded of it (crawler.middlewares.ConditionalRequests)."""

    url: str
    body: bytes | None
    http_status: int | None = None  # None: not asked for (checked within recheck_hours)
    etag: str | None = None
    last_modified: str | None = None
    stored_status: str | None = None


@dataclass
class ReportPage:
    site: str
    url: str
    status: PageStatus  # FETCHED, NOT_MODIFIED, RECENTLY_CHECKED or a stored status (FAILED, DROPPED, …)
    http_status: int | None = None
    body: bytes = b""
    encoding: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    probe: bool = False  # a guessed URL (unit × year), not a link: a miss is "not published"
    content: str | None = None  # the site's content-area XPath (Site.content_xpath), for the parser
    url_year: int | None = None  # the year the URL files the report under (Site.url_year), if it says
    link_title: str | None = None  # the list page's text for the link (its title attribute if longer)
    file: bool = False  # a report's file (PDF, Word, …) rather than a page: its bytes say which (parse worker)
    linked_from: str | None = None  # the report page whose attachment this file is (None: a list's link)
    stored_status: str | None = None  # NOT_MODIFIED / RECENTLY_CHECKED: what the page was (stored, not_report)
    # Filled in by the pipeline stages:
    parsed: Any = None  # crawler.parse_worker.ParsedPage
    agency: str | None = None  # of a report published as images or a file only (attachment_only)
    year: int | None = None
    files: list[str] = field(default_factory=list)  # attachments of an attachment_only page, asked for next
    images: list[PageImage] = field(default_factory=list)  # a 图片版 page's page images, for OCR
    report: dict[str, Any] | None = None  # the report's JSON form, for a feed export (`scrapy crawl -O`) only


@dataclass
class ColumnFound:
    """A report column the spider found from the home page: `moved_from` is the configured list
    page it replaces (which answered 404 or listed no report), None when none was configured."""

    site: str
    url: str
    moved_from: str | None = None
