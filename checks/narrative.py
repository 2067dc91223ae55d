"""The overview's own count of applications against table 2."""

from __future__ import annotations

import re

from checks.collect import Collector
from common.constants import Rule
from parsers.model import Report, Side

_STATED = re.compile(r"共(?:收到|受理|接收|接到|办理)[^。；;，,]{0,30}?申请\D{0,6}?([\d,]+)\s*件")
# "No requests received"; not "未收到…行政复议申请", which is about appeals.
_NONE_STATED = re.compile(r"(?:未|没有)(?:收到|受理|接到|接收)(?:(?!复议|诉讼)[^。；;，,]){0,20}?(?:公开)?申请")


def check_narrative(report: Report, out: Collector) -> None:
    text = report.sections.get("overview", "")
    stated: int | None = None
    m = _STATED.search(text)
    if m:
        stated = int(m.group(1).replace(",", ""))
    elif _NONE_STATED.search(text):
        stated = 0
    if stated is None or 2 not in report.tables:
        return
    where = "applications.new_received.total"
    total = report.applications.get("new_received", {}).get("total")
    if total is None:
        out.skip(Rule.NARRATIVE_MISMATCH, where, [where])
    elif total != stated:
        snippet = m.group(0) if m else _NONE_STATED.search(text).group(0)
        out.add(Rule.NARRATIVE_MISMATCH, where, f"the overview says “{snippet}” but table 2 says {total}",
                Side("overview", stated), Side("一、本年新收 总计", total, {where: total}), cells=[where])  # fmt: skip
