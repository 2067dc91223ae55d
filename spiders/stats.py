"""The Scrapy stats keys nianbao's spider, middlewares and pipeline share: one name each, so a
reader of a key finds every writer (and a typo is an ImportError, not a silent 0)."""

from __future__ import annotations

BUSY = "nianbao/busy"  # why the site is not crawled: another live process crawls it (the spider requests nothing)
RUN_STATUS = "nianbao/run_status"  # the run's status once written (a RunStatus); `scrapy crawl` exits 1 on busy/failed
LIST_PAGES = "nianbao/list_pages"  # list pages fetched
LIST_FAILURES = "nianbao/list_failures"  # list pages that could not be fetched
REPORT_LINKS = "nianbao/report_links"  # links to reports found on the list pages
OFFSITE_REDIRECTS = "nianbao/offsite_redirects"  # redirects off allowed_domains, dropped
LIMIT = "nianbao/limit"  # the limit that stopped the crawl, as the run's error (spiders.limits.message)
ROBOTS_FORBIDDEN = "nianbao/robots_forbidden"  # list pages (or the home page) robots.txt forbids
