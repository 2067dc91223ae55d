"""Reports and their versions (`reports`, `versions`, and each version's `cells`: storage.cells):
what is written for a report and read back, and the diff of two versions."""

from __future__ import annotations

import difflib
import hashlib
import json
import zlib
from dataclasses import dataclass
from typing import Any

import orjson
import sqlite_utils

from parsers.model import Report, key_of, report_from_json
from storage.cells import Cells
from storage.copies import ON_SITE, seen_from
from storage.db import and_equal, first

# What the continuity checks read of a stored report: its JSON form without the narrative.
_TABLES_JSON = "json_remove(v.report_json, '$.sections', '$.findings', '$.notes')"
_META = "url = ?, agency = ?, year = ?, title = ?, published = ?, template = ?, last_seen = ?, status = ?"


def content_hash(records: list[str]) -> str:
    """Hash of the text records, not the raw bytes: a visitor counter is not a revision."""
    return hashlib.sha256("\n".join(records).encode("utf-8")).hexdigest()


def compress_page(raw: bytes) -> bytes:
    """The raw page as versions.raw keeps it: zlib (zlib.decompress reads it back)."""
    return zlib.compress(raw, 3)


def report_json(report: Report) -> str:
    """The report's JSON form: orjson (~10x json.dumps on a report's 600 keys), or json for a
    number orjson cannot write (an integer past 64 bits, as a garbled cell may hold)."""
    data = report.to_json()
    try:
        return orjson.dumps(data).decode()
    except TypeError:
        return json.dumps(data, ensure_ascii=False)


@dataclass
class Known:
    """A stored report that a newly parsed one is (same site, same key), and what it holds of
    the new one's text."""

    report_id: int
    current_version: int
    same_text: int | None  # the version with the same text, if any
    current_url: str | None  # the URL of the current version

    def unchanged(self, url: str) -> bool:
        """Its text is known. An earlier text seen at another URL is a copy, not a revision (no
        flip-flopping); one at the current URL is a revert (reverted)."""
        return self.same_text is not None and not self.reverted(url)

    def reverted(self, url: str) -> bool:
        """The page at the current URL went back to an earlier text: that version is current again."""
        return self.same_text is not None and self.same_text != self.current_version and self.current_url == url


@dataclass
class Stored:
    """A stored report as the rules read it: its current version, tables without the narrative."""

    report_id: int
    site: str
    version_id: int
    report: Report


class Reports:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.cells = Cells(db)

    # --- writing (within the caller's transaction) ---------------------------------------------
    def known(self, site: str, key: str, digest: str) -> Known | None:
        conn = self.db.conn
        row = conn.execute(
            "select id, current_version from reports where site = ? and report_key = ?", [site, key]
        ).fetchone()
        if row is None:
            return None
        same = conn.execute(
            "select id from versions where report_id = ? and content_hash = ?", [row[0], digest]
        ).fetchone()
        url = conn.execute("select url from versions where id = ?", [row[1]]).fetchone()
        return Known(row[0], row[1], same[0] if same else None, url[0] if url else None)

    def seen_again(self, report_id: int, url: str, ts: str) -> None:
        """Fetched again unchanged, perhaps at a new URL (it moved: the same report)."""
        self.db.conn.execute("update reports set last_seen = ?, url = ? where id = ?", [ts, url, report_id])

    def insert(self, site: str, key: str, url: str, report: Report, ts: str, status: str) -> int:
        return self.db.conn.execute(
            "insert into reports (url, agency, year, title, published, template, last_seen, status, "
            "site, report_key, first_seen) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [*_meta(url, report, ts, status), site, key, ts],
        ).lastrowid

    def update(self, report_id: int, url: str, report: Report, ts: str, status: str, version_id: int) -> None:
        self.db.conn.execute(
            f"update reports set {_META}, current_version = ? where id = ?",
            [*_meta(url, report, ts, status), version_id, report_id],
        )

    def add_version(
        self, report_id: int, url: str, ts: str, digest: str, records: list[str], report: Report,
        raw: bytes = b"", encoding: str | None = None, attachments: list[str] | None = None,
    ) -> int:  # fmt: skip
        """A new version of a report: its text records, JSON form, raw page (compressed) and its
        cells (with their notes)."""
        version_id = self.db.conn.execute(
            "insert into versions (report_id, url, fetched_at, content_hash, raw, encoding, records, "
            "report_json, attachments) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                report_id, url, ts, digest, compress_page(raw) if raw else None, encoding, "\n".join(records),
                report_json(report), json.dumps(attachments or [], ensure_ascii=False),
            ],
        ).lastrowid  # fmt: skip
        self.cells.add(version_id, report)
        return version_id

    def set_source(self, version_id: int, source: dict[str, Any] | None) -> None:
        """Replace the `source` of a version's JSON form (a person confirmed its OCR'd numbers, or
        took that back): the numbers and the text records stay as they were read."""
        if source:
            sql, args = "json_set(report_json, '$.source', json(?))", [orjson.dumps(source).decode()]
        else:
            sql, args = "json_remove(report_json, '$.source')", []
        self.db.conn.execute(f"update versions set report_json = {sql} where id = ?", [*args, version_id])

    # --- reading --------------------------------------------------------------------------------
    def report_for(self, agency: str, year: int, site: str | None = None) -> Report | None:
        """The stored current report of an agency for a year (agency compared after normalising
        white space, brackets and width); the one on `site` first when there are several."""
        row = self.db.conn.execute(
            f"select {_TABLES_JSON} from reports r join versions v on v.id = r.current_version "
            "where r.report_key = ? order by r.site = ? desc, r.last_seen desc limit 1",
            [key_of(agency, year), site],
        ).fetchone()
        return report_from_json(orjson.loads(row[0])) if row else None

    def of_key(self, key: str) -> list[Stored]:
        """Every stored report with this key (one agency's year, on any site)."""
        rows = self.db.conn.execute(
            f"select r.id, r.site, r.current_version, {_TABLES_JSON} from reports r "
            "join versions v on v.id = r.current_version where r.report_key = ?",
            [key],
        ).fetchall()
        return [Stored(rid, site, vid, report_from_json(orjson.loads(data))) for rid, site, vid, data in rows]

    def current_report(self, report_id: int) -> Stored | None:
        """A report's current version as the rules read it, its narrative included (None: no such report)."""
        row = self.db.conn.execute(
            "select r.site, r.current_version, v.report_json from reports r "
            "join versions v on v.id = r.current_version where r.id = ?",
            [report_id],
        ).fetchone()
        return Stored(report_id, row[0], row[1], report_from_json(orjson.loads(row[2]))) if row else None

    def key(self, report_id: int) -> str | None:
        row = self.db.conn.execute("select report_key from reports where id = ?", [report_id]).fetchone()
        return row[0] if row else None

    def with_agency_and_year(self) -> list[tuple[int, str, int, int, str]]:
        """(id, report key, year, current version, agency) of every report that names both, in
        the order they were first stored."""
        return self.db.conn.execute(
            "select id, report_key, year, current_version, agency from reports "
            "where agency is not null and year is not null order by id"
        ).fetchall()

    def current(self, site: str | None = None, year: int | None = None) -> list[dict[str, Any]]:
        """The reports (on a site, a copy included; of a year) with their current version's JSON form;
        `url` and `site` as that site shows them, `home_site` and `home_url` their own (copies.seen_from)."""
        columns, args = seen_from(site)
        sql = (
            "select r.id, r.report_key, r.agency, r.year, r.title, r.published, r.template, r.first_seen, "
            f"r.last_seen, r.current_version, r.status, {columns}, v.report_json "
            "from reports r join versions v on v.id = r.current_version where 1 = 1"
        )
        if site:  # the site's own reports and its copies of other sites' reports
            sql, args = f"{sql} and {ON_SITE}", [*args, site]
        sql, args = and_equal(sql, args, {"r.year": year})
        return list(self.db.query(sql + " order by r.site, r.year, r.agency", args))

    def current_json(self, report_id: int) -> dict[str, Any] | None:
        """The JSON form of a report's current version (None: no such report)."""
        row = self.db.conn.execute(
            "select v.report_json from reports r join versions v on v.id = r.current_version where r.id = ?",
            [report_id],
        ).fetchone()
        return orjson.loads(row[0]) if row else None

    def versions(self, report_id: int) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "select id, url, fetched_at, content_hash from versions where report_id = ? order by id", [report_id]
            )
        )

    def records(self, version_id: int) -> list[str]:
        row = first(self.db, "select records from versions where id = ?", [version_id])
        return row["records"].split("\n") if row else []

    def diff(
        self, report_id: int | None = None, old: int | None = None, new: int | None = None, context: int = 3
    ) -> str:
        """Unified diff of the text records of two versions: `old` and `new` (version ids), or a
        report's previous and current versions (`report_id`). Empty when there is nothing to compare."""
        if old is None or new is None:
            if report_id is None:
                raise ValueError("diff needs a report_id or two version ids")
            ids = [v["id"] for v in self.versions(report_id)]
            if new is None:
                current = first(self.db, "select current_version from reports where id = ?", [report_id])
                new = current["current_version"] if current else None
            if old is None:
                earlier = [i for i in ids if new is not None and i < new]
                old = earlier[-1] if earlier else None
            if old is None or new is None:
                return ""
        heads = {
            r["id"]: f"version {r['id']} {r['fetched_at']} {r['url']}"
            for r in self.db.query("select id, fetched_at, url from versions where id in (?, ?)", [old, new])
        }
        if old not in heads or new not in heads:
            raise KeyError(f"no version {old if old not in heads else new}")
        lines = difflib.unified_diff(
            self.records(old), self.records(new), heads[old], heads[new], n=context, lineterm=""
        )
        return "\n".join(lines)


def _meta(url: str, report: Report, ts: str, status: str) -> list[Any]:
    """The columns of `reports` a version sets, in the order of _META."""
    return [url, report.agency, report.year, report.title, report.published, report.template, ts, status]
