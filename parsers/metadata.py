"""A report's title, agency, year and publication date, read from its page's metadata, its
first lines and its closing date."""

from __future__ import annotations

import re
from datetime import date

from parsers.document import Document
from parsers.model import Report

# 年度报告 / 年报, and the older "2019年度政府信息公开工作报告" form.
_TITLE_WORDS = re.compile(r"(年度报告|年报|信息公开工作报告)")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
# What follows the agency in a title. Not the 政府 of an agency's own 人民政府 when the title goes
# on with 信息公开 directly (北京市东城区人民政府2019年信息公开工作年度报告).
_TITLE_SUFFIX = re.compile(r"(?<!人民)(政府)?信息公开(工作)?(年度报告|年报|报告)$|年度报告$|年报$")
_ALIAS = re.compile(r"[(（][^()（）]*[)）]$")
_YEAR_NOTE = re.compile(r"[(（][^()（）]*?(?:19|20)\d{2}\s*年度?[)）]")  # …年度报告（2019年度）
# Not \s*[:：]?\s*: two runs of white space side by side can split a run n ways, and a line of a
# metadata table (a label, then many empty cells joined by spaces) took minutes.
_DATE = r"\s*(?:[:：]\s*)?(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
# The publication date, by its label; a bare 日期 is the portals' "日期:2026-01-20 17:10" line. The date
# a document was written (成文日期, 印发日期) is only a fall-back, after <meta name="PubDate">.
_PUBLISHED = re.compile(r"(?:发布日期|发布时间|公开日期|(?<![成印文发])日期)" + _DATE)
_WRITTEN = re.compile(r"(?:成文日期|印发日期)" + _DATE)
_CLOSING_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")


def read_metadata(doc: Document, report: Report, title_hint: str | None = None) -> None:
    # A report's title names its year; a <title> or line without one is a column name
    # (政府信息公开年报) or the like, used only when nothing better is found.
    named = [c for c in (doc.meta.get("ArticleTitle"), doc.title) if c and _TITLE_WORDS.search(c)]
    title = next((c for c in named if _YEAR.search(c)), None)
    if title is None:
        in_text = _title_from_text(doc.paragraphs)
        hint = title_hint if title_hint and _TITLE_WORDS.search(title_hint) and _YEAR.search(title_hint) else None
        if in_text and _YEAR.search(in_text):
            title = in_text
        else:
            title = hint or next(iter(named), in_text)
    if title:
        read_title(report, title)
    report.published = _published(doc)


def read_title(report: Report, title: str) -> None:
    """The report's title, year and agency from its title (a page's, or a list link's text)."""
    title = re.sub(r"\s+", "", title)
    m = _TITLE_WORDS.search(title)
    if m:  # drop a portal's "_站点名" suffix, not a year given after the title words
        note = None if _YEAR.search(title, 0, m.end()) else _YEAR_NOTE.match(title, m.end())
        title = title[: note.end() if note else m.end()]
    report.title = title
    ym = _YEAR.search(title)
    if ym:
        report.year = int(ym.group(1))
        note = _YEAR_NOTE.search(title)
        if note and note.start() < ym.start():  # the year is in the note: the agency is before it
            agency = title[: note.start()]
        else:
            agency = title[: ym.start()] + title[ym.end() :]
        agency = _TITLE_SUFFIX.sub("", agency.strip()).strip("度 ")
        agency = _ALIAS.sub("", agency) or agency  # keep the first of two names
        report.agency = agency or None


_TITLE_LINES = 16  # the title is among the page's first lines, after the portal's header and menus
_DATE_LINES = 40  # the 发布时间 line, after the header, menus and title


def _title_from_text(paragraphs: list[str]) -> str | None:
    """The title at the top of the text: a line with the title words and the short lines just
    above it (a name broken over lines, a second name in brackets: up to four lines in all)."""
    parts: list[str] = []
    yearless = None
    for para in paragraphs[:_TITLE_LINES]:
        if re.fullmatch(r"附件\s*\d*", para):
            continue
        if len(para) > 80:
            break
        if _PUBLISHED.search(para) or _WRITTEN.search(para):  # a date line above the title is not part of it
            parts.clear()
            continue
        parts.append(para)
        if _TITLE_WORDS.search(para):
            ym = _YEAR.search(para)
            agency = re.sub(r"\s+", "", para[: ym.start()]) if ym else ""
            if len(agency) >= 2 and not _ALIAS.fullmatch(agency):
                return para  # the whole title on one line: the short lines above are the portal's menus
            title = "".join(parts[-4:])
            if _YEAR.search(title):
                return title
            yearless = yearless or title
            parts.clear()  # a column name above the title (政府信息公开年报), not part of it
    return yearless


def _published(doc: Document) -> str | None:
    paras = doc.paragraphs
    # The page's header lines, and the cells of a metadata table above the report (索引号 / 发布机构 /
    # 公开日期 / 文号) when the portal has one: its label and its value are two cells of a row.
    head = paras[:_DATE_LINES] + [" ".join(row) for grid in doc.grids[:1] for row in grid.rows[:8]]
    for pattern in (_PUBLISHED, None, _WRITTEN):
        if pattern is None:
            pub = doc.meta.get("PubDate") or doc.meta.get("pubdate")
            m = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", pub) if pub else None
            if m:
                return _iso(*m.groups())
            continue
        for line in head:
            m = pattern.search(line)
            if m:
                return _iso(*m.groups())
    for para in reversed(paras[-4:]):
        m = _CLOSING_DATE.match(re.sub(r"\s+", "", para))
        if m:
            return _iso(*m.groups())
    return None


def _iso(y: str, m: str, d: str) -> str | None:
    """The ISO date, or None for a date that does not exist (2022-02-30, month 13)."""
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None
