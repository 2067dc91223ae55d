"""A memo for the label and number look-ups that is bounded in bytes, not only in entries.

The same few hundred short cells ("0", "1", "自然人", "（一）予以公开") recur on every page, so
their look-ups are worth keeping. functools.lru_cache kept every text whatever its length: 500
pages with one unique 1.5 MB cell each grew a parse worker to 1.5 GB. Here only texts of at most
LONGEST characters are kept, at most ENTRIES of them (the memo is emptied when full), so a memo
holds at most ENTRIES x LONGEST characters of keys, and as much again of values for the
functions that return text. A plain dict is also faster than lru_cache on this path (the
functions are called for every cell of every table)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

LONGEST = 128  # characters: longer than any label of the State Council tables
ENTRIES = 4096
_R = TypeVar("_R")
_MISS = object()


def memo_short(fn: Callable[[str], _R]) -> Callable[[str], _R]:
    """Memoise fn(text) for texts of at most LONGEST characters."""
    memo: dict[str, object] = {}

    def look_up(text: str) -> _R:
        value = memo.get(text, _MISS)
        if value is not _MISS:
            return value  # type: ignore[return-value]
        value = fn(text)
        if len(text) <= LONGEST:
            if len(memo) >= ENTRIES:
                memo.clear()
            memo[text] = value
        return value  # type: ignore[return-value]

    look_up.__doc__, look_up.__name__, look_up.__wrapped__ = fn.__doc__, fn.__name__, fn  # type: ignore[attr-defined]
    look_up.memo = memo  # type: ignore[attr-defined]  # for the tests: what it holds
    return look_up
