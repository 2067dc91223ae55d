"""A real database for the web view's tests: the Xicheng fixture portal crawled with `crawl`
(`crawl --site xicheng`, then again after report 002 was revised), served by Datasette with
this repository's plugin (web/)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from fixture_portal import PortalServer, html, xicheng_site
from fixture_portal.pages import xicheng_detail
from tests.spiders.crawling import crawl, site_config

datasette_app = pytest.importorskip("datasette.app")
REVISION = "本报告于2025年2月修订。"


@pytest.fixture(scope="session")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """nianbao.db after two crawls of the fixture portal (the second finds 002 revised)."""
    folder = tmp_path_factory.mktemp("web")
    site = xicheng_site(traps=False, n_synthetic=4)
    with PortalServer(site) as server:
        config = site_config(folder, server, "xicheng", 'recipients = ["office@example.org"]')
        first = crawl(config, "--site", "xicheng", "--no-alerts")
        assert first.returncode == 0, first.stderr
        path = next(p for p, c in site.reports.items() if c.seed == "002")
        content = site.reports[path]
        server.set_page(path, html(xicheng_detail(replace(content, problems=[*content.problems, REVISION]))))
        second = crawl(config, "--site", "xicheng", "--full", "--no-alerts")
        assert second.returncode == 0, second.stderr
    return folder / "nianbao.db"


def datasette(db: Path, metadata: dict | None = None):
    """Datasette over the database with the nianbao plugin, as `crawl browse` serves it."""
    from datasette.plugins import pm

    import web

    if not any(getattr(p, "__name__", "") == "web" for p in pm.get_plugins()):
        pm.register(web, name="nianbao")  # where the entry point was not loaded (not installed)
    return datasette_app.Datasette([str(db)], metadata=metadata)
