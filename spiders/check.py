"""`crawl check SITE`: the portal spider on a dry run (Scrapy's `scrapy parse` is the model). It
fetches robots.txt and the list pages, decides every link as a crawl would (spiders.links) and
records it, fetches report pages only when asked to (to save them as fixtures), and yields no
item: nothing reaches a pipeline or a database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin

import scrapy
from protego import Protego
from scrapy.http import Response
from twisted.python.failure import Failure

from spiders.links import Link, LinkKind
from spiders.portal import PortalSpider
from spiders.profile import Site


@dataclass
class CheckLog:
    """What a dry run met, in the order it met it."""

    robots_url: str | None = None
    robots: str | None = None  # robots.txt's text; None: there is none (404) or it could not be had
    list_pages: dict[str, str] = field(default_factory=dict)  # url -> why it was followed
    links: dict[str, tuple[Link, str]] = field(default_factory=dict)  # url -> (decision, the list page that gave it)
    bodies: dict[str, bytes] = field(default_factory=dict)  # url -> the page as fetched (list and report pages)
    content_found: dict[str, bool] = field(default_factory=dict)  # report url -> its content area matched
    failures: dict[str, str] = field(default_factory=dict)  # url -> why it could not be fetched
    forbidden: list[str] = field(default_factory=list)  # URLs robots.txt forbids that a crawl would ask for
    probes: int = 0  # unit × year URLs a crawl would probe
    columns: dict[str, str | None] = field(
        default_factory=dict
    )  # found from the home page -> the list page it replaces

    def allowed(self, url: str, user_agent: str) -> bool:
        return self.robots is None or Protego.parse(self.robots).can_fetch(url, user_agent)


class CheckSpider(PortalSpider):
    """The site's spider, recording instead of yielding items; robots.txt is read and obeyed here
    (the check prints its verdict for each link), so Scrapy's own robots middleware is off."""

    reports_wanted = 0  # report pages to fetch (for --save)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.log = CheckLog(probes=len(list(self.probe_requests())))
        self.reports_asked = 0
        self.rules: Protego | None = None

    def start_requests(self) -> Iterator[scrapy.Request]:
        first = self.start_urls[0] if self.start_urls else self.site_profile.home
        robots = urljoin(first, "/robots.txt") if first else None
        if robots is None:
            return
        self.log.robots_url = robots
        yield scrapy.Request(robots, callback=self.parse_robots, errback=self.no_robots, dont_filter=True,
                             meta={"handle_httpstatus_list": [404, 403, 410]})  # fmt: skip

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        if response.status == 200:
            self.log.robots = response.text if hasattr(response, "text") else response.body.decode("utf-8", "replace")
        yield from self.first_requests()

    def no_robots(self, failure: Failure) -> Iterator[scrapy.Request]:
        yield from self.first_requests()

    def first_requests(self) -> Iterator[scrapy.Request]:
        yield from self.requests_for([(url, "start URL") for url in self.start_urls], start=True)
        home = self.site_profile.home
        if not self.start_urls and home:  # the home page only: the column is looked for, as a crawl does
            if self.log.allowed(home, self.robots_agent):
                yield self.discovery_request(home)
            else:
                self.log.forbidden.append(home)

    def follow(self, link: Link, depth: int = 0) -> Iterator[scrapy.Request]:
        """A report linked from a page on the way to the column: recorded, not fetched."""
        self.log.links.setdefault(link.url, (link, ""))
        return iter(())

    def list_request(self, url: str, depth: int, **meta: object) -> Iterator[scrapy.Request]:
        self.log.list_pages.setdefault(url, "report column found from the home page")
        self.log.columns = self.columns_found
        yield from super().list_request(url, depth, **meta)

    def requests_for(self, lists: list[tuple[str, str]], start: bool = False) -> Iterator[scrapy.Request]:
        for url, why in lists:
            if url in self.log.list_pages or url in self.log.failures:
                continue
            if not self.log.allowed(url, self.robots_agent):
                self.log.forbidden.append(url)
                continue
            self.log.list_pages[url] = why
            yield scrapy.Request(
                url, callback=self.parse_list, errback=self.failed, meta={"list": True, "start": start}
            )

    @property
    def robots_agent(self) -> str:
        return self.crawler.settings.get("USER_AGENT", "")

    def parse_home(self, response: Response) -> Iterator[scrapy.Request]:
        self.log.bodies[response.url] = response.body
        yield from super().parse_home(response)

    def parse_list(self, response: Response) -> Iterator[scrapy.Request]:
        self.log.bodies[response.url] = response.body
        if not hasattr(response, "xpath"):
            return
        further = []
        for link in self.link_rules.read(response):
            self.log.links.setdefault(link.url, (link, response.url))
            if link.kind == LinkKind.LIST:
                further.append((link.url, link.why))
            elif link.kind == LinkKind.REPORT and not self.log.allowed(link.url, self.robots_agent):
                self.log.forbidden.append(link.url)
            elif link.kind == LinkKind.REPORT and self.reports_asked < self.reports_wanted:
                self.reports_asked += 1
                yield scrapy.Request(link.url, callback=self.parse_report, errback=self.failed)
        yield from self.requests_for(further)

    def parse_report(self, response: Response) -> Iterator[None]:
        self.log.bodies[response.url] = response.body
        if self.content_xpath and hasattr(response, "xpath"):
            self.log.content_found[response.url] = bool(response.xpath(self.content_xpath))
        return iter(())

    def failed(self, failure: Failure) -> Iterator[None]:
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else None
        why = f"HTTP {status}" if status else f"{failure.type.__name__}: {failure.getErrorMessage()}"[:300]
        self.log.failures[failure.request.url] = why
        self.log.list_pages.pop(failure.request.url, None)
        if failure.request.meta.get("start") and status in (404, 410):  # moved? look from the home page
            again = self.discovery_request(self.home_of(failure.request.url), moved_from=failure.request.url)
            return iter([again] if again is not None else [])
        return iter(())


def check_spider_for(site: Site, reports: int = 0) -> type[CheckSpider]:
    return type(f"{site.key.title()}Check", (CheckSpider,), {"name": site.key, "site_profile": site,
                                                           "reports_wanted": reports})  # fmt: skip
