"""Fixture portals for the crawl tests: a thin layer over crawler.demo_portal.

tests.portal.server: PortalServer, the Page constructors, `portal(site)` (a context manager)
and the pytest fixtures `xicheng_portal` / `dongcheng_portal`. tests.portal.pages: the page
generator and the fixture sites (`xicheng_site()`, `dongcheng_site()`, `demo_site()`).
"""
