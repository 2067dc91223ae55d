"""What the portal spider makes of a list page's links: a report, a report published as a file, a
further list page, or a link not followed and why. The crawl follows these decisions; `crawl check`
prints them.

Report links are recognised by their text and URL (a year plus 年度报告/年报, or the site's report
URL patterns, or the usual slugs), never only by a CSS path, so a redesigned list page does not
silently lose reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

from scrapy.http import Response

from parsers.extract import NOT_REPORT_TITLE
from spiders.pagination import script_pages
from spiders.urls import ATTACHMENT, link_refused

REPORT_TEXT = re.compile(r"(?:19|20)\d{2}\s*年.{0,60}?(?:年度报告|年报|信息公开工作报告)")
REPORT_SLUGS = re.compile(r"zfxxgkndbg|xxgknb|gknb|ndbg", re.I)
PAGINATION_TEXT = re.compile(r"^(下一页|下页|后页|尾页|末页|\d{1,3}|>|»)$")
PAGINATION_URL = re.compile(r"(index|list)?_\d+\.s?html?$|[?&](page|p|pageNo)=\d+")
# On a report column's page: a per-year sub-column ("2024年", "2024年度") or a column named as one.
SUB_COLUMN_TEXT = re.compile(r"^(19|20)\d{2}年?度?$|信息公开(工作)?年(度报告|报)|公开年报")
SCRIPT_URL = re.compile(r"""["']((?:https?:)?/?[\w./-]+\.s?html?)["']""")
# Older TRS lists (海淀) write each row from script with its link in a variable, extension or not.
STR_LINK = re.compile(r"""strLink\s*=\s*["']([^"'\s]+)["']""")


class LinkKind(StrEnum):
    REPORT = "report"  # a report page: fetched and parsed
    FILE_REPORT = "file_report"  # a report listed as its PDF/Word file: fetched, read by its bytes
    LIST = "list"  # a further list page (pagination, a sub-column): followed
    SKIPPED = "skipped"  # not followed (why says why)


@dataclass(frozen=True)
class Link:
    url: str
    text: str
    kind: LinkKind
    why: str  # the rule that decided


def names_report(text: str) -> bool:
    """Link text that names an annual report (a year and 年度报告/年报), not a 解读 or notice of one."""
    text = re.sub(r"\s+", "", text)
    return bool(REPORT_TEXT.search(text)) and not NOT_REPORT_TITLE.search(text)


_YEAR_IN_URL = re.compile(r"(19|20)\d{2}")


def _after_host(url: str) -> str:
    """The URL's path and query: a year is not looked for in its host and port (127.0.0.1:42081)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def match_any(patterns: list[re.Pattern[str]], url: str) -> bool:
    path = urlsplit(url).path
    return any(p.search(path) for p in patterns)


@dataclass
class LinkRules:
    """A site's rules for links: its hosts and its report and list URL patterns."""

    allowed_domains: list[str]
    report_patterns: list[re.Pattern[str]]
    list_patterns: list[re.Pattern[str]]
    # Paths of the report columns found from the home page (spiders.discovery): pages under them,
    # and year or column-named links on them, are list pages.
    column_prefixes: list[str] = field(default_factory=list)
    # The ports of its start URLs (spiders.urls.start_ports): another port of an allowed host is not
    # followed. Empty: any port.
    ports: set[int | None] = field(default_factory=set)

    def read(self, response: Response) -> Iterator[Link]:
        """Every <a href> and URL in script text of a list page, each with what the crawl does with it."""
        paged = match_any(self.list_patterns, response.url)  # a list page: its page-2 links are pages too
        in_column = self.in_column(response.url)
        scripts = response.xpath("//script/text()").getall()
        for href in script_pages("\n".join(scripts), response.url):  # list pages by construction
            url = response.urljoin(href)
            if link_refused(url, self.allowed_domains, self.ports) is None:
                yield Link(url, "", LinkKind.LIST, "pagination script")
        for href, text in _links(response, scripts):
            url = response.urljoin(href)  # honours the page's <base href>
            yield Link(url, text, *self.decide(url, text, paged or in_column, in_column))

    def in_column(self, url: str) -> bool:
        path = urlsplit(url).path
        return any(path.startswith(prefix) for prefix in self.column_prefixes)

    def decide(self, url: str, text: str, paged: bool, in_column: bool = False) -> tuple[LinkKind, str]:
        if "/gate/big5/" in url:
            return LinkKind.SKIPPED, "a Big5 copy"
        if not url.startswith(("http://", "https://")):
            return LinkKind.SKIPPED, "not a web page"
        offsite = link_refused(url, self.allowed_domains, self.ports)
        if offsite:
            return LinkKind.SKIPPED, offsite
        if ATTACHMENT.search(urlsplit(url).path):  # a file: fetched only when it names a report
            if names_report(text):
                return LinkKind.FILE_REPORT, "a report published as a file"
            return LinkKind.SKIPPED, "a file, not named as a report"
        if match_any(self.report_patterns, url):
            return LinkKind.REPORT, "report_patterns"
        if not match_any(self.list_patterns, url):
            if names_report(text):
                return LinkKind.REPORT, "link text names a report"
            if self.in_column(url):  # under a report column found from the home page, not named as a report
                return LinkKind.LIST, "inside the report column"
            if REPORT_SLUGS.search(url) and _YEAR_IN_URL.search(_after_host(url)) and text:
                return LinkKind.REPORT, "report slug and year in the URL"
        if match_any(self.list_patterns, url):
            return LinkKind.LIST, "list_patterns"
        if PAGINATION_TEXT.match(text):
            return LinkKind.LIST, "pagination link text"
        if paged and PAGINATION_URL.search(url):
            return LinkKind.LIST, "pagination URL"
        if REPORT_TEXT.search(re.sub(r"\s+", "", text)):
            return LinkKind.SKIPPED, "names a report but is a 解读 or notice"
        if self.in_column(url):
            return LinkKind.LIST, "inside the report column"
        if in_column and SUB_COLUMN_TEXT.search(re.sub(r"\s+", "", text)):
            return LinkKind.LIST, "a year or unit column of the report column"
        return LinkKind.SKIPPED, "neither a report nor a list page"


def _links(response: Response, scripts: list[str]) -> Iterator[tuple[str, str]]:
    # lxml directly: a Selector for each link costs more than the rest of reading a list page.
    for a in response.selector.root.iter("a"):
        href = a.get("href")
        if href is None:
            continue
        text = " ".join(t for t in a.itertext(with_tail=True) if isinstance(t, str)).strip()
        title = (a.get("title") or "").strip()
        yield href.strip(), (title if len(title) > len(text) else text)
    for script in scripts:
        for m in SCRIPT_URL.finditer(script):
            yield m.group(1), ""
        for m in STR_LINK.finditer(script):
            yield m.group(1), ""
