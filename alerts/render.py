"""Render: digests -> the e-mail's subject, plain-text part and HTML part.

In Chinese (the default; the context is alerts.chinese's) or in English (`[alerts] language =
"en"`: the context built here). Both parts are rendered from ONE context, built from the
collected digests; the templates in alerts/templates/ only lay it out. The HTML template is autoescaped. No
database is opened here: everything shown comes from alerts.collect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from alerts import chinese
from alerts.digest import Digest, about
from common.constants import Rule, Severity
from parsers.model import REVIEW_FIELDS, REVIEW_GROUPS, application_rows_of

COLUMN_NAMES = {
    "natural_person": "自然人", "commercial_enterprise": "商业企业", "research_institution": "科研机构",
    "social_welfare_org": "社会公益组织", "legal_service_org": "法律服务机构", "other_org": "其他",
    "org_subtotal": "小计", "total": "总计",
}  # fmt: skip
MAX_DIFF_LINES = 120
MAX_LISTED = 40  # a first crawl finds hundreds of reports: list some, count the rest
MAX_CELLS = 12  # cells named per finding in the text part

ENV = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
    undefined=StrictUndefined,  # a misspelt name in a template fails, not renders as blank
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.filters["rstrip"] = str.rstrip


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


# --- the context ---------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    label: str  # "agency year"
    url: str


@dataclass(frozen=True)
class Revision:
    label: str
    url: str
    diff: list[str]  # the first MAX_DIFF_LINES lines of the diff of its text records
    more_lines: int


@dataclass(frozen=True)
class FindingLine:
    severity: str  # upper case, as shown
    label: str
    rule: str
    where: str
    message: str
    url: str
    fingerprint: str
    cells: list[str]  # the cells an error involves (the first MAX_CELLS); none for a warning


@dataclass(frozen=True)
class Cell:
    text: str
    bad: bool  # a cell of an error finding: marked


@dataclass(frozen=True)
class Row:
    name: str
    cells: list[Cell]


@dataclass(frozen=True)
class Table:
    """A report's table 2 laid out as the official table, and table 3 when its cells are marked.
    `rows` empty: the report has no table 2 (an empty line, as before)."""

    columns: list[str]
    rows: list[Row]
    review: list[Row] | None
    review_columns: tuple[str, ...] = tuple(REVIEW_FIELDS)


@dataclass(frozen=True)
class ReportFindings:
    label: str
    url: str
    findings: list[FindingLine]
    table: Table | None  # drawn when its error findings name cells


@dataclass(frozen=True)
class Failing:
    count: int
    last_error: str


@dataclass(frozen=True)
class Section:
    """One site's digest."""

    site: str
    subject: str
    new: list[Link]
    more_new: int  # reports past MAX_LISTED, counted only
    revised: list[Revision]
    findings: list[FindingLine]  # in the store's order (the text part)
    by_report: list[ReportFindings]  # the same findings by report (the HTML part)
    fixed: list[FindingLine]
    failing: Failing | None
    stale_since: str | None
    moves: list[str]  # 年报栏目已迁移: one line a column found in a configured list page's place
    stopped: str | None = None  # why the last crawl stopped short
    season: str = ""  # "2024: expected N, published M" (the units learned from the site over the years)


@dataclass(frozen=True)
class Mail:
    """The one context both parts are rendered from: one section per site."""

    subject: str
    sections: list[Section]


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def subject(d: Digest) -> str:
    errors = [f for f in d.findings if f["severity"] == Severity.ERROR]
    inconsistent = {f["report_id"] for f in errors if f["rule"] != Rule.MISSING_REPORT}
    missing = sum(f["rule"] == Rule.MISSING_REPORT for f in d.findings)
    late = sum(f["rule"] == Rule.LATE_PUBLICATION for f in d.findings)
    counts = (
        (len(d.new), "new report", "new reports"),
        (len(d.revised), "revised report", "revised reports"),
        (len(inconsistent), "inconsistent", "inconsistent"),
        (missing, "missing report", "missing reports"),
        (late, "late", "late"),
        (len(d.fixed), "finding fixed", "findings fixed"),
    )
    parts = [_count(n, one, many) for n, one, many in counts if n]
    parts += [d.stopped] if d.stopped else []
    parts += [alarm.message for alarm in (d.failing, d.stale) if alarm]
    parts += ["年报栏目已迁移"] if d.moved else []
    return f"{d.site_name}: " + (", ".join(parts) or "no news")


def _label(row: dict[str, Any]) -> str:
    return f"{row.get('agency') or row.get('title') or '?'} {row.get('year') or ''}".strip()


def _finding(f: dict[str, Any]) -> FindingLine:
    cells = f.get("cells") or []
    return FindingLine(
        severity=str(f["severity"]).upper(), label=_label(f), rule=f["rule"], where=f["where_"],
        message=f["message"], url=f["url"], fingerprint=f["fingerprint"],
        cells=cells[:MAX_CELLS] if f["severity"] == Severity.ERROR else [],
    )  # fmt: skip


def _text(v: Any) -> str:
    return "" if v is None else str(v)


def table(report: dict[str, Any], marked: set[str]) -> Table:
    """Table 2 (and 3, when cells of it are marked) of a report's JSON, `marked` cells marked."""
    apps = report.get("applications") or {}
    if not apps:
        return Table([], [], None)
    order = application_rows_of(report.get("template"), apps)
    names = [r for r in order if r in apps] + [r for r in apps if r not in order]
    cols = list(next(iter(apps.values())).keys())
    rows = [Row(r, [Cell(_text(apps[r].get(c)), f"applications.{r}.{c}" in marked) for c in cols]) for r in names]
    review = report.get("review_litigation") or {}
    review_rows = None
    if review and any(m.startswith("review_litigation.") for m in marked):
        review_rows = [
            Row(
                g,
                [Cell(_text(review.get(g, {}).get(f)), f"review_litigation.{g}.{f}" in marked) for f in REVIEW_FIELDS],
            )
            for g in REVIEW_GROUPS
        ]
    return Table([COLUMN_NAMES.get(c, c) for c in cols], rows, review_rows)


def _by_report(d: Digest) -> list[ReportFindings]:
    groups: dict[int | str, list[dict[str, Any]]] = {}
    for f in d.findings:
        groups.setdefault(about(f), []).append(f)
    out = []
    for report_id, findings in groups.items():
        marked = {c for f in findings if f["severity"] == Severity.ERROR for c in f.get("cells") or []}
        report = d.reports.get(report_id) if marked else None
        drawn = table(report, marked) if report else None
        out.append(ReportFindings(_label(findings[0]), findings[0]["url"], [_finding(f) for f in findings], drawn))
    return out


def section(d: Digest) -> Section:
    revised = [
        Revision(_label(row), row["url"], diff[:MAX_DIFF_LINES], max(0, len(diff) - MAX_DIFF_LINES))
        for row, diff in d.revised
    ]
    return Section(
        site=d.site,
        subject=subject(d),
        new=[Link(_label(r), r["url"]) for r in d.new[:MAX_LISTED]],
        more_new=max(0, len(d.new) - MAX_LISTED),
        revised=revised,
        findings=[_finding(f) for f in d.findings],
        by_report=_by_report(d),
        fixed=[_finding(f) for f in d.fixed],
        failing=Failing(len(d.failing.runs), d.failing.last_error) if d.failing else None,
        stale_since=d.stale.since if d.stale else None,
        stopped=d.stopped,
        season=f"{d.season[0]}: expected {d.season[1]}, published {d.season[2]}" if d.season else "",
        moves=[
            f"{d.site_name}：年报栏目已迁移至 {m['url']}（原地址 {m['moved_from']} 已失效或不再列出年报）"
            for m in d.moved
        ],
    )


def context(digests: Sequence[Digest]) -> Mail:
    sections = [section(d) for d in digests]
    return Mail(" · ".join(s.subject for s in sections), sections)


LANGUAGES = ("zh", "en")


def render(digests: Sequence[Digest], language: str = "zh", base_url: str = "") -> Rendered:
    """One e-mail for digests that go to the same recipients; `base_url`: the web view's address
    (`[web] base_url`), which every item of the Chinese digest links into."""
    if language == "en":
        mail: Mail | chinese.Mail = context(digests)
        names = ("digest.en.txt.j2", "digest.en.html.j2")
    else:
        mail = chinese.context(digests, base_url)
        names = ("digest.txt.j2", "digest.html.j2")
    text, html = (ENV.get_template(name).render(mail=mail) for name in names)
    return Rendered(mail.subject, text, html)
