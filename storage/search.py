"""Full-text search over each report's current text (`report_text`, FTS5 trigram index).

The index is not kept by triggers row by row (trigram indexing is most of the cost of storing
a report): a stored report's text is queued in text_pending, with the values the index holds
for it, and `index` brings the index up to date in batches (before every search, at the end
of a crawl run, when the store closes)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from storage.copies import ON_SITE, seen_from

TRIGRAM = 3  # the shortest query the trigram index answers; shorter ones read the texts themselves
# A 1-2 character query reads the reports' texts in the order they are stored (sequential on disk),
# the newest first: a page of hits stops the walk, a tally stops at SHORT_CAP hits or after the
# SHORT_WINDOW newest reports, so that a rare word does not read every report's text.
SHORT_CAP = 1_000
SHORT_WINDOW = 5_000


@dataclass(frozen=True)
class Tally:
    """How many reports hold a query, as far as it was counted: `at_least` when the count stopped at
    its cap; `examined` reports of `of` were read (all of them unless the query was short)."""

    count: int
    at_least: bool = False
    examined: int = 0
    of: int = 0

    @property
    def complete(self) -> bool:
        return not self.at_least and self.examined == self.of


# The text records' "[table 1]" / "[/table 1]" lines mark grids for the diff; they are no text of the report.
MARKER = re.compile(r"^\[/?table \d+\]\n?", re.MULTILINE)


class TextIndex:
    def __init__(self, db: sqlite_utils.Database, readonly: bool = False) -> None:
        self.db = db
        self.readonly = readonly  # opened read-only: what the last crawl left indexed is searched

    def put(self, report_id: int, title: str | None, agency: str | None, text: str) -> None:
        """A report's current text, within the caller's transaction; the index follows (index)."""
        text = MARKER.sub("", text)
        conn = self.db.conn
        # text_pending keeps what the index holds for this report until then (an external-content
        # index deletes by value).
        conn.execute(
            "insert or ignore into text_pending (report_id, indexed, title, agency, text) "
            "select ?, t.report_id is not null, t.title, t.agency, t.text "
            "from (select 1) left join report_text t on t.report_id = ?",
            [report_id, report_id],
        )
        conn.execute(
            "insert into report_text (report_id, title, agency, text) values (?, ?, ?, ?) on conflict (report_id) "
            "do update set title = excluded.title, agency = excluded.agency, text = excluded.text",
            [report_id, title, agency, text],
        )

    def index(self, batch: int = 500) -> int:
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

    def search(
        self, query: str, site: str | None = None, limit: int = 50, offset: int = 0,
        marks: tuple[str, str] = ("[", "]"), refresh: bool = True, newest: int | None = None,
    ) -> list[dict[str, Any]]:  # fmt: skip
        """Reports whose text holds `query`, a page of them, the hit in the snippet between `marks`.
        FTS5 trigram needs 3+ characters, its hits come by year, newest first; a shorter query reads
        the texts, its hits by report id, newest stored first (of the `newest` stored reports only,
        if given: see tally). `refresh`: bring the index up to date first (a write, skipped on a
        read-only database). With a site, `url` is the report's URL there (a copy's, for a report it
        carries from another site) and home_site and home_url the report's own."""
        if refresh and not self.readonly:
            self.index()
        where, args = self._match(query, site, newest)
        short = len(query) < TRIGRAM
        order = " order by r.id desc" if short else " order by r.year desc, r.id"
        page = f"{order} limit {int(limit)} offset {int(offset)}"
        # The page's reports first, then the snippets of those alone: a word in every report would
        # otherwise have its snippet cut from each of 100,000 texts before the page is taken.
        ids = [row[0] for row in self.db.conn.execute("select r.id" + where + page, args)]
        if not ids:
            return []
        where += f" and {'r.id' if short else 'report_text_fts.rowid'} in ({','.join('?' * len(ids))})"
        args = [*args, *ids]
        shown, shown_args = seen_from(site)  # a copy the site carries: its URL there, and its home site
        if not short:
            head = f"select r.id, {shown}, r.agency, r.year, r.title, snippet(report_text_fts, 2, ?, ?, '…', 12) as snippet"
            args = [*shown_args, *marks, *args]
        else:
            head = (f"select r.id, {shown}, r.agency, r.year, r.title, "
                    "replace(substr(t.text, max(1, instr(t.text, ?) - 20), 60), ?, ? || ? || ?) as snippet")  # fmt: skip
            args = [*shown_args, query, query, marks[0], query, marks[1], *args]
        return list(self.db.query(head + where + order, args))

    def count(self, query: str, site: str | None = None) -> int:
        """How many reports `search` finds in all (its pages together)."""
        if not self.readonly:
            self.index()
        where, args = self._match(query, site)
        return self.db.conn.execute("select count(*)" + where, args).fetchone()[0]

    def tally(self, query: str, site: str | None = None, window: int = SHORT_WINDOW, cap: int = SHORT_CAP) -> Tally:
        """How many reports hold `query`, at a bounded cost: exact for 3+ characters (the index); for
        a shorter one, among the `window` newest stored reports (of the site), and at most `cap`
        (then `at_least`). What search(..., newest=window) pages through."""
        if len(query) >= TRIGRAM:
            return Tally(self.count(query, site))
        conn = self.db.conn
        scope, scope_args = (f" where {ON_SITE}", [site]) if site else ("", [])
        of = conn.execute("select count(*) from reports r" + scope, scope_args).fetchone()[0]
        where, args = self._match(query, site, window)
        hits = conn.execute(f"select count(*) from (select 1{where} limit {int(cap) + 1})", args).fetchone()[0]
        return Tally(min(hits, cap), at_least=hits > cap, examined=min(of, window), of=of)

    @staticmethod
    def _match(query: str, site: str | None, newest: int | None = None) -> tuple[str, list[Any]]:
        """The from-and-where of a search: the reports whose text holds `query` (of a site; a short
        query: of the `newest` stored reports, if given)."""
        if len(query) >= TRIGRAM:
            sql = " from report_text_fts join reports r on r.id = report_text_fts.rowid where report_text_fts match ?"
            args: list[Any] = ['"' + query.replace('"', '""') + '"']
        else:
            sql = " from report_text t join reports r on r.id = t.report_id where instr(t.text, ?) > 0"
            args = [query]
        if site:  # the site's own reports and its copies of other sites' reports
            sql, args = f"{sql} and {ON_SITE}", [*args, site]
        if newest is not None and len(query) < TRIGRAM:  # from the id of the newest-th newest report on
            scope, scope_args = (f" where {ON_SITE}", [site]) if site else ("", [])
            sql += f" and r.id >= coalesce((select r.id from reports r{scope} order by r.id desc limit 1 offset ?), 0)"
            args = [*args, *scope_args, int(newest) - 1]
        return sql, args
