"""What each page of the web view shows, read from the store's own parts (storage.reports,
storage.findings) over the connection Datasette hands a function (db.execute_fn)."""

from __future__ import annotations

import json
import sqlite3
import zlib
from typing import Any

import sqlite_utils

from common import labels as L
from common.constants import Severity
from common.tables import explain, lay_out, legend, marks
from storage.copies import ON_SITE, Copies, seen_from
from storage.findings import Findings
from storage.publishers import Publishers
from storage.reports import Reports
from storage.search import SHORT_WINDOW, TRIGRAM, Tally, TextIndex
from web import chart

NARRATIVE = ("overview", "problems", "other")


def _rows(conn: sqlite3.Connection, sql: str, args: list[Any]) -> list[dict[str, Any]]:
    cur = conn.execute(sql, args)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _finding(f: dict[str, Any]) -> dict[str, Any]:
    f["cells"] = json.loads(f.get("cells") or "[]")
    for side in ("lhs", "rhs"):
        f[side] = json.loads(f.get(side) or "null")
    f["rule_label"] = L.RULE_LABELS.get(f["rule"], f["rule"])
    f["severity_label"] = L.SEVERITY_LABELS.get(f["severity"], f["severity"])
    f["explained"] = explain(f)
    f["legend"] = legend(f) if f["cells"] else None
    return f


def findings_of(conn: sqlite3.Connection, where: str, args: list[Any]) -> list[dict[str, Any]]:
    sql = (
        "select f.*, r.agency, r.year, r.site from findings f join reports r on r.id = f.report_id "
        f"where f.severity != 'info' and {where} order by f.resolved_at is not null, f.severity, r.year desc, f.id"
    )
    return [_finding(f) for f in _rows(conn, sql, args)]


def report(conn: sqlite3.Connection, report_id: int) -> dict[str, Any] | None:
    """The report page: metadata, tables with marked cells, findings explained, parts, versions and diffs."""
    rows = _rows(conn, "select * from reports where id = ?", [report_id])
    if not rows:
        return None
    parts = Reports(sqlite_utils.Database(conn))
    data = parts.current_json(report_id) or {}
    findings = findings_of(conn, "f.report_id = ?", [report_id])
    open_ = [f for f in findings if f["resolved_at"] is None]
    versions = parts.versions(report_id)
    for older, newer in zip(versions, versions[1:]):
        newer["diff"] = parts.diff(old=older["id"], new=newer["id"], context=2).split("\n")[2:]
    return {
        "report": rows[0],
        "data": data,
        "ocr": ocr_state(data.get("source")),
        "tables": lay_out(data, marks(f for f in open_ if f["severity"] == "error")),
        "open": open_,
        "resolved": [f for f in findings if f["resolved_at"] is not None],
        "narrative": [(L.PART_LABELS[p], (data.get("sections") or {}).get(p)) for p in NARRATIVE],
        "versions": versions,
        "copies": Copies(sqlite_utils.Database(conn)).of_report(report_id),
    }


def ocr_state(source: dict[str, Any] | None) -> dict[str, Any] | None:
    """Whether a person confirmed the numbers OCR read (None: not read by OCR), as the page says it."""
    if not source or source.get("method") != "ocr":
        return None
    at = (source.get("confirmed_at") or "")[:19].replace("T", " ")
    if not source.get("confirmed"):
        return {"confirmed": False, "label": "OCR 识别，未经人工确认"}
    who = f"由 {source['confirmed_by']} " if source.get("confirmed_by") else ""
    return {"confirmed": True, "label": f"OCR 识别，已人工确认（{who}{at} UTC）" if at else "OCR 识别，已人工确认"}


def stored_copy(conn: sqlite3.Connection, report_id: int) -> tuple[bytes, str | None, str] | None:
    """The current version's page as fetched (raw, its encoding), or its text records."""
    row = conn.execute(
        "select v.raw, v.encoding, v.records from reports r join versions v on v.id = r.current_version where r.id = ?",
        [report_id],
    ).fetchone()
    if row is None:
        return None
    return (zlib.decompress(row[0]) if row[0] else b""), row[1], row[2] or ""


AGENCIES_PAGE = 500  # agencies a page of the list shows: a province has some 15,000


def agencies(conn: sqlite3.Connection, q: str = "", after: str = "", limit: int = AGENCIES_PAGE) -> dict[str, Any]:
    """A page of the agency list (names holding `q`, in name order, after `after`), how many
    agencies hold `q` in all, and the name the next page starts after (None: the last page).
    The whole list rendered at once was megabytes of HTML; each page reads the index on agency
    from `after` on and stops."""
    like = f"%{q}%"
    start = "agency > ?" if after else "agency >= ?"  # the first page from '' on: any name, not null
    rows = _rows(
        conn,
        "select agency, count(*) as reports, min(year) as first_year, max(year) as last_year, "
        f"sum(status = 'error') as inconsistent from reports where {start} and agency like ? "
        "group by agency order by agency limit ?",
        [after, like, limit + 1],
    )
    total = conn.execute(
        "select count(distinct agency) from reports where agency is not null and agency like ?", [like]
    ).fetchone()[0]
    more = len(rows) > limit
    rows = rows[:limit]
    return {"agencies": rows, "total": total, "next": rows[-1]["agency"] if more else None}


def agency(conn: sqlite3.Connection, name: str) -> dict[str, Any] | None:
    reports = _rows(
        conn,
        "select r.*, (select count(*) from findings f where f.report_id = r.id and f.resolved_at is null "
        "and f.severity = 'error') as errors from reports r where r.agency = ? order by r.year desc, r.site",
        [name],
    )
    if not reports:
        return None
    parts = Reports(sqlite_utils.Database(conn))
    yearly = sorted((r["year"], parts.current_json(r["id"]) or {}) for r in reports if r["year"])
    rows = chart.series(yearly)
    findings = findings_of(conn, "r.agency = ?", [name])
    return {
        "name": name,
        "reports": reports,
        "svg": chart.svg(rows),
        "spec": json.dumps(chart.spec(rows), ensure_ascii=False) if rows else "",
        "open": [f for f in findings if f["resolved_at"] is None],
        "resolved": [f for f in findings if f["resolved_at"] is not None],
    }


def site(conn: sqlite3.Connection, site: str, year: int | None) -> dict[str, Any] | None:
    """The season's to-do list of a site: each unit expected to publish for `year` (learned from
    what the site published over the years: storage.publishers), and how it stands; its own
    reports and those it carries a copy of both count as published there."""
    db = sqlite_utils.Database(conn)
    years = sorted({y for _, ys, _ in Publishers(db).units(site).values() for y in ys}, reverse=True)
    if not years:
        return None
    year = year or years[0]
    season = Publishers(db).season(site, year)
    shown, args = seen_from(site)  # a copy the site carries: its page there, and the report's own site
    carried = f"select r.id, r.agency, r.title, r.published, {shown} from reports r where {ON_SITE} and r.year = ?"
    reports = {season.names.get(r["agency"], r["agency"]): r for r in _rows(conn, carried, [*args, site, year])}
    rules: dict[str, set[tuple[int, str, str]]] = {}
    # and those of its pages with no report (a unit known from files only: its missing_report)
    on_pages = [f for f in Findings(db).on_pages(site, open_only=True) if f["severity"] != Severity.INFO]
    for f in findings_of(conn, f"{ON_SITE} and f.resolved_at is null", [site]) + on_pages:
        rules.setdefault(season.names.get(f["agency"], f["agency"]), set()).add((f["year"], f["rule"], f["severity"]))
    entries = []
    for name in season.expected:
        r, seen = reports.get(name), rules.get(name, set())
        if r is None:
            # missing_report is found on the agency's last report (year N-1) that no report of N answers
            late = any(rule == "missing_report" and y == year - 1 for y, rule, _ in seen)
            state = "逾期未发布" if late else ("已发布" if name in season.published else "未发布")
        elif any(y == year and sev == "error" and rule != "missing_report" for y, rule, sev in seen):
            state = "不一致"
        elif (year, "late_publication", "warning") in seen:
            state = "逾期发布"
        else:
            state = "已发布"
        entries.append({"agency": name, "state": state, "report": r})
    counts = {
        s: sum(e["state"] == s for e in entries) for s in ("已发布", "逾期发布", "不一致", "逾期未发布", "未发布")
    }
    return {"site": site, "year": year, "years": years, "entries": entries, "counts": counts,
            "expected": len(season.expected), "published": len(season.published)}  # fmt: skip


HIT = ("\x02", "\x03")  # the hit's marks in a snippet: characters no report text holds


def search(conn: sqlite3.Connection, q: str, site: str | None) -> dict[str, Any]:
    """Reports whose text holds `q`: how many, and the first 50 with the hit in its snippet."""
    index = TextIndex(sqlite_utils.Database(conn))
    rows = index.search(q, site or None, marks=HIT, refresh=False, newest=SHORT_WINDOW) if q else []
    for r in rows:  # (before, hit, after) pieces, escaped by the template
        r["pieces"] = [(piece.partition(HIT[1])) for piece in (r["snippet"] or "").split(HIT[0])]
    tally = index.tally(q, site or None, window=SHORT_WINDOW) if q else Tally(0)
    return {"q": q, "site": site or "", "count": tally.count, "tally": tally, "short": len(q) < TRIGRAM,
            "results": rows}  # fmt: skip


def refresh_index(conn: sqlite3.Connection) -> int:
    return TextIndex(sqlite_utils.Database(conn)).index()
