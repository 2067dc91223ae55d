"""The pages that show the newest first (the reports and findings tables, sorted by last_seen in
datasette/metadata.json; the canned query new_this_week; the Atom feed) walk an index in that
order and stop after a page (schema migration 14), and show what the plain queries they replace
showed."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from tests.web.conftest import datasette_app
from web import feed

ROOT = Path(__file__).resolve().parents[2]
METADATA = json.loads((ROOT / "datasette" / "metadata.json").read_text(encoding="utf-8"))
QUERIES = METADATA["databases"]["nianbao"]["queries"]

# What the queries were before: every version read and sorted. The rewrites must answer the same.
PLAIN_NEW_THIS_WEEK = """select case when julianday(r.first_seen) >= julianday('now', '-7 days') then 'new' else 'revised' end as what,
  r.id as report_id, r.site, r.agency, r.year, r.title, r.status, r.first_seen, v.fetched_at,
  (select count(*) from versions w where w.report_id = r.id) as versions, r.url
from reports r
join versions v on v.id = r.current_version
where julianday(v.fetched_at) >= julianday('now', '-7 days')
order by v.fetched_at desc, r.id desc"""
PLAIN_FEED = """select * from (
  select 'nianbao:report:' || r.id || ':version:' || v.id as atom_id,
    case when v.id = (select min(id) from versions where report_id = r.id) then '新发布：' else '已修订：' end
      || coalesce(r.agency, r.title, '') || ' ' || coalesce(r.year, '') || '年度' as atom_title,
    v.fetched_at as atom_updated,
    '/-/report/' || r.id as atom_link,
    coalesce(r.title, '') || char(10) || '原文：' || v.url as atom_content,
    r.site as atom_author_name
  from versions v join reports r on r.id = v.report_id
  where (:site = '' or r.id in (select report_id from copies where site = :site))
  union all
  select 'nianbao:inconsistent:' || r.id || ':version:' || max(f.version_id),
    '数据不一致：' || coalesce(r.agency, r.title, '') || ' ' || coalesce(r.year, '') || '年度（' || count(*) || ' 个错误）',
    max(f.last_seen), '/-/report/' || r.id,
    group_concat(f.where_ || '：' || f.message, char(10)), r.site
  from findings f join reports r on r.id = f.report_id
  where f.severity = 'error' and f.resolved_at is null and f.rule != 'missing_report'
    and (:site = '' or r.id in (select report_id from copies where site = :site))
  group by r.id
) order by atom_updated desc limit 200"""


def plan(conn: sqlite3.Connection, sql: str, args: dict[str, str] | list[str] = ()) -> list[str]:
    return [row[3] for row in conn.execute("explain query plan " + sql, args)]


def test_new_this_week_walks_versions_by_fetched_at_and_answers_as_before(crawled: Path) -> None:
    conn = sqlite3.connect(crawled)
    sql = QUERIES["new_this_week"]["sql"]
    steps = plan(conn, sql)
    assert any(s.startswith("SEARCH v USING COVERING INDEX versions_by_fetched_at") for s in steps), steps
    assert not [s for s in steps if s.startswith("SCAN") or "TEMP B-TREE" in s], steps
    rows = conn.execute(sql).fetchall()
    assert rows and rows == conn.execute(PLAIN_NEW_THIS_WEEK).fetchall()
    conn.close()


def test_the_feed_walks_versions_by_fetched_at_and_answers_as_before(crawled: Path) -> None:
    conn = sqlite3.connect(crawled)
    for site in ("xicheng", "", "nowhere"):
        steps = plan(conn, feed.SQL, {"site": site})
        assert "SCAN v USING INDEX versions_by_fetched_at" in steps, steps
        # the only sorts: the open errors (few) and the two pages of 200 merged
        assert steps.count("USE TEMP B-TREE FOR ORDER BY") == 2, steps
        new = conn.execute(feed.SQL, {"site": site}).fetchall()
        old = conn.execute(PLAIN_FEED, {"site": site}).fetchall()
        assert sorted(new) == sorted(old) and [r[2] for r in new] == [r[2] for r in old]
        assert bool(new) == (site != "nowhere")
    conn.close()


def traced_sql(db: Path, table: str) -> list[str]:
    """The SQL Datasette runs for a table's page (its rows, as metadata.json sorts them)."""
    metadata = {"databases": {db.stem: METADATA["databases"]["nianbao"]}}

    async def fetch() -> dict:
        ds = datasette_app.Datasette([str(db)], metadata=metadata, settings={"trace_debug": True})
        response = await ds.client.get(f"/{db.stem}/{table}.json?_trace=1")
        assert response.status_code == 200, response.text[:500]
        return response.json()

    traces = asyncio.run(fetch())["_trace"]["traces"]
    return [t["sql"] for t in traces if f"from {table} " in t.get("sql", "") and "order by last_seen desc" in t["sql"]]


def test_the_reports_and_findings_pages_read_last_seen_from_an_index(crawled: Path) -> None:
    conn = sqlite3.connect(crawled)
    for table, index in (("reports", "reports_by_last_seen"), ("findings", "findings_by_last_seen")):
        sqls = traced_sql(crawled, table)
        assert sqls, table
        for sql in sqls:
            # Datasette's page query names its parameters (:p0 …); the first page has none
            steps = plan(conn, sql)
            assert f"SCAN {table} USING INDEX {index}" in steps, (sql, steps)
            assert not [s for s in steps if "TEMP B-TREE" in s], (sql, steps)
    conn.close()
