"""A site profile: what the spiders know of one portal (a [sites.NAME] block of config.toml).

The crawler's config module builds it from config.toml; the spiders take it without knowing
where it came from, so spiders/ imports nothing of crawler/.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parsers.html import css_to_xpath


@dataclass
class Site:
    key: str
    name: str
    start_urls: list[str]
    allowed_domains: list[str]
    # The portal's home page (or its 政府信息公开 page): where the report column is looked for
    # when no start URL is given or a start URL no longer lists reports (spiders.discovery).
    home: str | None = None
    report_patterns: list[str] = field(default_factory=list)
    list_patterns: list[str] = field(default_factory=list)
    probe_url: str | None = None  # e.g. ".../pnidpv{unit}pntypepvnbpnnfpv{year}.html"
    probe_units: list[int] = field(default_factory=list)
    probe_first_year: int = 2019
    recipients: list[str] = field(default_factory=list)
    cron: str | None = None
    interval_hours: float | None = None
    # CSS selector of the report page's content area (e.g. "div.TRS_Editor"); content_xpath is
    # the same translated once here, for the parser (ValueError if it is not a selector).
    content: str | None = None
    content_xpath: str | None = field(default=None, init=False)
    # A regex whose first group is the year a report page's URL files it under ("pnnfpv(\d{4})").
    url_year: str | None = None
    # The crawl limits this site sets over [crawl]'s (spiders.limits.CrawlLimits: max_list_pages …).
    limits: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.content_xpath = css_to_xpath(self.content) if self.content is not None else None
