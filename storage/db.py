"""The database connection and what every storage module shares."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> str:
    """The store's timestamps: UTC, ISO 8601, whole seconds (they sort as text)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()
