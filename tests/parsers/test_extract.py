"""parsers.extract: Document -> Report (metadata and tables together, the six parts, whether it is a
report at all), without the loaders or the checks around it."""

from __future__ import annotations

import pytest

from parsers.document import Document
from parsers.errors import NoReportText, NotAReport
from parsers.extract import extract
from parsers.model import PARTS
from parsers.text import parse_text
from tests.parsers.test_seeds import EXPECTED, assert_cells, assert_meta, seed_path

TITLE = "北京市西城区民政局2022年政府信息公开工作年度报告"
# The six parts as a report without tables words them, with some prose.
BODY = [
    "一、总体情况",
    "本机关依法公开政府信息。",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "人手不足。",
    "六、其他需要报告的事项",
    "无。",
]


def report(*blocks: str, title: str | None = None, meta: dict[str, str] | None = None, hint: str | None = None):
    return extract(Document(blocks=list(blocks), title=title, meta=meta or {}), hint)


@pytest.mark.parametrize("n", sorted(EXPECTED))
def test_the_seeds_tables_read_from_the_document_alone(n: str) -> None:
    """Each text rendering (a cell per line, tabs, pipes), straight into extract: the values typed
    from the seeds by hand, with no finding (the checks are not extract's job)."""
    meta, active, applications, review = EXPECTED[n]
    got = extract(parse_text(seed_path(n).read_text(encoding="utf-8")))
    assert_meta(got, meta)
    assert got.tables == [1, 2, 3] and got.parts == list(PARTS)
    assert_cells(got.active_disclosure, active, "active_disclosure")
    assert_cells(got.applications, applications, "applications")
    assert_cells(got.review_litigation, review, "review_litigation")
    assert got.findings == []


def test_parts_and_the_text_of_the_narrative_ones() -> None:
    got = report(TITLE, *BODY)
    assert (got.title, got.agency, got.year) == (TITLE, "北京市西城区民政局", 2022)
    assert got.parts == list(PARTS)
    assert got.sections == {"overview": "本机关依法公开政府信息。", "problems": "人手不足。", "other": "无。"}


def test_a_later_mention_of_an_earlier_part_is_prose() -> None:
    got = report(TITLE, "一、总体情况", "概述", "三、收到和处理政府信息公开申请情况", "见二、主动公开政府信息情况")
    assert got.parts == ["overview", "applications"]


@pytest.mark.parametrize(
    ("year", "template"),
    [(2017, "legacy"), (2018, "legacy"), (2019, "2019"), (2020, "2019"), (2021, "2021"), (2024, "2021")],
)
def test_with_no_tables_the_template_follows_the_year(year: int, template: str) -> None:
    assert report(f"北京市西城区民政局{year}年政府信息公开工作年度报告", *BODY).template == template


def test_a_page_about_a_report_is_not_one() -> None:
    with pytest.raises(NotAReport, match="is about one"):
        report(TITLE, *BODY, title=f"关于{TITLE}的解读")


def test_a_page_with_no_report_title_no_tables_is_not_a_report() -> None:
    with pytest.raises(NotAReport, match="none of the report's tables"):
        report("通知公告", "今天开会")


def test_a_report_published_as_images_keeps_whose_and_which_year() -> None:
    with pytest.raises(NoReportText) as caught:
        extract(Document(blocks=[TITLE, "图片"], links=["/files/nb2022.pdf"]))
    assert (caught.value.agency, caught.value.year, caught.value.links) == (
        "北京市西城区民政局",
        2022,
        ["/files/nb2022.pdf"],
    )
