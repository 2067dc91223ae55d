"""The Chinese digest's context: one site's news ordered as an office acts on it.

First what needs action (不一致 with the tables laid out and the failing cells marked, 逾期未发布,
已修订, crawl failures), then what is merely new (a count and a list folded past MAX_NEW).
Both parts (digest.txt.j2, digest.html.j2) are rendered from this one context; no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from alerts.digest import Digest, about
from common import labels as L
from common.constants import Rule, Severity
from common.tables import Laid, explain, lay_out, legend, marks
from common.urls import ack_page, report_page

MAX_NEW = 10  # new reports named before the list folds into a count
MAX_DIFF_LINES = 120


@dataclass(frozen=True)
class Item:
    """A report as a list shows it: its name, its page in the web view, the portal's page."""

    label: str
    page: str  # '' when no [web] base_url is configured
    source: str


@dataclass(frozen=True)
class Explained:
    rule: str  # the rule's Chinese name
    severity: str  # 错误 / 警告
    text: str  # the equation in words and numbers
    legend: tuple[str, str] | None  # (the total side, the parts side) when cells are marked
    fingerprint: str
    ack: str  # the web view's page that acknowledges it ('' without a base_url)


@dataclass(frozen=True)
class ReportNews:
    item: Item
    findings: list[Explained]
    tables: list[Laid]  # the tables holding a marked cell, laid out as the official tables


@dataclass(frozen=True)
class Revision:
    item: Item
    diff: list[str]
    more_lines: int


@dataclass(frozen=True)
class Section:
    site: str
    site_name: str
    subject: str
    actions: list[str]  # the first lines: what needs action, counted
    inconsistent: list[ReportNews]
    missing: list[ReportNews]  # 逾期未发布 (missing_report)
    revised: list[Revision]
    warnings: list[ReportNews]  # other warnings (逾期发布, 空格, 缺少部分 …), by report
    new: list[Item]  # the first MAX_NEW
    new_count: int
    fixed: list[ReportNews]
    failing: str  # the failure streak in a sentence ('' none)
    stale: str
    stopped: str = ""  # why the last crawl stopped short (a limit, a signal) ('' it did not)
    moves: list[str] = field(default_factory=list)  # 年报栏目已迁移: a column found in a list page's place
    season: str = ""  # 2024年度：应发布 N 家，已发布 M 家


@dataclass(frozen=True)
class Mail:
    subject: str
    sections: list[Section]


def _item(row: dict[str, Any], base: str) -> Item:
    label = f"{row.get('agency') or row.get('title') or '?'} {row.get('year') or ''}年度".strip()
    rid = row.get("report_id", row.get("id"))
    return Item(label, report_page(base, rid), row.get("url") or "")


def _explained(f: dict[str, Any], base: str, drawn: bool) -> Explained:
    return Explained(
        L.RULE_LABELS.get(f["rule"], f["rule"]), L.SEVERITY_LABELS.get(f["severity"], f["severity"]), explain(f),
        legend(f) if drawn and f.get("cells") else None, f["fingerprint"], ack_page(base, f["fingerprint"]),
    )  # fmt: skip


def _by_report(findings: list[dict[str, Any]], d: Digest, base: str, draw: bool) -> list[ReportNews]:
    groups: dict[int | str, list[dict[str, Any]]] = {}
    for f in findings:
        groups.setdefault(about(f), []).append(f)
    out = []
    for report_id, fs in groups.items():
        tables: list[Laid] = []
        report = d.reports.get(report_id)
        if draw and report:
            tables = [t for t in lay_out(report, marks(f for f in fs if f.get("cells"))) if t.marked]
        out.append(ReportNews(_item(fs[0], base), [_explained(f, base, bool(tables)) for f in fs], tables))
    return out


def _actions(inconsistent: int, missing: int, revised: int, d: Digest) -> list[str]:
    counts = (
        (inconsistent, "{} 份报告数据不一致"),
        (missing, "{} 个单位逾期未发布年度报告"),
        (revised, "{} 份报告已修订"),
    )
    lines = [text.format(n) for n, text in counts if n]
    if d.stopped:
        lines.append("上次抓取提前停止")
    if d.moved:
        lines.append("年报栏目已迁移")
    if d.failing:
        lines.append(f"连续 {len(d.failing.runs)} 次抓取失败")
    if d.stale:
        lines.append("长时间没有成功抓取")
    return lines


def section(d: Digest, base: str = "") -> Section:
    errors = [f for f in d.findings if f["severity"] == Severity.ERROR and f["rule"] != Rule.MISSING_REPORT]
    missing = [f for f in d.findings if f["rule"] == Rule.MISSING_REPORT]
    warnings = [f for f in d.findings if f["severity"] != Severity.ERROR and f["rule"] != Rule.MISSING_REPORT]
    inconsistent = _by_report(errors, d, base, draw=True)
    actions = _actions(len(inconsistent), len(missing), len(d.revised), d)
    news = [f"新发布 {len(d.new)} 份"] if d.new else []
    if d.fixed:
        news.append(f"{len(d.fixed)} 个问题已在新版本中更正")
    subject = f"{d.site_name}：" + (
        "，".join(actions) + ("；" if actions and news else "") + "，".join(news) or "没有新情况"
    )
    revised = [
        Revision(_item(row, base), diff[:MAX_DIFF_LINES], max(0, len(diff) - MAX_DIFF_LINES)) for row, diff in d.revised
    ]
    failing = ""
    if d.failing:
        failing = f"{d.site_name}（{d.site}）连续 {len(d.failing.runs)} 次抓取失败；最近的错误：{d.failing.last_error}"
    stale = f"{d.site_name}（{d.site}）自 {d.stale.since} 以来没有成功抓取：调度程序是否在运行？" if d.stale else ""
    return Section(
        d.site, d.site_name, subject, actions, inconsistent, _by_report(missing, d, base, draw=False), revised,
        _by_report(warnings, d, base, draw=False), [_item(r, base) for r in d.new[:MAX_NEW]], len(d.new),
        _by_report(d.fixed, d, base, draw=False), failing, stale,
        f"{d.site_name}（{d.site}）上次抓取提前停止：{d.stopped}" if d.stopped else "",
        [f"{d.site_name}：年报栏目已迁移至 {m['url']}（原地址 {m['moved_from']} 已失效或不再列出年报）" for m in d.moved],
        f"{d.season[0]}年度：应发布 {d.season[1]} 家，已发布 {d.season[2]} 家" if d.season else "",
    )  # fmt: skip


def context(digests: Sequence[Digest], base: str = "") -> Mail:
    sections = [section(d, base) for d in digests]
    return Mail(" · ".join(s.subject for s in sections), sections)
