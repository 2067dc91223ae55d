"""What has not been alerted yet, and the queue of digests that have not been delivered yet.

Queueing a digest and marking what it covers as alerted happen in one transaction,
so an event is alerted once; a digest stays in `alerts` until it is delivered.
Only the queue's SQL lives here (and the marks of what was alerted); what a digest reads of
findings, runs and versions is asked of the store's parts (store.findings, .runs, .reports).
alerts/ decides what a digest says and how it is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from storage.db import now

if TYPE_CHECKING:
    from storage.store import Store

# --- what has not been alerted yet ---------------------------------------------


def pending_reports(store: Store, site: str) -> list[dict[str, Any]]:
    """Reports new since the last alert (alerted_version null) or revised (another version)."""
    return list(
        store.db.query(
            "select r.*, v.records from reports r join versions v on v.id = r.current_version "
            "where r.site = ? and (r.alerted_version is null or r.alerted_version != r.current_version) "
            "order by r.agency, r.year",
            [site],
        )
    )


def failure_alerted_run(store: Store, site: str) -> int:
    """The newest failed run of the last failure streak alerted (0: none)."""
    row = store.db.execute("select failure_alerted_run from site_state where site = ?", [site]).fetchone()
    return (row[0] or 0) if row else 0


def watchdog_alerted(store: Store, site: str) -> str | None:
    row = store.db.execute("select watchdog_alerted_at from site_state where site = ?", [site]).fetchone()
    return row[0] if row else None


def clear_watchdog(store: Store, site: str) -> None:
    with store.db.atomic():
        store.db["site_state"].upsert({"site": site, "watchdog_alerted_at": None}, pk="site")


def queued_since(store: Store, site: str, when: str) -> bool:
    """Whether a digest of the site was queued at or after `when`."""
    return bool(
        store.db.execute(
            "select 1 from alerts where ',' || site || ',' like '%,' || ? || ',%' and created >= ? limit 1",
            [site, when],
        ).fetchone()
    )


# --- the queue ------------------------------------------------------------------


@contextmanager
def locked(store: Store) -> Iterator[None]:
    """One writer at a time from here to the end of the block: what two processes (a crawl and
    the scheduler's watchdog) both see as new is queued by one of them only."""
    conn = store.db.conn
    conn.execute("begin immediate")
    try:
        yield
    except BaseException:
        conn.execute("rollback")
        raise
    conn.execute("commit")


def enqueue(store: Store, digest: dict[str, Any], covers: dict[str, Any]) -> int:
    """Queue one digest and mark everything it covers as alerted, atomically."""
    ts = now()
    db = store.db
    with db.atomic():
        alert_id = db["alerts"].insert({**digest, "created": ts, "attempts": 0}).last_pk
        db["alerts"].update(alert_id, {"message_id": f"<nianbao-alert-{alert_id}-{ts[:10]}@nianbao.local>"})
        for rid, version in covers.get("reports", []):
            db.execute("update reports set alerted_version = ? where id = ?", [version, rid])
        for fid in covers.get("findings", []):
            db.execute("update findings set alerted_at = ? where id = ?", [ts, fid])
        for fid in covers.get("fixed", []):
            db.execute("update findings set resolved_alerted_at = ? where id = ?", [ts, fid])
        for site, run_id in covers.get("failures", []):
            db["site_state"].upsert({"site": site, "failure_alerted_run": run_id}, pk="site")
        for site in covers.get("watchdog", []):
            db["site_state"].upsert({"site": site, "watchdog_alerted_at": ts}, pk="site")
        for site, url in covers.get("columns", []):
            db.execute("update columns set alerted_at = ? where site = ? and url = ?", [ts, site, url])
    return alert_id


def unsent(store: Store) -> list[dict[str, Any]]:
    return list(store.db.query("select * from alerts where sent_at is null order by id"))


CLAIM_MINUTES = 10  # a claim older than this is from a process that died while sending


def claim(store: Store, alert_id: int) -> bool:
    """Take a digest for sending; False when another process has it (or has sent it)."""
    ts = now()
    stale = (datetime.fromisoformat(ts) - timedelta(minutes=CLAIM_MINUTES)).isoformat()
    with store.db.atomic():
        cur = store.db.execute(
            "update alerts set claimed_at = ? where id = ? and sent_at is null "
            "and (claimed_at is null or claimed_at < ?)",
            [ts, alert_id, stale],
        )
    return cur.rowcount == 1


def mark_sent(store: Store, alert_id: int) -> None:
    with store.db.atomic():
        store.db["alerts"].update(alert_id, {"sent_at": now(), "last_error": None})


def mark_failed(store: Store, alert_id: int, error: str) -> None:
    with store.db.atomic():
        store.db.execute(
            "update alerts set attempts = attempts + 1, last_error = ?, claimed_at = null where id = ?",
            [error[:500], alert_id],
        )
