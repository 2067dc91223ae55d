"""Fixture portals on 127.0.0.1 for the crawl tests, `crawl --demo` and the crawl benchmark.

    from fixture_portal import PortalServer, xicheng_site
    with PortalServer(xicheng_site()) as portal:
        start = portal.url("/zt/xxgkzl/zfxxgknb.html")

content.py (seed and synthetic report content), pages.py (HTML as the portals serve it),
sites.py (the fixture sites), server.py (the HTTP server). No import from tests/.
"""

from fixture_portal.content import ReportContent, seed_report, synthetic_reports
from fixture_portal.server import (
    LoggedRequest,
    Page,
    PortalServer,
    binary,
    error,
    flaky,
    hang,
    html,
    not_found,
    redirect,
    robots,
    text,
)
from fixture_portal.sites import Site, demo_site, dongcheng_site, xicheng_site

__all__ = [
    "LoggedRequest",
    "Page",
    "PortalServer",
    "ReportContent",
    "Site",
    "binary",
    "demo_site",
    "dongcheng_site",
    "error",
    "flaky",
    "hang",
    "html",
    "not_found",
    "redirect",
    "robots",
    "seed_report",
    "synthetic_reports",
    "text",
    "xicheng_site",
]
