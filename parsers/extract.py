"""Document -> Report: metadata (parsers.metadata), tables 1-3 (parsers.tables) and the six
parts, for both templates; and the one decision that a page is not a report."""

from __future__ import annotations

import re

from parsers.document import Document
from parsers.errors import NoReportText, NotAReport
from parsers.labels import norm
from parsers.metadata import read_metadata
from parsers.model import PARTS, Report
from parsers.tables import read_tables

_PART_HEADINGS = (
    ("overview", ("总体情况",)),
    ("active_disclosure", ("主动公开政府信息情况", "主动公开政府信息")),
    ("applications", ("收到和处理政府信息公开申请情况", "收到和处理政府信息公开申请")),
    ("review_litigation", ("行政复议", "行政诉讼")),
    ("problems", ("存在的主要问题",)),
    ("other", ("其他需要报告的事项",)),
)
_MAX_HEADING = 40
# One search tells most lines (a page has ~150, nearly all short runs) that they name no part.
_ANY_HEADING_WORD = re.compile("|".join(re.escape(w) for _, words in _PART_HEADINGS for w in words))


def extract(doc: Document, title_hint: str | None = None) -> Report:
    """Read a report out of a normalised document; ParseError when it is not one. title_hint is
    the report's title as known from elsewhere (the list page's link to it), used when the page
    names it nowhere a title is looked for."""
    report = Report()
    read_metadata(doc, report, title_hint)
    read_tables(doc, report)
    _sections(doc, report)
    _require_report(report, doc)
    if report.template is None and report.year is not None:
        if report.year <= 2018:
            report.template = "legacy"
        elif not report.tables:
            report.template = "2019" if report.year <= 2020 else "2021"
    return report


_REPORT_TITLE = re.compile(r"信息公开.{0,6}(年度报告|年报)|信息公开工作报告|(年度报告|年报)$")
# Also what the spiders use to skip links to such pages. 关于…的通知 is tried from the first 关于 of each
# line only (a later 关于 on the line finds nothing the first does not): 关于.*的通知 was tried from
# every 关于, each time to the end of the line, and a title of 20,000 关于 took seconds.
NOT_REPORT_TITLE = re.compile(r"解读|图解|答记者问|问答|工作要点|^(?:(?!关于).)*关于.*的通知", re.M)


def _require_report(report: Report, doc: Document) -> None:
    """The one place that decides a page is not a report: no tables, and a title that does not
    name a report (or names a 解读 of one), or no report parts either (an image-only page)."""
    title = report.title or ""
    if NOT_REPORT_TITLE.search(doc.title or title):  # a 解读 of a report, even one that shows its tables
        raise NotAReport(f"not an annual report: “{(doc.title or title)[:40]}” is about one")
    if report.tables:
        return
    if not _REPORT_TITLE.search(title):
        raise NotAReport(f"not an annual report: “{title[:40]}” has none of the report's tables")
    if len(report.parts) < 2:
        if report.agency and report.year:  # one agency's report of one year, but not its text
            raise NoReportText("no report text on the page: published as images or an attachment only?", doc.links,
                               report.agency, report.year)  # fmt: skip
        raise NotAReport("not an annual report: no tables and no report parts")


# --- narrative parts ----------------------------------------------------------


# （二） / (2) / 2. / 2、: a sub-heading within a part (the parts are 一、… or unnumbered).
_SUB_NUMBERING = re.compile(r"\s*(?:[(（]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[.、．])")


def _heading_part(para: str) -> str | None:
    if len(para) > _MAX_HEADING or _SUB_NUMBERING.match(para):
        return None
    text = norm(para)
    if not _ANY_HEADING_WORD.search(text):
        return None
    for part, words in _PART_HEADINGS:
        if all(w in text for w in words) if part == "review_litigation" else any(w in text for w in words):
            return part
    return None


def _sections(doc: Document, report: Report) -> None:
    found: set[str] = {
        p for n, p in ((1, "active_disclosure"), (2, "applications"), (3, "review_litigation")) if n in report.tables
    }
    current: str | None = None
    texts: dict[str, list[str]] = {}
    last_index = -1
    for block in doc.blocks:
        if not isinstance(block, str):
            continue
        part = _heading_part(block)
        # Parts come in order; a later mention of an earlier part is prose, not a heading.
        if part is not None and PARTS.index(part) > last_index:
            current, last_index = part, PARTS.index(part)
            found.add(part)
            continue
        if current in ("overview", "problems", "other"):
            texts.setdefault(current, []).append(block)
    report.sections = {k: "\n".join(v) for k, v in texts.items()}
    report.parts = [p for p in PARTS if p in found]
