"""Report columns a crawl found from a portal's home page (`columns`): where a site's report list
lives now, the configured list page it replaces (moved_from), and whether a digest told of it."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from storage.db import now


class Columns:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def found(self, site: str, url: str, moved_from: str | None) -> bool:
        """Record a column found; True when it is news (not recorded for this move before)."""
        with self.db.conn:
            cursor = self.db.conn.execute(
                "insert into columns (site, url, moved_from, found_at) values (?, ?, ?, ?) "
                "on conflict (site, url) do update set moved_from = coalesce(excluded.moved_from, moved_from), "
                "last_seen = excluded.found_at, alerted_at = null where excluded.moved_from is not columns.moved_from "
                "and excluded.moved_from is not null",
                [site, url, moved_from, now()],
            )
        return cursor.rowcount > 0

    def moves(self, site: str) -> dict[str, list[str]]:
        """{configured list page: the columns found in its place}: where the next crawl starts."""
        moved: dict[str, list[str]] = {}
        for old, new in self.db.conn.execute(
            "select moved_from, url from columns where site = ? and moved_from is not null order by found_at, url",
            [site],
        ):
            moved.setdefault(old, []).append(new)
        return moved

    def pending(self, site: str) -> list[dict[str, Any]]:
        """Moves no digest told of yet."""
        return list(
            self.db.query(
                "select site, url, moved_from, found_at from columns"
                " where site = ? and moved_from is not null and alerted_at is null order by found_at, url",
                [site],
            )
        )

    def mark_alerted(self, site: str, urls: list[str]) -> None:
        """Within the caller's transaction (the digest's enqueue)."""
        self.db.conn.executemany(
            "update columns set alerted_at = ? where site = ? and url = ?", [(now(), site, url) for url in urls]
        )
