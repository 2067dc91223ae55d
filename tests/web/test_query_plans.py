"""Every query the web view's pages run (web/read.py, over a real database crawled from the fixture
portal) is answered from indexes: EXPLAIN QUERY PLAN shows no table read through (`SCAN reports`,
`SCAN f` …), so a page costs the same at 100,000 reports as at 10 (bench/web.py times them)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage.search import VOCAB_SQL
from web import read

# What may be read through: SQLite's own rows, the queue of the search index (empty once indexed),
# the full-text index itself (its MATCH is an index search), the FTS5 table's configuration, a
# subquery's own rows (its tables' reads are steps of their own, checked too), and the index's
# vocabulary read by a range of terms (INDEX 6: term >= and <=; a scan of it all is INDEX 0).
ALLOWED = ("SCAN CONSTANT ROW", "SCAN text_pending", "SCAN report_text_fts VIRTUAL TABLE", "SCAN main.report_text_fts",
           "SCAN (subquery-", "SCAN temp.report_text_vocab VIRTUAL TABLE INDEX 6:")  # fmt: skip


def statements(db: Path) -> list[str]:
    """The SELECTs the pages run for one report, agency, site and search, with their values."""
    conn = sqlite3.connect(db)
    report_id, agency, site = conn.execute(
        "select id, agency, site from reports where status = 'error' order by id limit 1"
    ).fetchone()
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    assert read.report(conn, report_id) is not None
    assert read.stored_copy(conn, report_id) is not None
    assert read.agency(conn, agency) is not None
    assert read.agencies(conn, "")["agencies"]
    assert read.agencies(conn, agency[:4])["agencies"]
    assert read.agencies(conn, "", agency)["total"]
    assert read.site(conn, site, None) is not None
    assert read.search(conn, "政府信息公开", None)["count"]
    assert read.search(conn, "政府信息公开", site)["count"]
    assert read.search(conn, "申请", site)["count"]  # two characters: the index's terms that begin with them
    conn.set_trace_callback(None)
    conn.close()
    return [sql for sql in dict.fromkeys(seen) if sql.lstrip().lower().startswith(("select", "with"))]


def test_the_pages_queries_use_indexes(crawled: Path) -> None:
    sqls = statements(crawled)
    assert len(sqls) > 10
    conn = sqlite3.connect(crawled)
    conn.execute(VOCAB_SQL)  # the connection's own table the short search reads
    for sql in sqls:
        plan = [row[3] for row in conn.execute("explain query plan " + sql)]
        scans = [step for step in plan if step.startswith("SCAN") and not step.startswith(ALLOWED)]
        assert not scans, f"{sql}\n{plan}"
    conn.close()


def test_the_long_form_tables_pages_skip_the_count_of_every_row() -> None:
    from web.big import quick

    def asked(path: str, query: str = "") -> str:
        return quick({"type": "http", "path": path, "query_string": query.encode()})["query_string"].decode()

    assert asked("/nianbao/cells") == "_nosuggest=1&_nocount=1"
    assert asked("/nianbao/versions") == "_nosuggest=1&_nocount=1"  # a report's JSON a row: counting reads them all
    assert asked("/nianbao/current_cells.json", "year=2022") == "year=2022&_nosuggest=1"  # filtered: counted
    assert asked("/nianbao/cells", "_nocount=0&_nosuggest=0") == "_nocount=0&_nosuggest=0"
    assert asked("/nianbao/report_text") == "_nosuggest=1&_nocount=1"  # every report's text, no index
    assert asked("/nianbao/report_text_fts_data.json") == "_nosuggest=1&_nocount=1"
    assert asked("/nianbao/reports") == "_nosuggest=1"  # counted (an index), its facets kept, no suggestions
    assert asked("/nianbao/findings", "severity=error") == "severity=error&_nosuggest=1"
    assert asked("/nianbao/sites") == "" and asked("/-/agency") == ""


def test_a_page_of_search_hits_is_read_in_the_index_order(crawled: Path) -> None:
    """The search page's hits (3+ characters, and a short query's terms) come in the order FTS5 yields
    them, by rowid descending: no sort of every hit before the first page (USE TEMP B-TREE)."""
    pages = [sql for sql in statements(crawled) if "report_text_fts match" in sql and " limit " in sql]
    assert any("信息公开" in sql for sql in pages) and any("text : (" in sql for sql in pages)
    conn = sqlite3.connect(crawled)
    conn.execute(VOCAB_SQL)
    for sql in pages:
        plan = [row[3] for row in conn.execute("explain query plan " + sql)]
        assert not [step for step in plan if "TEMP B-TREE" in step], f"{sql}\n{plan}"
    conn.close()
