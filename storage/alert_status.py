"""The alert queue as `crawl status` shows it, and the reasons of the digests a delivery left."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.store import Store


def waiting(store: Store) -> list[dict[str, Any]]:
    """Digests not delivered yet, oldest first, with their attempts and last error."""
    return list(
        store.db.query(
            "select id, site, recipients, subject, created, attempts, last_error from alerts "
            "where sent_at is null order by id"
        )
    )
