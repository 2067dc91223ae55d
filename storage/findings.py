"""Findings (`findings`): their lifecycle across versions and crawls, by fingerprint: opened,
refreshed, resolved, reopened, acknowledged; and the queries over the open ones.

Which findings a report has is decided by the rules (checks/, through storage.judge.Judge);
this module only keeps what it is given."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from typing import Any

import sqlite_utils

from common.constants import ReportStatus, Rule, Severity
from parsers.model import Finding, key_of
from storage.copies import seen_from
from storage.db import and_equal

# The findings held by a site's pages with no report (a unit known from reports published as files
# only: its missing_report).
_ON_PAGES = "select pf.id from pages sp join findings pf on pf.page_url = sp.url where sp.site = ?"
# A site's findings, as its digest names them: those on its own reports, those about its copy of
# another site's report (copies_differ, where "copy.SITE": the crawl that found the copy says so) and
# those on its pages with no report. A union of indexed look-ups (reports by site, then findings by
# report; the partial index findings_copies_differ; pages by site): an OR across the tables would
# read every finding.
_ON_SITE = (
    "f.id in (select sf.id from reports sr join findings sf on sf.report_id = sr.id where sr.site = ? "
    f"union all select id from findings where rule = '{Rule.COPIES_DIFFER}' and where_ = 'copy.' || ? "
    f"union all {_ON_PAGES})"
)
# The reports on a site (its own, its copies of others') and its pages with no report.
_CARRIED = (
    f"f.id in (select cf.id from copies c join findings cf on cf.report_id = c.report_id where c.site = ? "
    f"union all {_ON_PAGES})"
)
# A finding with what it is about: its report, or its page with no report (agency and year from its title).
_WHAT = "coalesce(r.agency, p.agency) as agency, coalesce(r.year, p.year) as year"
_FROM = "from findings f left join reports r on r.id = f.report_id left join pages p on p.url = f.page_url"
_HELD = f"{_WHAT}, coalesce(r.url, f.page_url) as url, coalesce(r.site, p.site) as site {_FROM}"
_COLUMNS = "report_id, version_id, rule, severity, where_, message, cells, lhs, rhs, last_seen"


def _marks(values: Collection[Any]) -> str:
    return ", ".join("?" * len(values))


class Findings:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def sync(
        self,
        report_id: int,
        version_id: int,
        findings: list[Finding],
        ts: str,
        only: Iterable[str] | None = None,
        keep: Iterable[str] = (),
        page_url: str | None = None,
    ) -> tuple[list[int], list[int]]:
        """Make the open findings of a report those given: insert new ones, refresh (and reopen)
        known ones by fingerprint, resolve the rest. `only`: the rules being re-evaluated (others
        are left alone); `keep`: rules this evaluation does not cover; `page_url`: the findings of
        a page with no report (report_id and version_id None). Returns the ids opened (new or
        reopened) and resolved. Within the caller's transaction."""
        conn = self.db.conn
        holder, held_by = _held(report_id, page_url)
        rows = conn.execute(f"select id, fingerprint, resolved_at, rule from findings where {holder} = ?", [held_by])
        existing = {fp: (fid, resolved_at, rule) for fid, fp, resolved_at, rule in rows}
        seen: set[str] = set()
        new_ids: list[int] = []
        updates = []
        for f in findings:
            if f.fingerprint in seen:
                continue
            seen.add(f.fingerprint)
            values = [report_id, version_id, *_values(f), ts]
            if f.fingerprint in existing:
                fid, resolved_at, _ = existing[f.fingerprint]
                updates.append([*values[1:], f.severity, fid])
                if resolved_at is not None:
                    new_ids.append(fid)  # reopened: open again from this save on
            else:
                cur = conn.execute(
                    f"insert into findings ({_COLUMNS}, fingerprint, first_seen, page_url) values (?{', ?' * 12})",
                    [*values, f.fingerprint, ts, page_url],
                )
                new_ids.append(cur.lastrowid)
        if updates:
            # A finding that comes back (it was resolved) is news again: clear what was alerted. So is one that
            # is an error now and was not (a warning while OCR'd numbers were unconfirmed; `severity`: the stored one).
            conn.executemany(
                "update findings set version_id = ?, rule = ?, severity = ?, where_ = ?, message = ?, cells = ?, "
                "lhs = ?, rhs = ?, last_seen = ?, "
                "alerted_at = case when resolved_at is null and not (? = 'error' and severity != 'error') "
                "then alerted_at end, "
                "resolved_alerted_at = case when resolved_at is null then resolved_alerted_at end, "
                "resolved_at = null where id = ?",
                updates,
            )
        only = None if only is None else set(only)
        keep = set(keep)
        resolved = [
            fid
            for fp, (fid, resolved_at, rule) in existing.items()
            if resolved_at is None and fp not in seen and rule not in keep and (only is None or rule in only)
        ]
        self.resolve(resolved, ts)
        return new_ids, resolved

    def resolve(self, ids: list[int], ts: str) -> None:
        self.db.conn.executemany("update findings set resolved_at = ? where id = ?", [(ts, fid) for fid in ids])

    def resolve_fingerprints(self, fingerprints: list[str], rules: Collection[str], ts: str) -> list[int]:
        """Resolve the open findings of these rules with these fingerprints, on any report; their ids."""
        if not fingerprints or not rules:
            return []
        ids = [
            r[0]
            for r in self.db.conn.execute(
                f"select id from findings where fingerprint in ({_marks(fingerprints)}) "
                f"and rule in ({_marks(rules)}) and resolved_at is null",
                [*fingerprints, *rules],
            )
        ]
        self.resolve(ids, ts)
        return ids

    def id_of(self, report_id: int | None, fingerprint: str, page_url: str | None = None) -> int | None:
        """The finding with this fingerprint on the report (or on the page with no report: `page_url`)."""
        holder, held_by = _held(report_id, page_url)
        row = self.db.conn.execute(
            f"select id from findings where {holder} = ? and fingerprint = ?", [held_by, fingerprint]
        ).fetchone()
        return row[0] if row else None

    def open_on_keys(self, rules: Collection[str]) -> dict[int, str]:
        """{finding id: the key of the report it is on (or of the report its page published as a
        file only)} of the open findings of these rules."""
        conn = self.db.conn
        where = f"f.rule in ({_marks(rules)}) and f.resolved_at is null"
        found = dict(
            conn.execute(
                f"select f.id, r.report_key from findings f join reports r on r.id = f.report_id where {where}",
                list(rules),
            ).fetchall()
        )
        on_pages = conn.execute(
            f"select f.id, p.agency, p.year from findings f join pages p on p.url = f.page_url where {where}",
            list(rules),
        )
        return found | {fid: key_of(agency, year) for fid, agency, year in on_pages}

    def refresh_status(self, report_id: int, ignore: Collection[str]) -> None:
        """reports.status again from the report's open findings: error while one is an error,
        whatever the rules in `ignore` (the monitoring rule: about another report) say."""
        self.db.conn.execute(
            "update reports set status = case when exists (select 1 from findings where report_id = ? "
            f"and resolved_at is null and severity = ? and rule not in ({_marks(ignore)})) "
            "then ? else ? end where id = ?",
            [report_id, Severity.ERROR, *ignore, ReportStatus.ERROR, ReportStatus.OK, report_id],
        )

    def acknowledge(self, fingerprint: str, undo: bool = False) -> int:
        """Silence the findings with this fingerprint on purpose (undo: alert them again); how many there were."""
        with self.db.conn:
            return self.db.conn.execute(
                "update findings set acknowledged = ? where fingerprint = ?", [0 if undo else 1, fingerprint]
            ).rowcount

    def sites(self) -> set[str]:
        """The sites the store has reports or findings of (a crawled site, or one `crawl ingest --site`
        named; a site whose units published files only has findings on its pages)."""
        on_pages = "select p.site from findings f join pages p on p.url = f.page_url where f.page_url is not null"
        return {r[0] for r in self.db.conn.execute(f"select distinct site from reports union {on_pages}")}

    # --- queries ------------------------------------------------------------------------------
    def open(self, site: str | None = None, severity: str | None = None) -> list[dict[str, Any]]:
        """The open error and warning findings, with their report's site, agency, year, URL and the
        source of its current version (JSON text, or None: a page). `site`: of the reports on that
        site, a copy of another site's report included, its URL the copy's, and home_site and
        home_url the report's own."""
        shown, args = seen_from(
            site, report_id="f.report_id", url="coalesce(r.url, f.page_url)", home="coalesce(r.site, p.site)"
        )
        sql = (
            f"select f.*, json_extract(v.report_json, '$.source') as source, {_WHAT}, {shown} {_FROM} "
            "left join versions v on v.id = r.current_version where f.resolved_at is null and f.severity != ?"
        )
        args = [*args, Severity.INFO]
        if site:  # the site's own reports, its copies of other sites' reports, its pages with no report
            sql, args = f"{sql} and {_CARRIED}", [*args, site, site]
        sql, args = and_equal(sql, args, {"f.severity": severity})
        return list(self.db.query(sql + " order by site, agency, year, f.id", args))

    def on_pages(self, site: str | None = None, year: int | None = None, open_only: bool = False) -> list[dict[str, Any]]:
        """The findings held by pages with no report (a unit known from reports published as files
        only: its missing_report), of a site's pages and of a page's year if given, each with the
        page's site, agency, year and URL (`url`); `open_only`: those not resolved. By the site's
        pages (idx_pages_site_status), then each one's findings (findings_on_pages)."""
        sql = (
            "select f.*, p.site, p.agency, p.year, p.url from pages p join findings f on f.page_url = p.url "
            "where f.page_url is not null"
        )
        sql, args = and_equal(sql, [], {"p.site": site, "p.year": year})
        if open_only:
            sql += " and f.resolved_at is null"
        return list(self.db.query(sql + " order by p.site, p.year, p.agency, f.id", args))

    def pending(self, site: str) -> list[dict[str, Any]]:
        """The site's open error and warning findings not alerted yet (nor acknowledged)."""
        return list(
            self.db.query(
                f"select f.*, r.title, {_HELD} "
                f"where {_ON_SITE} and f.alerted_at is null and f.resolved_at is null and f.acknowledged = 0 "
                "and f.severity in (?, ?) order by f.severity, agency, year, f.id",
                [site, site, site, Severity.ERROR, Severity.WARNING],
            )
        )

    def fixed(self, site: str) -> list[dict[str, Any]]:
        """The site's alerted findings resolved since, whose resolution is not alerted yet."""
        return list(
            self.db.query(
                f"select f.*, {_HELD} where {_ON_SITE} and f.alerted_at is not null and f.resolved_at is not null "
                "and f.resolved_alerted_at is null order by agency, year, f.id",
                [site, site, site],
            )
        )


def _held(report_id: int | None, page_url: str | None) -> tuple[str, Any]:
    """The column naming what holds a finding, and its value: the report, or the page with no report."""
    return ("page_url", page_url) if page_url else ("report_id", report_id)


def _values(f: Finding) -> list[Any]:
    """A finding's columns from rule to rhs, as stored (cells and sides as JSON)."""
    data = f.to_json()
    return [
        f.rule, f.severity, f.where, f.message, json.dumps(f.cells, ensure_ascii=False),
        json.dumps(data.get("lhs"), ensure_ascii=False), json.dumps(data.get("rhs"), ensure_ascii=False),
    ]  # fmt: skip
