"""Number cells: '0 ', '　0', '1,234', full-width digits, '+33', '44899.2477', '251000元',
'22（其中修订16件）' (22, note kept). A blank cell is None, never 0."""

from __future__ import annotations

import re
import unicodedata

from parsers.memo import memo_short
from parsers.model import Number

_NUMBER = re.compile(
    r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?"
    r"(元|万元|千元|亿元|件|条|个|项|次|人次|家|份|%)?"
    r"([(\[].*[)\]])?$"
)
_BLANKISH = {"", "-", "--", "—", "——", "/", "\\", "无", "空"}
_PLAIN = re.compile(r"[+-]?[\d,]+(\.\d+)?")
# No count or amount of a report has more digits before its point (a 万元 amount of 10^15 is far
# past any budget). A longer run is not read: int() refuses past 4,300 digits, a float past 308
# becomes inf, and the store's JSON (orjson) holds integers of 64 bits only.
MAX_DIGITS = 15


@memo_short  # cells repeat ("0", "1", labels): every table cell comes through here
def parse_number(text: str) -> tuple[Number | None, bool]:
    """(value, is_number_cell). A cell that is blank (or a dash) is (None, True), and so is a number
    of more than MAX_DIGITS digits: a number cell whose value cannot be read (has_note keeps its text)."""
    t = unicodedata.normalize("NFKC", text).replace(" ", "").strip()
    if t in _BLANKISH:
        return None, True
    m = _NUMBER.match(t)
    if not m:
        return None, False
    sign, digits, frac = m.group(1), m.group(2).replace(",", ""), m.group(3)
    if len(digits.lstrip("0")) > MAX_DIGITS:
        return None, True
    value: Number = float(digits + frac) if frac else int(digits.lstrip("0") or "0")
    return (-value if sign == "-" else value), True


@memo_short
def has_note(text: str) -> bool:
    """True when a number cell says more than its number (a unit or a bracketed note), or holds a
    number too long to read (its text is then all there is of it)."""
    t = unicodedata.normalize("NFKC", text).replace(" ", "").strip()
    if not t or t in _BLANKISH:
        return False
    if not _PLAIN.fullmatch(t):
        return True
    return parse_number(text) == (None, True)
