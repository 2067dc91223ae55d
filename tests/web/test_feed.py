"""The Atom feed (issue 11, item 3): datasette-atom renders the `feed` query the plugin adds (web/feed.py),
overall and per site, with an entry for each new report, each revision and each inconsistent report."""

from __future__ import annotations

import asyncio
from pathlib import Path

import lxml.etree
import pytest

from tests.web.conftest import datasette

pytest.importorskip("datasette_atom")
ATOM = "{http://www.w3.org/2005/Atom}"


def feed(db: Path, query: str) -> lxml.etree._Element:
    ds = datasette(db)
    response = asyncio.run(ds.client.get(f"/nianbao/feed.atom{query}"))
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("application/xml")
    return lxml.etree.fromstring(response.content)


def test_the_feed_has_new_revised_and_inconsistent_reports(crawled: Path) -> None:
    root = feed(crawled, "?site=xicheng")
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert any(t.startswith("新发布：") for t in titles)
    assert any(t.startswith("已修订：") for t in titles)
    assert "数据不一致：北京市西城区人民政府 2020年度（4 个错误）" in titles
    links = [e.find(f"{ATOM}link").get("href") for e in root.iter(f"{ATOM}entry")]
    assert all(link.startswith("/-/report/") for link in links)
    ids = [e.findtext(f"{ATOM}id") for e in root.iter(f"{ATOM}entry")]
    assert len(ids) == len(set(ids))  # an entry is one event: a feed reader shows it once


def test_the_feed_of_every_site_and_of_an_unknown_one(crawled: Path) -> None:
    every = feed(crawled, "?site=")
    assert len(list(every.iter(f"{ATOM}entry"))) == len(list(feed(crawled, "?site=xicheng").iter(f"{ATOM}entry")))
