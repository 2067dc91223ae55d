"""How the commands show what they share: times in the portals' time zone (Asia/Shanghai)."""

from __future__ import annotations

from datetime import UTC, datetime

from common.constants import CHINA


def local(ts: str | None) -> str:
    """A stored ISO time (UTC when it names no zone) as Beijing time, to the second; other text as is."""
    if not ts:
        return ""
    try:
        t = datetime.fromisoformat(ts)
    except ValueError:
        return ts  # "paused", "not scheduled"
    t = t if t.tzinfo else t.replace(tzinfo=UTC)
    return t.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S CST")
