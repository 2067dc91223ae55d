"""checks.narrative: the overview's stated count of applications against table 2."""

from __future__ import annotations

import pytest

from checks.collect import Collector
from checks.narrative import check_narrative
from common.constants import Rule
from parsers.model import Report


def narrative_findings(overview: str, total: int | None = 3) -> list:
    report = Report(agency="某区人民政府", year=2022, template="2021", tables=[2],
                    applications={"new_received": {"total": total}}, applicant_columns=("total",),
                    sections={"overview": overview})  # fmt: skip
    out = Collector(report)
    check_narrative(report, out)
    return [f for f in out.done() if f.rule == Rule.NARRATIVE_MISMATCH]


@pytest.mark.parametrize(
    "overview",
    [
        "共收到申请,件",
        "共收到申请,,,件。",
        "共受理公开申请 , 件",
        "共收到申请" + "9" * 5000 + "件",
        "共收到申请" + "1" * 30 + "件",
    ],
)
def test_an_overview_whose_number_is_missing_or_unreadable_states_none(overview: str) -> None:
    assert narrative_findings(overview) == []


def test_a_stated_count_is_still_read() -> None:
    assert narrative_findings("全年共收到政府信息公开申请3件。") == []
    (finding,) = narrative_findings("全年共收到政府信息公开申请1,234件。")
    assert finding.lhs.value == 1234
    (none,) = narrative_findings("本年度未收到政府信息公开申请。")
    assert none.lhs.value == 0
