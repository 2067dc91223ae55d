"""Writes and reads of the store. A report and all that belongs to it (version, cells,
findings, search text, page state) is written in one transaction, so a crawl killed
part-way leaves either all of a report or none of it."""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from parsers.checks import _Collector as Collector
from parsers.checks import check_carry_continuity, check_in_force_continuity, report_key
from parsers.labels import norm
from parsers.model import TABLE_PARTS, Finding, Report, report_from_json
from storage.schema import migrate


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def content_hash(records: list[str]) -> str:
    """Hash of the text records, not the raw bytes: a visitor counter is not a revision."""
    return hashlib.sha256("\n".join(records).encode("utf-8")).hexdigest()


@dataclass
class Saved:
    status: str  # "new" | "changed" | "unchanged"
    report_id: int
    version_id: int
    previous_version_id: int | None = None
    new_findings: list[int] = field(default_factory=list)
    resolved_findings: list[int] = field(default_factory=list)


class Store:
    def __init__(self, path: str | Path) -> None:
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite_utils.Database(path)
        self.db.execute("pragma busy_timeout = 30000")
        if str(path) != ":memory:":
            self.db.enable_wal()
        self.db.execute("pragma foreign_keys = on")
        migrate(self.db)

    def close(self) -> None:
        self.db.close()

    # --- reports ----------------------------------------------------------
    def save_report(
        self,
        site: str,
        url: str,
        report: Report,
        records: list[str],
        raw: bytes = b"",
        encoding: str | None = None,
        fetched_at: str | None = None,
        attachments: list[str] | None = None,
    ) -> Saved:
        """Store one parsed report: a new report, a new version of one, or nothing new."""
        ts = fetched_at or now()
        key = report_key(report)
        digest = content_hash(records)
        with self.db.conn:
            self._ensure_site(site, ts)
            row = self._one("select * from reports where site = ? and report_key = ?", [site, key])
            if row is not None:
                same = self._one(
                    "select id from versions where report_id = ? and content_hash = ?", [row["id"], digest]
                )
                if same is not None:
                    # Fetched again unchanged (perhaps at a new URL: it moved, it is the same report).
                    self.db.execute("update reports set last_seen = ?, url = ? where id = ?", [ts, url, row["id"]])
                    return Saved("unchanged", row["id"], same["id"], same["id"])
            findings = list(report.findings) + self._history_findings(report)
            fields = {
                "site": site, "report_key": key, "url": url, "agency": report.agency, "year": report.year,
                "title": report.title, "published": report.published, "template": report.template,
                "last_seen": ts, "status": "error" if any(f.severity == "error" for f in findings) else "ok",
            }  # fmt: skip
            if row is None:
                report_id = self.db["reports"].insert({**fields, "first_seen": ts}).last_pk
                previous = None
            else:
                report_id, previous = row["id"], row["current_version"]
            version_id = self.db["versions"].insert(
                {
                    "report_id": report_id, "url": url, "fetched_at": ts, "content_hash": digest,
                    "raw": zlib.compress(raw, 6) if raw else None, "encoding": encoding,
                    "records": "\n".join(records),
                    "report_json": json.dumps(report.to_json(), ensure_ascii=False),
                    "attachments": json.dumps(attachments or [], ensure_ascii=False),
                }
            ).last_pk  # fmt: skip
            self.db["reports"].update(report_id, {**fields, "current_version": version_id})
            self._insert_cells(version_id, report)
            new_ids, resolved = self._sync_findings(report_id, version_id, findings, ts)
            self.db["report_text"].upsert(
                {"report_id": report_id, "title": report.title, "agency": report.agency, "text": "\n".join(records)},
                pk="report_id",
            )
        return Saved("new" if row is None else "changed", report_id, version_id, previous, new_ids, resolved)

    def _ensure_site(self, site: str, ts: str) -> None:
        self.db.execute("insert or ignore into sites (name, first_crawled) values (?, ?)", [site, ts])

    def _insert_cells(self, version_id: int, report: Report) -> None:
        rows = []
        for part in TABLE_PARTS.values():
            for row, cols in getattr(report, part).items():
                for col, value in cols.items():
                    rows.append((version_id, part, row, col, value, report.notes.get(f"{part}.{row}.{col}")))
        self.db.conn.executemany(
            "insert or replace into cells (version_id, part, row, col, value, note) values (?, ?, ?, ?, ?, ?)", rows
        )

    def _history_findings(self, report: Report) -> list[Finding]:
        if report.agency is None or report.year is None:
            return []
        previous = self.report_for(report.agency, report.year - 1)
        if previous is None:
            return []
        out = Collector(report)
        check_carry_continuity(report, previous, out)
        check_in_force_continuity(report, previous, out)
        return out.done()

    def report_for(self, agency: str, year: int) -> Report | None:
        """The stored current report of an agency for a year (agency compared after normalising)."""
        key = f"{norm(agency)}|{year}"
        row = self._one(
            "select v.report_json from reports r join versions v on v.id = r.current_version "
            "where r.report_key = ? order by r.last_seen desc limit 1",
            [key],
        )
        return report_from_json(json.loads(row["report_json"])) if row else None

    def _sync_findings(self, report_id: int, version_id: int, findings: list[Finding], ts: str):
        seen = set()
        new_ids: list[int] = []
        for f in findings:
            seen.add(f.fingerprint)
            values = {
                "report_id": report_id, "version_id": version_id, "rule": f.rule, "severity": f.severity,
                "where_": f.where, "message": f.message, "cells": json.dumps(f.cells, ensure_ascii=False),
                "lhs": json.dumps(f.to_json().get("lhs"), ensure_ascii=False),
                "rhs": json.dumps(f.to_json().get("rhs"), ensure_ascii=False), "last_seen": ts,
            }  # fmt: skip
            existing = self._one("select id from findings where fingerprint = ?", [f.fingerprint])
            if existing:
                self.db["findings"].update(existing["id"], {**values, "resolved_at": None})
            else:
                fid = self.db["findings"].insert({**values, "fingerprint": f.fingerprint, "first_seen": ts}).last_pk
                new_ids.append(fid)
        resolved = [
            r["id"]
            for r in self.db.query(
                "select id, fingerprint from findings where report_id = ? and resolved_at is null", [report_id]
            )
            if r["fingerprint"] not in seen
        ]
        for fid in resolved:
            self.db["findings"].update(fid, {"resolved_at": ts})
        return new_ids, resolved

    # --- pages and runs -----------------------------------------------------
    def page(self, url: str) -> dict[str, Any] | None:
        return self._one("select * from pages where url = ?", [url])

    def record_page(self, url: str, site: str, **values: Any) -> None:
        with self.db.conn:
            self.db["pages"].upsert({"url": url, "site": site, "last_fetched": now(), **values}, pk="url")

    def start_run(self, site: str) -> int:
        with self.db.conn:
            self._ensure_site(site, now())
            return self.db["crawl_runs"].insert({"site": site, "started": now(), "status": "running"}).last_pk

    def finish_run(self, run_id: int, status: str, counts: dict[str, Any], errors: list[str]) -> None:
        with self.db.conn:
            self.db["crawl_runs"].update(
                run_id,
                {
                    "finished": now(),
                    "status": status,
                    "counts": json.dumps(counts, ensure_ascii=False),
                    "errors": json.dumps(errors, ensure_ascii=False),
                },
            )

    # --- queries ------------------------------------------------------------
    def open_findings(self, site: str | None = None, severity: str | None = None) -> list[dict[str, Any]]:
        sql = (
            "select f.*, r.site, r.agency, r.year, r.url from findings f join reports r on r.id = f.report_id "
            "where f.resolved_at is null and f.severity != 'info'"
        )
        args: list[Any] = []
        if site:
            sql += " and r.site = ?"
            args.append(site)
        if severity:
            sql += " and f.severity = ?"
            args.append(severity)
        return list(self.db.query(sql + " order by r.site, r.agency, r.year, f.id", args))

    def search(self, query: str, site: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Reports whose text holds `query`. FTS5 trigram needs 3+ characters; shorter uses LIKE."""
        args: list[Any] = []
        if len(query) >= 3:
            sql = (
                "select r.id, r.site, r.agency, r.year, r.title, r.url, "
                "snippet(report_text_fts, 2, '[', ']', '…', 12) as snippet "
                "from report_text_fts join reports r on r.id = report_text_fts.rowid "
                "where report_text_fts match ?"
            )
            args.append('"' + query.replace('"', '""') + '"')
        else:
            sql = (
                "select r.id, r.site, r.agency, r.year, r.title, r.url, substr(t.text, "
                "max(1, instr(t.text, ?) - 20), 60) as snippet from report_text t "
                "join reports r on r.id = t.report_id where instr(t.text, ?) > 0"
            )
            args += [query, query]
        if site:
            sql += " and r.site = ?"
            args.append(site)
        return list(self.db.query(sql + f" order by r.year desc limit {int(limit)}", args))

    def reports(self, site: str | None = None, year: int | None = None) -> list[dict[str, Any]]:
        sql = "select r.*, v.report_json from reports r join versions v on v.id = r.current_version where 1 = 1"
        args: list[Any] = []
        if site:
            sql += " and r.site = ?"
            args.append(site)
        if year:
            sql += " and r.year = ?"
            args.append(year)
        return list(self.db.query(sql + " order by r.site, r.year, r.agency", args))

    def versions(self, report_id: int) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "select id, url, fetched_at, content_hash from versions where report_id = ? order by id", [report_id]
            )
        )

    def records(self, version_id: int) -> list[str]:
        row = self._one("select records from versions where id = ?", [version_id])
        return row["records"].split("\n") if row else []

    def latest_years(self, today: date) -> list[dict[str, Any]]:
        """Each agency's latest stored year: the input of the missing_report rule."""
        return list(
            self.db.query(
                "select site, agency, max(year) as year from reports where agency is not null group by site, agency"
            )
        )

    def _one(self, sql: str, args: list[Any]) -> dict[str, Any] | None:
        rows = list(self.db.query(sql, args))
        return rows[0] if rows else None
