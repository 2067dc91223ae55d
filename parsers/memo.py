"""A memo for the label and number look-ups that is bounded in bytes, not only in entries.

The same few hundred short cells ("0", "1", "自然人", "（一）予以公开") recur on every page, so
their look-ups are worth keeping. functools.lru_cache kept every text whatever its length: 500
pages with one unique 1.5 MB cell each grew a parse worker to 1.5 GB. Here only texts of at most
LONGEST characters are kept, at most ENTRIES of them (the memo is emptied when full), so a memo
holds at most ENTRIES x LONGEST characters of keys, and as much again of values for the
functions that return text.

The memo is a dict whose misses call the function (__missing__), and the memoised function is
that dict's bound __getitem__: a hit is one call into C, cheaper than lru_cache's (these
functions are called for every cell of every table)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

LONGEST = 128  # characters: longer than any label of the State Council tables
ENTRIES = 4096
_R = TypeVar("_R")


class Memo(dict, Generic[_R]):
    """fn's results by text, for short texts."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[str], _R]) -> None:
        super().__init__()
        self.fn = fn

    def __missing__(self, text: str) -> _R:
        value = self.fn(text)
        if len(text) <= LONGEST:
            if len(self) >= ENTRIES:
                self.clear()
            self[text] = value
        return value


def memo_short(fn: Callable[[str], _R]) -> Callable[[str], _R]:
    """fn memoised for texts of at most LONGEST characters (its Memo is the result's __self__)."""
    return Memo(fn).__getitem__
