"""The overview's own count of applications against table 2."""

from __future__ import annotations

import re

from checks.collect import Collector
from common.constants import Rule
from parsers.model import Report, Side

# A longer count is none: int() refuses past 4,300 digits and the store holds 64-bit integers
# (the parser's parsers.numbers.MAX_DIGITS, which checks may not import).
MAX_DIGITS = 15
# The count must start with a digit: "共收到申请,件" (the number left out) states no count.
_STATED = re.compile(r"共(?:收到|受理|接收|接到|办理)[^。；;，,]{0,30}?申请\D{0,6}?(\d[\d,]*)\s*件")
# "No requests received"; not "未收到…行政复议申请", which is about appeals.
_NONE_STATED = re.compile(r"(?:未|没有)(?:收到|受理|接到|接收)(?:(?!复议|诉讼)[^。；;，,]){0,20}?(?:公开)?申请")


def _stated(text: str) -> tuple[int, str] | None:
    """(the count the overview states, the words that state it), or None when it states none."""
    m = _STATED.search(text)
    if m:
        digits = m.group(1).replace(",", "")
        return (int(digits), m.group(0)) if len(digits) <= MAX_DIGITS else None
    none = _NONE_STATED.search(text)
    return (0, none.group(0)) if none else None


def check_narrative(report: Report, out: Collector) -> None:
    found = _stated(report.sections.get("overview", ""))
    if found is None or 2 not in report.tables:
        return
    stated, snippet = found
    where = "applications.new_received.total"
    total = report.applications.get("new_received", {}).get("total")
    if total is None:
        out.skip(Rule.NARRATIVE_MISMATCH, where, [where])
    elif total != stated:
        out.add(Rule.NARRATIVE_MISMATCH, where, f"the overview says “{snippet}” but table 2 says {total}",
                Side("overview", stated), Side("一、本年新收 总计", total, {where: total}), cells=[where])  # fmt: skip
