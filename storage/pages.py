"""Every page a crawl met (`pages`): its status, its HTTP validators for the next conditional
request, and, for a report published as a file only, whose report of which year it is."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from common.constants import PageStatus
from storage.db import and_equal, now

_PAGE_COLUMNS = {
    "site", "etag", "last_modified", "hash", "status", "http_status", "last_fetched", "error", "report_id",
    "agency", "year",
}  # fmt: skip


class Pages:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def record(self, url: str, site: str, **values: Any) -> None:
        """Upsert a page's crawl state in its own transaction; the columns not given keep their values."""
        with self.db.conn:
            self.upsert(url, site, values)

    def upsert(self, url: str, site: str, values: dict[str, Any]) -> None:
        """Upsert a page's crawl state within the caller's transaction (a report's, say)."""
        values = {"site": site, "last_fetched": now(), **values}
        if not values.keys() <= _PAGE_COLUMNS:  # names go into the SQL: only the table's own
            raise ValueError(f"not a column of pages: {sorted(values.keys() - _PAGE_COLUMNS)}")
        names = ", ".join(values)
        self.db.conn.execute(
            f"insert into pages (url, {names}) values (?{', ?' * len(values)}) on conflict (url) do update set "
            + ", ".join(f"{name} = excluded.{name}" for name in values),
            [url, *values.values()],
        )

    def stored(self, site: str | None) -> dict[str, dict[str, Any]]:
        """{url: its crawl state} of the pages of a site (all sites: None) that hold a stored report."""
        sql = "select url, last_fetched, etag, last_modified from pages where status = ? and report_id is not null"
        sql, args = and_equal(sql, [PageStatus.STORED], {"site": site})
        return {row["url"]: row for row in self.db.query(sql, args)}

    def unread_files(self, site: str | None) -> dict[str, dict[str, Any]]:
        """{url: its crawl state} of the pages of a site (all: None) recorded attachment_only with an
        HTTP validator and no report: the report files fetched but not read (needs LibreOffice or OCR,
        damaged), asked for conditionally as stored reports are. (A report page that only links its
        files is recorded so too; the crawl asks this only for file requests.)"""
        sql = (
            "select url, status, last_fetched, etag, last_modified from pages where status = ? and report_id is null"
            " and (etag is not null or last_modified is not null)"
        )
        sql, args = and_equal(sql, [PageStatus.ATTACHMENT_ONLY], {"site": site})
        return {row["url"]: row for row in self.db.query(sql, args)}

    def unread_reason(self, url: str) -> str | None:
        """Why the report file at `url` was not read, as recorded (attachment_only, no report), or None."""
        row = self.db.conn.execute(
            "select error from pages where url = ? and status = ? and report_id is null",
            [url, PageStatus.ATTACHMENT_ONLY],
        ).fetchone()
        return row[0] if row else None

    def revisitable(self, site: str | None) -> dict[str, dict[str, Any]]:
        """{url: its crawl state and status} of the pages of a site that hold a stored report or were
        read and found no report (a 解读, a notice): what a crawl asks before each request, read in
        one query. Either is asked for again only if it changed."""
        sql = (
            "select url, status, last_fetched, etag, last_modified from pages"
            " where ((status = ? and report_id is not null) or status = ?)"
        )
        sql, args = and_equal(sql, [PageStatus.STORED, PageStatus.NOT_REPORT], {"site": site})
        return {row["url"]: row for row in self.db.query(sql, args)}

    def published_as_files(self) -> list[tuple[str, int, str]]:
        """(agency, year, URL) of every report published as images or a file only: no report row,
        but published all the same (in URL order)."""
        return self.db.conn.execute(
            "select agency, year, url from pages where status = ? and agency is not null and year is not null "
            "order by url",
            [PageStatus.ATTACHMENT_ONLY],
        ).fetchall()
