"""Copies (`copies`): every site a report was found on and its URL there. The city portal
republishes the districts' reports; the same report (agency + year) found on a second site is not
a second report but one more copy of the first, alerted once. The report's own site (reports.site)
has a row too, so "the reports on site S" is one join for every view.

A copy from another site keeps the tables it was read with, so the rules (Judge.copies) can
compare each copy with the report again when either changes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import orjson
import sqlite_utils

from parsers.model import TABLE_PARTS, Report, report_from_json

# The reports on a site: its own and those it carries a copy of.
ON_SITE = "r.id in (select c.report_id from copies c where c.site = ?)"


def seen_from(
    site: str | None, report_id: str = "r.id", url: str = "r.url", home: str = "r.site"
) -> tuple[str, list[str]]:
    """Select-list columns `url, site, home_site, home_url` of a report row as the site asked for
    shows it, and their arguments (they come first). `url` is the report's URL on that site: for a
    report it carries from another site, the copy's page (the one that site's office knows), found by
    the copies' key; home_site and home_url are the report's own site and URL. No site asked for:
    the report's own, both. `report_id`, `url`, `home`: the query's expressions for them."""
    if not site:
        return f"{url} as url, {home} as site, {home} as home_site, {url} as home_url", []
    on_site = f"(select sc.url from copies sc where sc.report_id = {report_id} and sc.site = ?)"
    return f"coalesce({on_site}, {url}) as url, ? as site, {home} as home_site, {url} as home_url", [site, site]


def tables_json(report: Report) -> str:
    """The report's three tables as JSON (sorted keys: the same tables give the same text)."""
    data = report.to_json()
    tables: dict[str, Any] = {part: data.get(part) or {} for part in TABLE_PARTS.values()}
    tables["source"] = data.get("source")  # numbers read by OCR: their findings are warnings
    return orjson.dumps(tables, option=orjson.OPT_SORT_KEYS).decode()


@dataclass
class Home:
    """The stored report another site's page is a copy of."""

    report_id: int
    site: str
    version_id: int
    report: Report


class Copies:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    # --- writing (within the caller's transaction) -------------------------------------------------
    def home(self, key: str, site: str) -> Home | None:
        """The report with this key stored from another site than `site` (the first stored), if any."""
        row = self.db.conn.execute(
            "select r.id, r.site, r.current_version, v.report_json from reports r "
            "join versions v on v.id = r.current_version where r.report_key = ? and r.site != ? order by r.id limit 1",
            [key, site],
        ).fetchone()
        if row is None:
            return None
        return Home(row[0], row[1], row[2], report_from_json(orjson.loads(row[3])))

    def record(self, report_id: int, site: str, url: str, ts: str, report: Report | None = None) -> bool:
        """The report is on `site` at `url` (`report`: the copy as read there, for another site than
        its own). Whether the copy's tables changed (or it is new)."""
        tables = tables_json(report) if report is not None else None
        digest = hashlib.sha256(tables.encode()).hexdigest() if tables is not None else None
        before = self.db.conn.execute(
            "select tables_hash from copies where report_id = ? and site = ?", [report_id, site]
        ).fetchone()
        self.db.conn.execute(
            "insert into copies (report_id, site, url, tables, tables_hash, first_seen, last_seen) "
            "values (?, ?, ?, ?, ?, ?, ?) on conflict (report_id, site) do update set url = excluded.url, "
            "tables = excluded.tables, tables_hash = excluded.tables_hash, last_seen = excluded.last_seen",
            [report_id, site, url, tables, digest, ts, ts],
        )
        return before is None or before[0] != digest

    def others(self, report_id: int, site: str) -> dict[str, tuple[str, Report]]:
        """The copies on other sites than the report's own (`site`): site -> (URL, tables as read there)."""
        rows = self.db.conn.execute(
            "select site, url, tables from copies where report_id = ? and site != ? and tables is not null",
            [report_id, site],
        ).fetchall()
        return {s: (url, report_from_json(orjson.loads(tables))) for s, url, tables in rows}

    # --- reading -------------------------------------------------------------------------------------
    def of_report(self, report_id: int) -> list[dict[str, Any]]:
        """Every site the report is on and its URL there, its own site first."""
        return list(
            self.db.query(
                "select c.site, c.url, c.first_seen, c.last_seen, c.site = r.site as home from copies c "
                "join reports r on r.id = c.report_id where c.report_id = ? order by home desc, c.site",
                [report_id],
            )
        )
