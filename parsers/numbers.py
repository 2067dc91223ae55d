"""Number cells: '0 ', '　0', '1,234', full-width digits, '+33', '44899.2477', '251000元',
'22（其中修订16件）' (22, note kept). A blank cell is None, never 0."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from parsers.model import Number

_NUMBER = re.compile(
    r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?"
    r"(元|万元|千元|亿元|件|条|个|项|次|人次|家|份|%)?"
    r"([(\[].*[)\]])?$"
)
_BLANKISH = {"", "-", "--", "—", "——", "/", "\\", "无", "空"}


@lru_cache(maxsize=4096)  # cells repeat ("0", "1", labels): every table cell comes through here
def parse_number(text: str) -> tuple[Number | None, bool]:
    """(value, is_number_cell). A cell that is blank (or a dash) is (None, True)."""
    t = unicodedata.normalize("NFKC", text).replace(" ", "").strip()
    if t in _BLANKISH:
        return None, True
    m = _NUMBER.match(t)
    if not m:
        return None, False
    sign, digits, frac = m.group(1), m.group(2).replace(",", ""), m.group(3)
    value: Number = float(digits + frac) if frac else int(digits)
    return (-value if sign == "-" else value), True


@lru_cache(maxsize=4096)
def has_note(text: str) -> bool:
    """True when a number cell says more than its number (a unit or a bracketed note)."""
    t = unicodedata.normalize("NFKC", text).replace(" ", "").strip()
    return bool(t) and not re.fullmatch(r"[+-]?[\d,]+(\.\d+)?", t) and t not in _BLANKISH
