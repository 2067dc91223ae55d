"""Writes and reads of the store. A report and all that belongs to it (version, cells,
findings, search text) is written in one transaction, so a crawl killed part-way leaves
either all of a report or none of it. A crawl records the page's state (ETag, status) in
the same transaction; a page that holds no report has its state written alone.

The history rules (carry_continuity, in_force_continuity, missing_report) run here, not in
the parse step, because they need the stored report of year N-1 within the same transaction."""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import socket
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import sqlite_utils

from parsers.checks import (
    fingerprint,
    key_of,
    missing_report,
    rekey,
    report_key,
    run_history_checks,
)
from parsers.model import TABLE_PARTS, Finding, Report, report_from_json
from storage.db import now
from storage.errors import SiteBusy
from storage.schema import migrate

# Rules that need the stored report of year N-1 (re-run when N-1 arrives after N), and the
# monitoring rule, which no version of a report can resolve: only the next year's report can.
HISTORY_RULES = ("carry_continuity", "in_force_continuity")
MONITOR_RULES = ("missing_report",)


def content_hash(records: list[str]) -> str:
    """Hash of the text records, not the raw bytes: a visitor counter is not a revision."""
    return hashlib.sha256("\n".join(records).encode("utf-8")).hexdigest()


def _report_json(report: Report) -> str:
    """The report's JSON form: orjson (~10x json.dumps on a report's 600 keys), or json for a
    number orjson cannot write (an integer past 64 bits, as a garbled cell may hold)."""
    data = report.to_json()
    try:
        return orjson.dumps(data).decode()
    except TypeError:
        return json.dumps(data, ensure_ascii=False)


def run_owner(pid: int | None = None) -> str:
    """Who runs a crawl: host, boot, pid and the process's start time, so a later crawl can
    tell whether that process still runs (a pid alone is reused, e.g. after a container restart)."""
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}|{_boot_id()}|{pid}|{_start_time(_stat(pid))}"


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:  # not Linux: pids are compared without it
        return ""


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat after the command name: [state, ppid, ...] ([] where there is no /proc)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _start_time(stat: list[str]) -> str:
    return stat[19] if len(stat) > 19 else ""  # field 22 of /proc/PID/stat: start time, in ticks since boot


def _same_process(owner: str | None, me: str) -> bool:
    """Whether a run's owner is this process (host, boot and pid; whatever else it records):
    a run this process left open is a leftover, never another crawl."""
    return bool(owner) and owner.split("|")[:3] == me.split("|")[:3]


def _alive(owner: str | None) -> bool:
    """Whether the process that owns a run still runs. Another host, an earlier boot or no owner
    (a run from before schema 7): gone, as before."""
    if not owner or owner.count("|") < 2 or os.name != "posix":  # os.kill(pid, 0) would end it on Windows
        return False
    host, boot, pid, *started = owner.split("|")
    if host != socket.gethostname() or boot != _boot_id():
        return False
    try:
        os.kill(int(pid), 0)
    except PermissionError:  # it exists, under another user
        pass
    except (ProcessLookupError, ValueError, OverflowError, OSError):
        return False
    stat = _stat(int(pid))
    if stat and stat[0] in ("Z", "X"):  # killed, not yet reaped by its parent: gone
        return False
    return not (started and started[0] and stat and _start_time(stat) != started[0])  # pid reused


def compress_page(raw: bytes) -> bytes:
    """The raw page as versions.raw keeps it: zlib (zlib.decompress reads it back). A crawl
    compresses in its parse worker (crawler.pipelines), so the writer does not pay ~1 ms a page."""
    return zlib.compress(raw, 3)


@dataclass
class Saved:
    status: str  # "new" | "changed" | "unchanged"
    report_id: int
    version_id: int
    previous_version_id: int | None = None
    # ids of the findings this save opened (new or reopened) or resolved: this report's, the next year's
    # report's (its continuity checks re-run against this one) and a missing_report this one answers
    new_findings: list[int] = field(default_factory=list)
    resolved_findings: list[int] = field(default_factory=list)
    rechecked: list[int] = field(default_factory=list)  # ids of year N+1 reports re-checked


@dataclass
class Sweep:
    """What check_missing_reports did: finding ids opened, still open, resolved."""

    new: list[int] = field(default_factory=list)
    still_open: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)


# What the continuity checks read of a stored report: its JSON form without the narrative.
_TABLES_JSON = "json_remove(v.report_json, '$.sections', '$.findings', '$.notes')"
_PAGE_COLUMNS = {
    "site", "etag", "last_modified", "hash", "status", "http_status", "last_fetched", "error", "report_id",
    "agency", "year",
}  # fmt: skip
_FINDING_COLUMNS = "report_id, version_id, rule, severity, where_, message, cells, lhs, rhs, last_seen"


class Store:
    def __init__(self, path: str | Path) -> None:
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.closed = False
        self.db = sqlite_utils.Database(path)
        self.db.execute("pragma busy_timeout = 30000")
        if str(path) != ":memory:":
            self.db.enable_wal()
            # In WAL mode NORMAL never corrupts the file; a power cut may lose the last commits,
            # which the next crawl fetches again. FULL would fsync every report.
            self.db.execute("pragma synchronous = normal")
            # Checkpoint every ~40 MB of WAL rather than 4 MB (each report writes ~50 KB), and keep
            # the WAL file no larger than 64 MB once checkpointed.
            self.db.execute("pragma wal_autocheckpoint = 10000")
            self.db.execute("pragma journal_size_limit = 67108864")
        self.db.execute("pragma foreign_keys = on")
        migrate(self.db)

    def close(self) -> None:
        """Bring the search index up to date and close the connection (again: nothing)."""
        if self.closed:
            return
        self.index_text()
        self.db.close()
        self.closed = True

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reports ----------------------------------------------------------
    def save_report(
        self,
        site: str,
        url: str,
        report: Report,
        records: list[str],
        raw: bytes = b"",
        encoding: str | None = None,
        raw_compressed: bytes | None = None,
        fetched_at: str | None = None,
        attachments: list[str] | None = None,
        page: dict[str, Any] | None = None,
    ) -> Saved:
        """Store one parsed report: a new report, a new version of one, or nothing new.

        A report is identified by site + agency + year (report_key), not by URL: fetched again
        with the same text (at any URL) it is unchanged; with other text it gets a new version.
        Its continuity checks run against the stored report of year N-1, and the stored report of
        year N+1 is checked again against this one (crawl order is arbitrary). The raw page is
        given as `raw`, or already compressed by compress_page() as `raw_compressed`. `page`, the
        page's crawl state (etag, last_modified, http_status), is recorded in the same transaction."""
        ts = fetched_at or now()
        # Agency + year identify a report; a page that names neither is known by its URL only
        # (two such pages must not merge into one report with two "versions").
        key = report_key(report) if report.agency and report.year else f"url:{url}"
        if not report.agency and not report.title:  # fingerprints from "|year" alone would be shared
            report.findings = rekey(report.findings, key)
        digest = content_hash(records)
        conn = self.db.conn
        with conn:
            if not conn.in_transaction:
                conn.execute("begin immediate")
            self._ensure_site(site, ts)
            row = conn.execute(
                "select id, current_version from reports where site = ? and report_key = ?", [site, key]
            ).fetchone()
            earlier = None
            if row is not None:
                same = conn.execute(
                    "select id from versions where report_id = ? and content_hash = ?", [row[0], digest]
                ).fetchone()
                current_url = conn.execute("select url from versions where id = ?", [row[1]]).fetchone()
                reverted = same is not None and same[0] != row[1] and current_url and current_url[0] == url
                if same is not None and not reverted:
                    # Fetched again unchanged, perhaps at a new URL (it moved: the same report). An
                    # earlier text seen at another URL is a copy, not a revision: no flip-flopping.
                    conn.execute("update reports set last_seen = ?, url = ? where id = ?", [ts, url, row[0]])
                    if page is not None:
                        self._upsert_page(url, site, {**page, "status": "stored", "error": None, "report_id": row[0]})
                    return Saved("unchanged", row[0], same[0], same[0])
                # The page at the current URL went back to an earlier text: that version is current again.
                earlier = same[0] if reverted else None
            findings = [*report.findings, *self._history_findings(report, site)]
            status = "error" if any(f.severity == "error" for f in findings) else "ok"
            meta = [url, report.agency, report.year, report.title, report.published, report.template, ts, status]
            if row is None:
                report_id = conn.execute(
                    "insert into reports (url, agency, year, title, published, template, last_seen, status, "
                    "site, report_key, first_seen) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [*meta, site, key, ts],
                ).lastrowid
                previous = None
            else:
                report_id, previous = row
            text = "\n".join(records)
            report_json = _report_json(report)
            if earlier is not None:
                version_id = earlier  # that version, its cells and raw page are stored already
            else:
                if raw_compressed is None and raw:
                    raw_compressed = compress_page(raw)
                version_id = self._insert_version(
                    report_id, url, ts, digest, raw_compressed, encoding, text, report_json, attachments, report
                )
            conn.execute(
                "update reports set url = ?, agency = ?, year = ?, title = ?, published = ?, template = ?, "
                "last_seen = ?, status = ?, current_version = ? where id = ?",
                [*meta, version_id, report_id],
            )
            new_ids, resolved = self._sync_findings(report_id, version_id, findings, ts, keep=MONITOR_RULES)
            # The search text; the index follows in batches (index_text). text_pending keeps what the
            # index holds for this report until then (an external-content index deletes by value).
            conn.execute(
                "insert or ignore into text_pending (report_id, indexed, title, agency, text) "
                "select ?, t.report_id is not null, t.title, t.agency, t.text "
                "from (select 1) left join report_text t on t.report_id = ?",
                [report_id, report_id],
            )
            conn.execute(
                "insert into report_text (report_id, title, agency, text) values (?, ?, ?, ?) on conflict (report_id) "
                "do update set title = excluded.title, agency = excluded.agency, text = excluded.text",
                [report_id, report.title, report.agency, text],
            )
            resolved += self._resolve_missing(report, ts)
            rechecked = self._recheck_next_year(report, site, ts, new_ids, resolved)
            if page is not None:
                self._upsert_page(url, site, {**page, "status": "stored", "error": None, "report_id": report_id})
        return Saved("new" if row is None else "changed", report_id, version_id, previous, new_ids, resolved, rechecked)

    def _insert_version(
        self, report_id: int, url: str, ts: str, digest: str, raw: bytes | None, encoding: str | None, text: str,
        report_json: str, attachments: list[str] | None, report: Report,
    ) -> int:  # fmt: skip
        version_id = self.db.conn.execute(
            "insert into versions (report_id, url, fetched_at, content_hash, raw, encoding, records, "
            "report_json, attachments) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                report_id, url, ts, digest, raw or None, encoding, text,
                report_json, json.dumps(attachments or [], ensure_ascii=False),
            ],
        ).lastrowid  # fmt: skip
        self._insert_cells(version_id, report)
        return version_id

    def _insert_cells(self, version_id: int, report: Report) -> None:
        """The cells themselves are the `cells` view of report_json (schema._v6); only the
        rare cell that said more than a number keeps its text, in cell_notes."""
        if not report.notes:
            return
        notes = [
            (version_id, part, row, col, report.notes[f"{part}.{row}.{col}"])
            for part in TABLE_PARTS.values()
            for row, cols in getattr(report, part).items()
            for col in cols
            if f"{part}.{row}.{col}" in report.notes  # a row label may hold a dot: match whole keys
        ]
        self.db.conn.executemany(
            "insert or replace into cell_notes (version_id, part, row, col, note) values (?, ?, ?, ?, ?)", notes
        )

    def index_text(self, batch: int = 500) -> int:
        """Bring the full-text index up to date with the reports stored since; returns how many."""
        conn = self.db.conn
        done = 0
        while conn.execute("select exists (select 1 from text_pending)").fetchone()[0]:
            with conn:
                conn.execute("begin immediate")
                ids = [
                    r[0] for r in conn.execute("select report_id from text_pending order by report_id limit ?", [batch])
                ]
                marks = ",".join("?" * len(ids))
                conn.execute(
                    "insert into report_text_fts (report_text_fts, rowid, title, agency, text) "
                    f"select 'delete', report_id, title, agency, text from text_pending where indexed and report_id in ({marks})",
                    ids,
                )
                conn.execute(
                    "insert into report_text_fts (rowid, title, agency, text) "
                    f"select report_id, title, agency, text from report_text where report_id in ({marks})",
                    ids,
                )
                conn.execute(f"delete from text_pending where report_id in ({marks})", ids)
            done += len(ids)
        return done

    def _ensure_site(self, site: str, ts: str) -> None:
        self.db.conn.execute("insert or ignore into sites (name, first_crawled) values (?, ?)", [site, ts])

    def _history_findings(
        self, report: Report, site: str | None = None, previous: Report | None = None
    ) -> list[Finding]:
        if report.agency is None or report.year is None:
            return []
        previous = previous or self.report_for(report.agency, report.year - 1, site)
        if previous is None:
            return []
        return run_history_checks(report, previous)

    def report_for(self, agency: str, year: int, site: str | None = None) -> Report | None:
        """The stored current report of an agency for a year (agency compared after normalising
        white space, brackets and width); the one on `site` first when there are several."""
        row = self.db.conn.execute(
            f"select {_TABLES_JSON} from reports r join versions v on v.id = r.current_version "
            "where r.report_key = ? order by r.site = ? desc, r.last_seen desc limit 1",
            [key_of(agency, year), site],
        ).fetchone()
        return report_from_json(orjson.loads(row[0])) if row else None

    def _recheck_next_year(
        self, report: Report, site: str, ts: str, new_ids: list[int], resolved: list[int]
    ) -> list[int]:
        """Run the continuity checks of the stored year N+1 reports again, now that N is here."""
        if report.agency is None or report.year is None:
            return []
        rows = self.db.conn.execute(
            f"select r.id, r.site, r.current_version, {_TABLES_JSON} from reports r "
            "join versions v on v.id = r.current_version where r.report_key = ?",
            [key_of(report.agency, report.year + 1)],
        ).fetchall()
        for report_id, later_site, version_id, data in rows:
            later = report_from_json(orjson.loads(data))
            # Its year N is the report just saved when both are on the same site (report_for's choice).
            findings = self._history_findings(later, later_site, report if later_site == site else None)
            opened, closed = self._sync_findings(report_id, version_id, findings, ts, only=HISTORY_RULES)
            new_ids += opened
            resolved += closed
            if opened or closed:
                self._refresh_status(report_id)
        return [r[0] for r in rows]

    def _refresh_status(self, report_id: int) -> None:
        self.db.conn.execute(
            "update reports set status = case when exists (select 1 from findings where report_id = ? "
            "and resolved_at is null and severity = 'error' and rule not in ('missing_report')) "
            "then 'error' else 'ok' end where id = ?",
            [report_id, report_id],
        )

    def _sync_findings(
        self,
        report_id: int,
        version_id: int,
        findings: list[Finding],
        ts: str,
        only: Iterable[str] | None = None,
        keep: Iterable[str] = (),
    ) -> tuple[list[int], list[int]]:
        """Make the open findings of a report those given: insert new ones, refresh (and reopen)
        known ones by fingerprint, resolve the rest. `only`: the rules being re-evaluated (others
        are left alone); `keep`: rules this evaluation does not cover."""
        conn = self.db.conn
        existing = {
            fp: (fid, resolved_at, rule)
            for fid, fp, resolved_at, rule in conn.execute(
                "select id, fingerprint, resolved_at, rule from findings where report_id = ?", [report_id]
            )
        }
        seen: set[str] = set()
        new_ids: list[int] = []
        updates = []
        for f in findings:
            if f.fingerprint in seen:
                continue
            seen.add(f.fingerprint)
            data = f.to_json()
            values = [
                report_id, version_id, f.rule, f.severity, f.where, f.message,
                json.dumps(f.cells, ensure_ascii=False), json.dumps(data.get("lhs"), ensure_ascii=False),
                json.dumps(data.get("rhs"), ensure_ascii=False), ts,
            ]  # fmt: skip
            if f.fingerprint in existing:
                fid, resolved_at, _ = existing[f.fingerprint]
                updates.append([*values[1:], fid])
                if resolved_at is not None:
                    new_ids.append(fid)  # reopened: open again from this save on
            else:
                cur = conn.execute(
                    f"insert into findings ({_FINDING_COLUMNS}, fingerprint, first_seen) "
                    "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [*values, f.fingerprint, ts],
                )
                new_ids.append(cur.lastrowid)
        if updates:
            # A finding that comes back (it was resolved) is news again: clear what was alerted.
            conn.executemany(
                "update findings set version_id = ?, rule = ?, severity = ?, where_ = ?, message = ?, cells = ?, "
                "lhs = ?, rhs = ?, last_seen = ?, "
                "alerted_at = case when resolved_at is null then alerted_at end, "
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
        conn.executemany("update findings set resolved_at = ? where id = ?", [(ts, fid) for fid in resolved])
        return new_ids, resolved

    # --- the monitoring rule: reports that should exist and do not ---------------
    def _resolve_missing(self, report: Report, ts: str) -> list[int]:
        """The report of year N has arrived: the missing_report finding about it is resolved."""
        if report.agency is None or report.year is None:
            return []
        fp = fingerprint(report_key(report), "missing_report", "report")
        ids = [
            r[0]
            for r in self.db.conn.execute(
                "select id from findings where fingerprint = ? and rule = 'missing_report' and resolved_at is null",
                [fp],
            )
        ]
        self.db.conn.executemany("update findings set resolved_at = ? where id = ?", [(ts, i) for i in ids])
        return ids

    def check_missing_reports(self, today: date) -> Sweep:
        """missing_report for every agency whose latest stored year N-1 has no report for N once
        N is due (31 January, or 31 March for a people's government). The finding is attached to
        the agency's N-1 report; its fingerprint (agency + N) is stable, so running this again
        refreshes it rather than adding another, and storing the N report resolves it."""
        ts = now()
        sweep = Sweep()
        latest: dict[str, tuple[int, int, int, str]] = {}  # agency key -> (year, report id, version id, agency)
        years: dict[str, set[int]] = {}
        for report_id, key, year, version_id, agency in self.db.conn.execute(
            "select id, report_key, year, current_version, agency from reports "
            "where agency is not null and year is not null order by id"
        ):
            akey = key.rsplit("|", 1)[0]
            years.setdefault(akey, set()).add(year)
            if akey not in latest or year > latest[akey][0]:
                latest[akey] = (year, report_id, version_id, agency)
        # A report published as images or a file only is published too (pages.status attachment_only).
        for agency, year in self.db.conn.execute(
            "select agency, year from pages where status = 'attachment_only' and agency is not null and year is not null"
        ):
            years.setdefault(key_of(agency, year).rsplit("|", 1)[0], set()).add(year)
        conn = self.db.conn
        with conn:
            for akey, (year, report_id, version_id, agency) in latest.items():
                finding = missing_report(agency, year, today)
                if finding is None or year + 1 in years.get(akey, ()):  # N published as a file only
                    continue
                known = conn.execute(
                    "select id from findings where report_id = ? and fingerprint = ?", [report_id, finding.fingerprint]
                ).fetchone()
                new_ids, _ = self._sync_findings(report_id, version_id, [finding], ts, only=())
                sweep.new += new_ids
                if known:
                    sweep.still_open.append(known[0])
            # A missing report found since (stored on another site, or under a slightly different
            # spelling of the agency): resolve what the N report answers.
            for fid, key in conn.execute(
                "select f.id, r.report_key from findings f join reports r on r.id = f.report_id "
                "where f.rule = 'missing_report' and f.resolved_at is null"
            ).fetchall():
                akey, _, year = key.rpartition("|")
                if year.isdigit() and int(year) + 1 in years.get(akey, ()):
                    conn.execute("update findings set resolved_at = ? where id = ?", [ts, fid])
                    sweep.resolved.append(fid)
                    if fid in sweep.still_open:
                        sweep.still_open.remove(fid)
        return sweep

    # --- versions -----------------------------------------------------------
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
                current = self._one("select current_version from reports where id = ?", [report_id])
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

    # --- pages and runs -----------------------------------------------------
    def stored_pages(self, site: str | None) -> dict[str, dict[str, Any]]:
        """{url: its crawl state} of the pages of a site (all sites: None) that hold a stored report:
        what a crawl asks before each request, read in one query."""
        sql = (
            "select url, last_fetched, etag, last_modified from pages where status = 'stored' and report_id is not null"
        )
        sql, args = _and_equal(sql, [], {"site": site})
        return {row["url"]: row for row in self.db.query(sql, args)}

    def record_page(self, url: str, site: str, **values: Any) -> None:
        """Upsert a page's crawl state; the columns not given keep their values."""
        with self.db.conn:
            self._upsert_page(url, site, values)

    def _upsert_page(self, url: str, site: str, values: dict[str, Any]) -> None:
        values = {"site": site, "last_fetched": now(), **values}
        if not values.keys() <= _PAGE_COLUMNS:  # names go into the SQL: only the table's own
            raise ValueError(f"not a column of pages: {sorted(values.keys() - _PAGE_COLUMNS)}")
        names = ", ".join(values)
        self.db.conn.execute(
            f"insert into pages (url, {names}) values (?{', ?' * len(values)}) on conflict (url) do update set "
            + ", ".join(f"{name} = excluded.{name}" for name in values),
            [url, *values.values()],
        )

    def start_run(self, site: str) -> int:
        """Open a crawl run of `site`; SiteBusy if another live process has one open. The check
        and the new row are one transaction, so two crawls starting together cannot both pass."""
        conn = self.db.conn
        with conn:
            if not conn.in_transaction:
                conn.execute("begin immediate")
            self._ensure_site(site, now())
            me = run_owner()
            for run_id, started, owner in conn.execute(
                "select id, started, owner from crawl_runs where site = ? and finished is null", [site]
            ).fetchall():
                if not _same_process(owner, me) and _alive(owner):
                    raise SiteBusy(site, int(owner.split("|")[2]), started)
                # Its process is gone (or it is this one's own leftover): it was killed.
                conn.execute("update crawl_runs set status = 'interrupted', finished = ? where id = ?", [now(), run_id])
            return conn.execute(
                "insert into crawl_runs (site, started, status, owner) values (?, ?, 'running', ?)", [site, now(), me]
            ).lastrowid

    def finish_run(self, run_id: int, status: str, counts: dict[str, Any], errors: list[str]) -> None:
        self.index_text()
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
        sql, args = _and_equal(sql, [], {"r.site": site, "f.severity": severity})
        return list(self.db.query(sql + " order by r.site, r.agency, r.year, f.id", args))

    def search(self, query: str, site: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Reports whose text holds `query`. FTS5 trigram needs 3+ characters; shorter uses LIKE."""
        self.index_text()
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
        sql, args = _and_equal(sql, args, {"r.site": site})
        return list(self.db.query(sql + f" order by r.year desc limit {int(limit)}", args))

    def reports(self, site: str | None = None, year: int | None = None) -> list[dict[str, Any]]:
        sql = "select r.*, v.report_json from reports r join versions v on v.id = r.current_version where 1 = 1"
        sql, args = _and_equal(sql, [], {"r.site": site, "r.year": year})
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

    def _one(self, sql: str, args: list[Any]) -> dict[str, Any] | None:
        rows = list(self.db.query(sql, args))
        return rows[0] if rows else None


def _and_equal(sql: str, args: list[Any], filters: dict[str, Any]) -> tuple[str, list[Any]]:
    """Add `and column = ?` for each filter that is set (the optional --site/--year/... options)."""
    for column, value in filters.items():
        if value:
            sql += f" and {column} = ?"
            args = [*args, value]
    return sql, args
