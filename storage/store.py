"""The store: the one object callers open (Store(path)). It composes the parts, each of which
keeps one kind of thing (storage.reports, .findings, .runs, .pages, .search), and writes a
report with all that belongs to it (version, cells, findings, search text, page state) in one
transaction, so a crawl killed part-way leaves either all of a report or none of it.

The rules are not here: save_report and check_missing_reports are handed a Judge
(storage.judge; checks.assess.JUDGE), ask it inside the transaction, and store what it says.
Everything else is asked of the part that keeps it: store.reports.diff(report_id),
store.runs.start(site), store.findings.open(site), store.text.search(query), store.pages.record(url, site)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from common.constants import PageStatus, ReportStatus, RunStatus, SaveStatus, Severity
from parsers.model import Finding, Report, key_of, rekey, report_key, split_key
from storage.columns import Columns
from storage.copies import Copies, Home
from storage.db import connect, ensure_site, now, writing
from storage.findings import Findings
from storage.judge import Judge
from storage.pages import Pages
from storage.publishers import Publishers
from storage.reports import Reports, content_hash
from storage.runs import Runs
from storage.search import TextIndex

__all__ = ["Confirmed", "Saved", "Store", "Sweep", "now"]
# What a person's confirmation of a version's OCR'd numbers adds to its source (Store.confirm).
CONFIRMATION = ("confirmed", "confirmed_at", "confirmed_by")


@dataclass
class Saved:
    status: SaveStatus
    report_id: int
    version_id: int
    previous_version_id: int | None = None
    # ids of the findings this save opened (new or reopened) or resolved: this report's, the next year's
    # report's (its continuity checks re-run against this one) and a missing_report this one answers
    new_findings: list[int] = field(default_factory=list)
    resolved_findings: list[int] = field(default_factory=list)
    rechecked: list[int] = field(default_factory=list)  # ids of year N+1 reports re-checked


@dataclass
class Confirmed:
    """What Store.confirm did: the version confirmed (or no longer), its source now, the findings
    opened or resolved (this report's and the next year's) and the next year's reports re-checked."""

    report_id: int
    version_id: int
    source: dict[str, Any] | None
    new_findings: list[int] = field(default_factory=list)
    resolved_findings: list[int] = field(default_factory=list)
    rechecked: list[int] = field(default_factory=list)


@dataclass
class Sweep:
    """What check_missing_reports did: finding ids opened, still open, resolved."""

    new: list[int] = field(default_factory=list)
    still_open: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)


class Store:
    def __init__(self, path: str | Path, *, readonly: bool = False, verify: bool = False) -> None:
        """readonly: for commands that only read (storage.db.connect); verify: for those that
        write, a damaged file is refused before anything is written (StoreError)."""
        self.path = Path(path)
        self.closed = False
        self.readonly = readonly
        self.db = connect(self.path, readonly=readonly, verify=verify)
        self.reports = Reports(self.db)
        self.findings = Findings(self.db)
        self.runs = Runs(self.db)
        self.pages = Pages(self.db)
        self.columns = Columns(self.db)
        self.copies = Copies(self.db)
        self.publishers = Publishers(self.db)
        self.text = TextIndex(self.db, readonly)

    def close(self, index: bool = True) -> None:
        """Bring the search index up to date (unless `index` is False: another connection that
        closes later will) and close the connection (again: nothing)."""
        if self.closed:
            return
        if index and not self.readonly:
            self.text.index()
        self.db.close()
        self.closed = True

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- a report and all that belongs to it ------------------------------------------------
    def save_report(  # long because it is the one transaction that writes a report and all that belongs to it
        self,
        site: str,
        url: str,
        report: Report,
        records: list[str],
        *,
        judge: Judge,
        raw: bytes = b"",
        encoding: str | None = None,
        fetched_at: str | None = None,
        attachments: list[str] | None = None,
        page: dict[str, Any] | None = None,
    ) -> Saved:
        """Store one parsed report (its own findings in report.findings): a new report, a new
        version of one, or nothing new.

        A report is identified by agency + year (report_key), not by URL: fetched again with the
        same text (at any URL) it is unchanged; with other text it gets a new version. Found on a
        second site (the city portal republishes the districts' reports), it is a copy: one more
        URL of the report stored first (status COPY), compared with it (copies_differ).
        `judge` checks it against the stored report of year N-1, and the stored report of year
        N+1 again against this one (crawl order is arbitrary). `raw` is the page as fetched (kept
        compressed). `page`, the page's crawl state (etag, last_modified, http_status), is
        recorded in the same transaction."""
        ts = fetched_at or now()
        # Agency + year identify a report; a page that names neither is known by its URL only
        # (two such pages must not merge into one report with two "versions").
        key = report_key(report) if report.agency and report.year else f"url:{url}"
        if not report.agency and not report.title:  # fingerprints from "|year" alone would be shared
            report.findings = rekey(report.findings, key)
        digest = content_hash(records)
        with writing(self.db.conn) as conn:
            ensure_site(conn, site, ts)
            known = self.reports.known(site, key, digest)
            home = self.copies.home(key, site) if known is None and report.agency and report.year else None
            if home is not None:
                return self._save_copy(home, site, url, report, judge, ts, page)
            if known is not None and known.unchanged(url):
                self.reports.seen_again(known.report_id, url, ts)
                self.copies.record(known.report_id, site, url, ts)
                self._page_stored(url, site, page, known.report_id)
                return Saved(SaveStatus.UNCHANGED, known.report_id, known.same_text, known.same_text)
            findings = [*report.findings, *self._history(report, site, judge)]
            status = ReportStatus.ERROR if any(f.severity == Severity.ERROR for f in findings) else ReportStatus.OK
            if known is None:
                report_id, previous = self.reports.insert(site, key, url, report, ts, status), None
            else:
                report_id, previous = known.report_id, known.current_version
            if known is not None and known.reverted(url):
                version_id = known.same_text  # that version, its cells and raw page are stored already
            else:
                version_id = self.reports.add_version(
                    report_id, url, ts, digest, records, report, raw, encoding, attachments
                )
            self.reports.update(report_id, url, report, ts, status, version_id)
            self.copies.record(report_id, site, url, ts)
            keep = (*judge.monitor_rules, *judge.copy_rules)
            new_ids, resolved = self.findings.sync(report_id, version_id, findings, ts, keep=keep)
            opened, closed = self._judge_copies(Home(report_id, site, version_id, report), judge, ts)
            new_ids, resolved = new_ids + opened, resolved + closed
            self.text.put(report_id, report.title, report.agency, "\n".join(records))
            resolved += self.findings.resolve_fingerprints(judge.answered_by(report), judge.monitor_rules, ts)
            rechecked = self._recheck_next_year(report, site, judge, ts, new_ids, resolved)
            self._page_stored(url, site, page, report_id)
        saved = SaveStatus.NEW if known is None else SaveStatus.CHANGED
        return Saved(saved, report_id, version_id, previous, new_ids, resolved, rechecked)

    def _save_copy(
        self, home: Home, site: str, url: str, report: Report, judge: Judge, ts: str, page: dict[str, Any] | None
    ) -> Saved:
        """The report stored from another site (`home`) found on `site`: one more URL of it, its
        tables compared with the report's when they are new or changed."""
        opened: list[int] = []
        closed: list[int] = []
        if self.copies.record(home.report_id, site, url, ts, report):
            opened, closed = self._judge_copies(home, judge, ts)
        self._page_stored(url, site, page, home.report_id)
        return Saved(SaveStatus.COPY, home.report_id, home.version_id, None, opened, closed)

    def _judge_copies(self, home: Home, judge: Judge, ts: str) -> tuple[list[int], list[int]]:
        """Ask the judge about the report's copies on other sites; store what it says (only the
        copy rules: the report's own findings stay). The ids opened and resolved."""
        copies = self.copies.others(home.report_id, home.site)
        if not copies:
            return [], []
        findings = judge.copies(home.report, home.site, copies)
        opened, closed = self.findings.sync(home.report_id, home.version_id, findings, ts, only=judge.copy_rules)
        if opened or closed:
            self.findings.refresh_status(home.report_id, judge.monitor_rules)
        return opened, closed

    def confirm(self, report_id: int, judge: Judge, *, by: str | None = None, undo: bool = False) -> Confirmed | None:
        """A person confirms the numbers of a report's current version, read by OCR (undo: takes it
        back). Its source says so (`confirmed`, `confirmed_at`, `confirmed_by` when known), and
        `judge` assesses the report again in the same transaction, so the findings that rested on
        unconfirmed numbers are what the rules say of confirmed ones; the stored report of year N+1
        is judged again too. The confirmation is the version's: a new version is unconfirmed.
        None: no such report."""
        ts = now()
        with writing(self.db.conn):
            stored = self.reports.current_report(report_id)
            if stored is None:
                return None
            report = stored.report
            source = {k: v for k, v in (report.source or {}).items() if k not in CONFIRMATION}
            if not undo:
                source.update({"confirmed": True, "confirmed_at": ts, **({"confirmed_by": by} if by else {})})
            report.source = source or None
            self.reports.set_source(stored.version_id, report.source)
            findings = judge.own(report)
            if not report.agency and not report.title:  # as save_report keyed them
                findings = rekey(findings, self.reports.key(report_id) or "")
            findings += self._history(report, stored.site, judge)
            keep = (*judge.monitor_rules, *judge.context_rules, *judge.copy_rules)
            new_ids, resolved = self.findings.sync(report_id, stored.version_id, findings, ts, keep=keep)
            self.findings.refresh_status(report_id, judge.monitor_rules)
            rechecked = self._recheck_next_year(report, stored.site, judge, ts, new_ids, resolved)
        return Confirmed(report_id, stored.version_id, report.source, new_ids, resolved, rechecked)

    def _history(self, report: Report, site: str, judge: Judge, previous: Report | None = None) -> list[Finding]:
        """The judge's findings of `report` against year N-1 (`previous`, else the stored one)."""
        if report.agency is None or report.year is None:
            return []
        previous = previous or self.reports.report_for(report.agency, report.year - 1, site)
        return judge.history(report, previous) if previous is not None else []

    def _recheck_next_year(
        self, report: Report, site: str, judge: Judge, ts: str, new_ids: list[int], resolved: list[int]
    ) -> list[int]:
        """Judge the stored year N+1 reports again, now that N is here; their ids."""
        if report.agency is None or report.year is None:
            return []
        later = self.reports.of_key(key_of(report.agency, report.year + 1))
        for stored in later:
            # Its year N is the report just saved when both are on the same site (report_for's choice).
            findings = self._history(stored.report, stored.site, judge, report if stored.site == site else None)
            opened, closed = self.findings.sync(
                stored.report_id, stored.version_id, findings, ts, only=judge.history_rules
            )
            new_ids += opened
            resolved += closed
            if opened or closed:
                self.findings.refresh_status(stored.report_id, judge.monitor_rules)
        return [stored.report_id for stored in later]

    def _page_stored(self, url: str, site: str, page: dict[str, Any] | None, report_id: int) -> None:
        if page is not None:
            self.pages.upsert(url, site, {**page, "status": PageStatus.STORED, "error": None, "report_id": report_id})

    # --- the monitoring rule: reports that should exist and do not --------------------------
    def check_missing_reports(self, today: date, judge: Judge) -> Sweep:
        """Ask `judge` which reports are missing on `today`, given every agency's newest stored
        report and the years each published, and store its findings on those newest reports
        (refreshed, not added again, by fingerprint); resolve the open ones it says a report
        published since answers."""
        ts = now()
        sweep = Sweep()
        with writing(self.db.conn):
            latest, holders, published = self._publications()
            for akey, finding in judge.missing(latest, published, today).items():
                report_id, version_id, page_url = holders[akey]
                known = self.findings.id_of(report_id, finding.fingerprint, page_url)
                sweep.new += self.findings.sync(report_id, version_id, [finding], ts, only=(), page_url=page_url)[0]
                if known:
                    sweep.still_open.append(known)
            sweep.resolved = judge.answered(self.findings.open_on_keys(judge.monitor_rules), published)
            self.findings.resolve(sweep.resolved, ts)
            sweep.still_open = [fid for fid in sweep.still_open if fid not in sweep.resolved]
        return sweep

    def _publications(
        self,
    ) -> tuple[dict[str, tuple[str, int]], dict[str, tuple[int | None, int | None, str | None]], dict[str, set[int]]]:
        """What the store knows was published, by agency key: the newest publication (agency as it
        names it, year), what holds its findings (report id, current version, page URL: a report's
        id and version, or a report published as images or a file only by its page's URL), and
        every year published."""
        latest: dict[str, tuple[str, int]] = {}
        holders: dict[str, tuple[int | None, int | None, str | None]] = {}
        published: dict[str, set[int]] = {}
        for report_id, key, year, version_id, agency in self.reports.with_agency_and_year():
            akey = split_key(key)[0]
            published.setdefault(akey, set()).add(year)
            if akey not in latest or year > latest[akey][1]:
                latest[akey], holders[akey] = (agency, year), (report_id, version_id, None)
        for agency, year, url in self.pages.published_as_files():
            akey = split_key(key_of(agency, year))[0]
            published.setdefault(akey, set()).add(year)
            # A unit's newest year published as a file only (or all its years: a unit known from files
            # alone) is N all the same: its page holds the missing_report of N+1. A report of the
            # same year holds it rather than the page.
            if akey not in latest or year > latest[akey][1]:
                latest[akey], holders[akey] = (agency, year), (None, None, url)
        return latest, holders, published

    # --- what spans two parts ----------------------------------------------------------
    def finish_run(
        self, run_id: int, status: RunStatus | str, counts: dict[str, Any], errors: list[str], *, index: bool = True
    ) -> None:
        """Close a crawl run, the search index brought up to date first (unless `index` is False:
        a crawl still running in this process will, when it finishes)."""
        if index:
            self.text.index()
        self.runs.finish(run_id, status, counts, errors)
