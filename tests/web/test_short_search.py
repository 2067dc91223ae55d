"""A query of one or two characters (the trigram index needs three): the texts are read newest stored
first, a page of hits stops the walk, and the count stops at a cap or after the newest reports of a
window; the page says which, so what it says is true."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from urllib.parse import quote

import lxml.html
import sqlite_utils

from storage.search import TextIndex
from tests.web.conftest import datasette

WORD = "复议"


def holding(db: Path, word: str) -> tuple[list[int], list[int]]:
    """Every report id, newest first, and those whose text holds `word`, read plainly."""
    conn = sqlite3.connect(db)
    ids = [r[0] for r in conn.execute("select id from reports order by id desc")]
    hits = [r[0] for r in conn.execute("select report_id from report_text where instr(text, ?) > 0 "
                                       "order by report_id desc", [word])]  # fmt: skip
    conn.close()
    return ids, hits


def test_a_short_query_counts_within_its_window_and_cap(crawled: Path) -> None:
    ids, hits = holding(crawled, WORD)
    assert len(ids) > 3 and len(hits) > 2
    conn = sqlite3.connect(crawled)
    index = TextIndex(sqlite_utils.Database(conn), readonly=True)
    whole = index.tally(WORD)
    assert (whole.count, whole.at_least, whole.complete) == (len(hits), False, True)
    newest = ids[:3]  # a window of the 3 newest stored reports
    window = index.tally(WORD, window=3)
    expected = [i for i in hits if i in newest]
    assert (window.count, window.examined, window.of, window.complete) == (len(expected), 3, len(ids), False)
    assert [r["id"] for r in index.search(WORD, newest=3, refresh=False)] == expected
    capped = index.tally(WORD, cap=2)
    assert (capped.count, capped.at_least) == (2, True)
    assert [r["id"] for r in index.search(WORD, limit=2, refresh=False)] == hits[:2]  # newest stored first
    assert index.tally("¤").count == 0 and index.search("¤", refresh=False) == []
    conn.close()


def test_the_search_page_says_how_a_short_query_was_counted(crawled: Path) -> None:
    _, hits = holding(crawled, WORD)
    response = asyncio.run(datasette(crawled).client.get(f"/-/search?q={quote(WORD)}"))
    page = lxml.html.fromstring(response.text)
    assert page.xpath("string(//p[@class='count'])").startswith(f"找到 {len(hits)} 份报告")  # the window holds all
    assert "不足三个字" in page.xpath("string(//p[@class='note'])")
    assert [int(a.split("/")[-1]) for a in page.xpath("//div[@class='hit']/a/@href")] == hits[:50]
    long = lxml.html.fromstring(asyncio.run(datasette(crawled).client.get(f"/-/search?q={quote('行政复议')}")).text)
    assert not long.xpath("//p[@class='note']")
