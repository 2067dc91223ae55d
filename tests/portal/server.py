"""The fixture HTTP server for tests (crawler.demo_portal.server) and ready-made pytest fixtures.

One site per server: a test points a site profile at `server.url(site.start_path)` with
allowed_domains ["127.0.0.1"]; `server.fixture` is the Site (its traps, reports, expected).
Use the context manager in a test or a module fixture::

    with portal(xicheng_site()) as server:
        start = server.url(server.fixture.start_path)
        ...
        assert server.hits(server.fixture.traps["robots_disallowed"]) == 0

or the fixtures below, made visible by importing them in a conftest.py
(`from tests.portal.server import xicheng_portal, dongcheng_portal  # noqa: F401`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import pytest

from crawler.demo_portal.server import (
    BASE_TOKEN,
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
from crawler.demo_portal.sites import Site, dongcheng_site, xicheng_site

__all__ = [
    "BASE_TOKEN",
    "LoggedRequest",
    "Page",
    "PortalServer",
    "binary",
    "dongcheng_portal",
    "error",
    "flaky",
    "hang",
    "html",
    "not_found",
    "portal",
    "redirect",
    "robots",
    "text",
    "xicheng_portal",
]


@contextmanager
def portal(site: Mapping[str, Page], **kw: object) -> Iterator[PortalServer]:
    """A running PortalServer for `site`; `server.fixture` is the site (its traps, reports …)."""
    with PortalServer(site, **kw) as server:  # type: ignore[arg-type]
        yield server


@pytest.fixture
def xicheng_portal() -> Iterator[PortalServer]:
    """xicheng_site() served on 127.0.0.1:<port>; `.fixture` is the Site."""
    site: Site = xicheng_site()
    with portal(site) as server:
        yield server


@pytest.fixture
def dongcheng_portal() -> Iterator[PortalServer]:
    """dongcheng_site() served on 127.0.0.1:<port>; `.fixture` is the Site."""
    site: Site = dongcheng_site()
    with portal(site) as server:
        yield server
