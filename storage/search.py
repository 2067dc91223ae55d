"""Full-text search over each report's current text (`report_text`, FTS5 trigram index).

The index is not kept by triggers row by row (trigram indexing is most of the cost of storing
a report): a stored report's text is queued in text_pending, with the values the index holds
for it, and `index` brings the index up to date in batches (before every search, at the end
of a crawl run, when the store closes). A query of 1-2 characters is found through the index's
vocabulary (TextIndex.terms). Hits come newest stored first, the index's own order, and the web view's
count stops at COUNT_CAP: a word in every report is neither sorted nor counted through all of them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from storage.copies import ON_SITE, seen_from

TRIGRAM = 3  # the shortest query the trigram index MATCHes
# Hits come by report id, newest stored first: the order the index yields them in, so a page of them
# reads a page of the index, where an order by year read and sorted every hit first. A tally stops at
# COUNT_CAP (then `at_least`): a word in most reports would otherwise be counted through every doclist.
COUNT_CAP = 10_000
# A query of 1-2 characters is found from the index all the same: each place it occurs, but the last
# two characters of a text, begins a trigram of the index, so the index's terms that begin with it
# (a range of its vocabulary, VOCAB) OR'd together find every report that holds it.
# A query that begins more terms than MAX_TERMS (one common character: thousands of them in real
# reports) costs too much as an OR; its texts are read instead, newest stored first: a page of hits
# stops the walk, a tally stops at SHORT_CAP hits or after the SHORT_WINDOW newest reports, so that
# a rare one does not read every report's text.
MAX_TERMS = 200
SHORT_CAP = 1_000
SHORT_WINDOW = 5_000
# The index's vocabulary, a term a row. A table of the connection's own (temp), not of the file: as a
# table of the file it would be a page of Datasette's whose first rows read the doclists of their terms.
VOCAB = "temp.report_text_vocab"
VOCAB_SQL = f"create virtual table if not exists {VOCAB} using fts5vocab(main, report_text_fts, 'row')"
# The highest code point: a term that begins with the query sorts between it and it followed by this.
LAST_CHAR = "\U0010ffff"


@dataclass(frozen=True)
class Tally:
    """How many reports hold a query, as far as it was counted: `at_least` when the count stopped at
    its cap; `examined` reports of `of` were looked at (all of them unless the texts were read);
    `texts`: the texts were read (a short query that begins too many of the index's terms)."""

    count: int
    at_least: bool = False
    examined: int = 0
    of: int = 0
    texts: bool = False

    @property
    def complete(self) -> bool:
        return not self.at_least and self.examined == self.of


# The text records' "[table 1]" / "[/table 1]" lines mark grids for the diff; they are no text of the report.
MARKER = re.compile(r"^\[/?table \d+\]\n?", re.MULTILINE)


class TextIndex:
    def __init__(self, db: sqlite_utils.Database, readonly: bool = False) -> None:
        self.db = db
        self.readonly = readonly  # opened read-only: what the last crawl left indexed is searched
        self._terms: dict[str, list[str] | None] = {}  # terms(), until the index changes

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
        if done:
            self._terms.clear()
        return done

    def search(
        self, query: str, site: str | None = None, limit: int = 50, offset: int = 0,
        marks: tuple[str, str] = ("[", "]"), refresh: bool = True, newest: int | None = None,
    ) -> list[dict[str, Any]]:  # fmt: skip
        """Reports whose text holds `query`, a page of them, the hit in the snippet between `marks`, by
        report id, newest stored first (a short query whose texts are read: of the `newest` stored
        reports only, if given: see tally).
        `refresh`: bring the index up to date first (a write, skipped on a read-only database). With a
        site, `url` is the report's URL there (a copy's, for a report it carries from another site) and
        home_site and home_url the report's own."""
        if refresh and not self.readonly:
            self.index()
        where, args, order = self._match(query, site, newest)
        page = f"{order} limit {int(limit)} offset {int(offset)}"
        # The page's reports first, then the snippets of those alone: a word in every report would
        # otherwise have its snippet cut from each of 100,000 texts before the page is taken.
        ids = [row[0] for row in self.db.conn.execute("select r.id" + where + page, args)]
        if not ids:
            return []
        marked = ",".join("?" * len(ids))
        shown, shown_args = seen_from(site)  # a copy the site carries: its URL there, and its home site
        if len(query) >= TRIGRAM:
            head = f"select r.id, {shown}, r.agency, r.year, r.title, snippet(report_text_fts, 2, ?, ?, '…', 12) as snippet"
            sql = f"{head}{where} and report_text_fts.rowid in ({marked}){order}"
            return list(self.db.query(sql, [*shown_args, *marks, *args, *ids]))
        return list(self.db.query(
            f"select r.id, {shown}, r.agency, r.year, r.title, "
            "replace(substr(t.text, max(1, instr(t.text, ?) - 20), 60), ?, ? || ? || ?) as snippet "
            f"from reports r join report_text t on t.report_id = r.id where r.id in ({marked}) order by r.id desc",
            [*shown_args, query, query, marks[0], query, marks[1], *ids],
        ))  # fmt: skip

    def count(self, query: str, site: str | None = None) -> int:
        """How many reports `search` finds in all (its pages together), counted exactly: each hit read."""
        if not self.readonly:
            self.index()
        where, args, _ = self._match(query, site)
        return self.db.conn.execute("select count(*)" + where, args).fetchone()[0]

    def tally(self, query: str, site: str | None = None, window: int = SHORT_WINDOW, cap: int = SHORT_CAP) -> Tally:
        """How many reports hold `query`, at a bounded cost: one found from the index (3+ characters, or
        a shorter one's terms) at most COUNT_CAP (then `at_least`); a short one whose texts are read,
        among the `window` newest stored reports (of the site), at most `cap`. What
        search(..., newest=window) pages through."""
        conn = self.db.conn
        if len(query) >= TRIGRAM:
            hits = self._hits(query, site, None, COUNT_CAP)
            return Tally(min(hits, COUNT_CAP), at_least=hits > COUNT_CAP)
        scope, scope_args = _scope(site)
        of = conn.execute("select count(*) from reports r" + scope, scope_args).fetchone()[0]
        texts = self.terms(query) is None
        if not texts:
            window, cap = of, COUNT_CAP
        hits = self._hits(query, site, window, cap)
        return Tally(min(hits, cap), at_least=hits > cap, examined=min(of, window), of=of, texts=texts)

    def _hits(self, query: str, site: str | None, newest: int | None, cap: int) -> int:
        """How many reports hold `query`, counted up to one past `cap`."""
        where, args, _ = self._match(query, site, newest)
        return self.db.conn.execute(f"select count(*) from (select 1{where} limit {int(cap) + 1})", args).fetchone()[0]

    def terms(self, query: str) -> list[str] | None:
        """The index's terms (trigrams) that begin with a query of 1-2 characters, or None when there
        are more than MAX_TERMS. The trigram tokenizer folds case: so does the range."""
        if query not in self._terms:
            conn = self.db.conn
            conn.execute(VOCAB_SQL)
            low = query.lower()
            rows = conn.execute(
                f"select term from {VOCAB} where term >= ? and term <= ? limit ?", [low, low + LAST_CHAR, MAX_TERMS + 1]
            ).fetchall()
            self._terms[query] = [r[0] for r in rows] if len(rows) <= MAX_TERMS else None
        return self._terms[query]

    def _match(self, query: str, site: str | None, newest: int | None = None) -> tuple[str, list[Any], str]:
        """The from-and-where of a search, the reports whose text holds `query` (of a site; a short
        query whose texts are read: of the `newest` stored reports, if given), and its order."""
        terms = self.terms(query) if len(query) < TRIGRAM else None
        if len(query) >= TRIGRAM or terms is not None:
            sql = " from report_text_fts join reports r on r.id = report_text_fts.rowid where report_text_fts match ?"
            if terms is None:
                args: list[Any] = [phrase(query)]
            else:  # the text column alone, as the texts read would be; no term: a MATCH of nothing
                args = ["text : (" + (" OR ".join(map(phrase, terms)) or '""') + ")"]
            order = " order by report_text_fts.rowid desc"  # the index's order: no sort of every hit
        else:
            sql = " from report_text t join reports r on r.id = t.report_id where instr(t.text, ?) > 0"
            args, order = [query], " order by r.id desc"
        if site:  # the site's own reports and its copies of other sites' reports
            sql, args = f"{sql} and {ON_SITE}", [*args, site]
        if newest is not None and len(query) < TRIGRAM and terms is None:  # from the newest-th newest report's id on
            scope, scope_args = _scope(site)
            sql += f" and r.id >= coalesce((select r.id from reports r{scope} order by r.id desc limit 1 offset ?), 0)"
            args = [*args, *scope_args, int(newest) - 1]
        return sql, args, order


def _scope(site: str | None) -> tuple[str, list[Any]]:
    """The where of the reports on a site (its own and its copies of other sites'), and its argument."""
    return (f" where {ON_SITE}", [site]) if site else ("", [])


def phrase(text: str) -> str:
    """`text` as an FTS5 phrase: the query's own quotes are text, never FTS5 syntax."""
    return '"' + text.replace('"', '""') + '"'
