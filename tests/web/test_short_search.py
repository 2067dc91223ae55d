"""A query of one or two characters (the trigram index MATCHes three): found from the index all the
same, by the index's terms that begin with it, in every report, newest stored first, its count capped;
one that begins too many terms reads the texts, newest stored first, within a window and a cap. The
page says which, so what it says is true."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from urllib.parse import quote

import lxml.html
import pytest
import sqlite_utils

import storage.search
import web.read
from storage.search import TextIndex
from storage.store import Store
from tests.web.conftest import datasette

WORD = "复议"


def holding(db: Path, word: str, site: str | None = None) -> tuple[list[int], list[int]]:
    """Every report id, newest first, and those whose text holds `word` (of `site`), read plainly."""
    conn = sqlite3.connect(db)
    ids = [r[0] for r in conn.execute("select id from reports order by id desc")]
    scope = " and report_id in (select report_id from copies where site = ?)" if site else ""
    hits = [r[0] for r in conn.execute(f"select report_id from report_text where instr(text, ?) > 0{scope} "
                                       "order by report_id desc", [word, *([site] if site else [])])]  # fmt: skip
    conn.close()
    return ids, hits


def opened(db: Path) -> tuple[sqlite3.Connection, TextIndex]:
    conn = sqlite3.connect(db)
    return conn, TextIndex(sqlite_utils.Database(conn), readonly=True)


@pytest.mark.parametrize("word", [WORD, "申请", "公开", "修订", "年度", "。\n", "¤"])
def test_a_two_character_query_finds_what_reading_every_text_finds(crawled: Path, word: str) -> None:
    conn, index = opened(crawled)
    # The texts, with the one case the index cannot see: the word only as a text's last two characters.
    inner = [r[0] for r in conn.execute("select report_id from report_text where instr(substr(text, 1, "
                                        "length(text) - 1), ?) > 0 order by report_id desc", [word])]  # fmt: skip
    assert index.terms(word) is not None  # from the index, not by reading the texts
    assert [r["id"] for r in index.search(word, limit=1000, refresh=False)] == inner
    assert index.tally(word) == storage.search.Tally(len(inner), examined=len(holding(crawled, word)[0]),
                                                     of=len(holding(crawled, word)[0]))  # fmt: skip
    assert index.count(word) == len(inner)
    conn.close()


def test_a_two_character_query_counts_every_report_not_a_window(crawled: Path) -> None:
    ids, hits = holding(crawled, WORD)
    assert len(ids) > 3 and len(hits) > 3 and hits[-1] not in ids[:3]
    conn, index = opened(crawled)
    window = index.tally(WORD, window=3)  # the window of texts read does not apply: the index holds all
    assert (window.count, window.at_least, window.complete, window.texts) == (len(hits), False, True, False)
    assert [r["id"] for r in index.search(WORD, newest=3, refresh=False)] == hits  # newest stored first
    assert [r["id"] for r in index.search(WORD, limit=2, offset=1, refresh=False)] == hits[1:3]
    assert index.search(WORD, site="nowhere", refresh=False) == [] and index.tally(WORD, "nowhere").count == 0
    assert [r["id"] for r in index.search(WORD, site="xicheng", refresh=False)] == holding(crawled, WORD, "xicheng")[1]
    conn.close()


def test_a_two_character_count_stops_at_its_cap(crawled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, hits = holding(crawled, WORD)
    monkeypatch.setattr(storage.search, "COUNT_CAP", 2)
    conn, index = opened(crawled)
    capped = index.tally(WORD)
    assert (capped.count, capped.at_least, capped.examined == capped.of) == (2, True, True)
    assert [r["id"] for r in index.search(WORD, refresh=False)] == hits  # the hits are not capped
    conn.close()


def test_the_end_of_a_text_and_case(tmp_path: Path) -> None:
    """Documented edges: a word that is only a text's last two characters begins no trigram and is
    not found; the trigram index folds case, so "Ab" finds "aB" (the 3+ character search does too)."""
    store = Store(tmp_path / "n.db")
    store.db.execute("insert into sites (name) values ('x')")
    rows = [(1, "复议申请"), (2, "申请复议"), (3, "申请人复议"), (4, "aBc 申请书")]
    for report_id, text in rows:
        store.db.execute("insert into reports (id, site, report_key, year) values (?, 'x', ?, 2024)",
                         [report_id, str(report_id)])  # fmt: skip
        store.text.put(report_id, None, None, text)
    store.db.conn.commit()
    store.text.index()
    assert [r["id"] for r in store.text.search("申请")] == [4, 3, 2]  # not 1: its 申请 ends its text
    assert [r["id"] for r in store.text.search("复议")] == [1]  # 2 and 3 end with it
    assert [r["id"] for r in store.text.search("Ab")] == [4]
    assert store.text.terms("申请") == ["申请书", "申请人", "申请复"]  # as the index folds and sorts them
    store.close()


def test_a_query_that_begins_too_many_terms_reads_the_texts_within_a_window(
    crawled: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(storage.search, "MAX_TERMS", 0)
    ids, hits = holding(crawled, WORD)
    conn, index = opened(crawled)
    assert index.terms(WORD) is None
    whole = index.tally(WORD)
    assert (whole.count, whole.at_least, whole.complete, whole.texts) == (len(hits), False, True, True)
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


def page(db: Path, q: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(asyncio.run(datasette(db).client.get(f"/-/search?q={quote(q)}")).text)


def test_the_search_page_lists_a_short_querys_hits_from_every_report(
    crawled: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    _, hits = holding(crawled, WORD)
    monkeypatch.setattr(web.read, "SHORT_WINDOW", 2)  # a window the texts read would stop at
    found = page(crawled, WORD)
    assert found.xpath("string(//p[@class='count'])") == f"找到 {len(hits)} 份报告"
    assert [int(a.split("/")[-1]) for a in found.xpath("//div[@class='hit']/a/@href")] == hits
    assert "查遍全部报告" in found.xpath("string(//p[@class='note'])")
    monkeypatch.setattr(storage.search, "COUNT_CAP", 2)
    assert page(crawled, WORD).xpath("string(//p[@class='count'])").startswith(f"找到至少 2 份报告，显示最近收录的 {len(hits)} 份")
    assert not page(crawled, "行政复议").xpath("//p[@class='note']")


def test_the_search_page_says_when_the_texts_were_read(crawled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ids, hits = holding(crawled, WORD)
    monkeypatch.setattr(storage.search, "MAX_TERMS", 0)
    monkeypatch.setattr(web.read, "SHORT_WINDOW", 3)
    found = page(crawled, WORD)
    newest = [i for i in hits if i in ids[:3]]
    assert [int(a.split("/")[-1]) for a in found.xpath("//div[@class='hit']/a/@href")] == newest
    assert found.xpath("string(//p[@class='count'])") == f"在最近收录的 3 份报告中（共 {len(ids)} 份）找到 {len(newest)} 份报告"
    assert "无法使用全文索引" in found.xpath("string(//p[@class='note'])")
