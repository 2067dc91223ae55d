"""A report's three tables laid out as the official tables, with the cells of failing equations
marked (the total apart from its parts), and each finding said in Chinese words and numbers.

Works on the report's JSON form and the findings as stored (dicts), so that the digest
(alerts/) and the web view (web/) draw the same tables; it reads no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from common import labels as L
from common.constants import OCR_NOTE

APPLICATION_ORDER = (
    "new_received", "carried_over", "granted", "partially_granted",
    "withheld_state_secret", "withheld_prohibited_by_law", "withheld_security_stability", "withheld_third_party",
    "withheld_internal_affairs", "withheld_process_info", "withheld_enforcement_file", "withheld_query_matter",
    "unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear",
    "rejected_petition", "rejected_duplicate", "rejected_publication", "rejected_excessive", "rejected_confirmation",
    "other", "other_no_correction", "other_unpaid_fee", "other_other", "total_processed", "carried_forward",
)  # fmt: skip
RESULT_ROWS = frozenset(APPLICATION_ORDER[2:-1])  # 三、本年度办理结果: （一）…（七）
ORGS = ("commercial_enterprise", "research_institution", "social_welfare_org", "legal_service_org", "other_org")
COLUMN_ORDER = ("natural_person", *ORGS, "org_subtotal", "total")
REVIEW_GROUPS = ("review", "litigation_direct", "litigation_after_review")
REVIEW_FIELDS = ("upheld", "corrected", "other", "pending", "total")
TOTAL, PART = "total", "part"  # how a marked cell stands in its equation


@dataclass(frozen=True)
class Head:
    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True)
class Cell:
    text: str
    key: str  # part.row.column, as findings name cells
    head: str = ""  # its column head, for a line of text
    mark: str = ""  # "" | TOTAL | PART

    @property
    def bad(self) -> bool:
        return bool(self.mark)


@dataclass(frozen=True)
class Line:
    label: str
    cells: list[Cell] = field(default_factory=list)
    heading: bool = False  # a group heading spanning the row (三、本年度办理结果)


@dataclass(frozen=True)
class Block:
    heads: list[list[Head]]  # the head rows, spans as the official table has them
    lines: list[Line]


@dataclass(frozen=True)
class Laid:
    part: str
    title: str
    blocks: list[Block]
    marked: bool  # a cell of it is marked

    @property
    def width(self) -> int:
        return max((sum(h.colspan for h in row) for b in self.blocks for row in b.heads[:1]), default=1)


def _text(v: Any) -> str:
    return "" if v is None else str(v)


def marks(findings: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """{cell key: TOTAL or PART} over the equations of these findings: the cells of the left side
    (the total, or 一+二 for the balance) and of the right (the parts). A total wins over a part."""
    out: dict[str, str] = {}
    for f in findings:
        lhs, rhs = f.get("lhs") or {}, f.get("rhs") or {}
        sides = ((lhs.get("cells") or {}, TOTAL), (rhs.get("cells") or {}, PART))
        if not sides[0][0] and not sides[1][0]:  # no sides stored: every named cell, as parts
            sides = (({c: None for c in f.get("cells") or []}, PART),)
        for cells, kind in sides:
            for key in cells:
                if not key.startswith("previous.") and out.get(key) != TOTAL:
                    out[key] = kind
    return out


def applications(report: Mapping[str, Any], marked: Mapping[str, str]) -> Laid | None:
    apps = report.get("applications") or {}
    if not apps:
        return None
    present = {c for row in apps.values() for c in row}
    cols = [c for c in COLUMN_ORDER if c in present] + sorted(present - set(COLUMN_ORDER))
    orgs = [c for c in cols if c in ORGS or c == "org_subtotal"]
    lead = [c for c in cols if c == "natural_person"]
    rest = [c for c in cols if c not in orgs and c not in lead]
    heads = [
        [Head("", 1, 3), Head(L.APPLICANTS_HEADING, len(cols))],
        [*(Head(L.APPLICANT_LABELS[c], 1, 2) for c in lead), Head(L.ORG_HEADING, len(orgs))]
        + [Head(L.APPLICANT_LABELS.get(c, c), 1, 2) for c in rest],
        [Head(L.APPLICANT_LABELS.get(c, c)) for c in orgs],
    ]
    rows = [r for r in APPLICATION_ORDER if r in apps] + [r for r in apps if r not in APPLICATION_ORDER]
    lines: list[Line] = []
    for r in rows:
        if r in RESULT_ROWS and not any(line.heading for line in lines):
            lines.append(Line(L.RESULTS_HEADING, heading=True))
        cells = [Cell(_text(apps[r].get(c)), f"applications.{r}.{c}", L.APPLICANT_LABELS.get(c, c)) for c in cols]
        lines.append(Line(L.APPLICATION_LABELS.get(r, r), _marked(cells, marked)))
    return Laid("applications", L.TABLE_TITLES["applications"], [Block(heads, lines)], _any(lines))


def active_disclosure(report: Mapping[str, Any], marked: Mapping[str, str]) -> Laid | None:
    active = report.get("active_disclosure") or {}
    if not active:
        return None
    template = "2021" if report.get("template") == "2021" else "2019"
    names = L.ACTIVE_FIELD_LABELS if template == "2021" else L.ACTIVE_FIELD_LABELS_2019
    blocks, placed = [], set()
    for article, fields, rows in L.ACTIVE_BLOCKS[template]:
        here = [r for r in rows if r in active]
        # A row a report adds (seed 003 splits 其他对外管理服务事项) goes in the block of its fields.
        here += [r for r in active if r not in placed and r not in here and set(active[r]) == set(fields)]
        here = [r for r in here if r not in placed]
        placed.update(here)
        if here:
            blocks.append(_active_block(article, fields, here, active, names, marked))
    left = [r for r in active if r not in placed]
    if left:
        fields = tuple(dict.fromkeys(f for r in left for f in active[r]))
        blocks.append(_active_block("", fields, left, active, names, marked))
    lines = [line for b in blocks for line in b.lines]
    return Laid("active_disclosure", L.TABLE_TITLES["active_disclosure"], blocks, _any(lines))


def _active_block(
    article: str, fields: tuple[str, ...], rows: list[str], active: Mapping[str, Any],
    names: Mapping[str, str], marked: Mapping[str, str],
) -> Block:  # fmt: skip
    heads = [[Head(article, len(fields) + 1)]] if article else []
    heads.append([Head(L.ACTIVE_ITEM_HEAD), *(Head(names.get(f, f)) for f in fields)])
    lines = [
        Line(
            active_label(r),
            _marked(
                [Cell(_text(active[r].get(f)), f"active_disclosure.{r}.{f}", names.get(f, f)) for f in fields], marked
            ),
        )
        for r in rows
    ]
    return Block(heads, lines)


def active_label(row: str) -> str:
    """A table 1 row's label; a row a report adds under another is keyed base/label (行政检查)."""
    base, _, sub = row.partition("/")
    return f"{L.ACTIVE_ROW_LABELS.get(base, base)}·{sub}" if sub else L.ACTIVE_ROW_LABELS.get(row, row)


def review_litigation(report: Mapping[str, Any], marked: Mapping[str, str]) -> Laid | None:
    review = report.get("review_litigation") or {}
    if not review:
        return None
    fields = [Head(L.REVIEW_FIELD_LABELS[f]) for f in REVIEW_FIELDS]
    heads = [
        [Head(L.REVIEW_HEADING, 5, 2), Head(L.LITIGATION_HEADING, 10)],
        [Head(L.REVIEW_GROUP_HEADS[g], 5) for g in REVIEW_GROUPS[1:]],
        fields * 3,
    ]
    cells = [
        Cell(
            _text((review.get(g) or {}).get(f)),
            f"review_litigation.{g}.{f}",
            f"{L.REVIEW_GROUP_LABELS[g]}·{L.REVIEW_FIELD_LABELS[f]}",
        )
        for g in REVIEW_GROUPS
        for f in REVIEW_FIELDS
    ]
    lines = [Line("", _marked(cells, marked))]
    return Laid("review_litigation", L.TABLE_TITLES["review_litigation"], [Block(heads, lines)], _any(lines))


def lay_out(report: Mapping[str, Any], marked: Mapping[str, str] | None = None) -> list[Laid]:
    """Tables 1, 2 and 3 of a report's JSON form, as the official tables (those it has)."""
    marked = marked or {}
    tables = (active_disclosure(report, marked), applications(report, marked), review_litigation(report, marked))
    return [t for t in tables if t is not None]


def _marked(cells: list[Cell], marked: Mapping[str, str]) -> list[Cell]:
    return [Cell(c.text, c.key, c.head, marked.get(c.key, "")) for c in cells]


def _any(lines: list[Line]) -> bool:
    return any(c.mark for line in lines for c in line.cells)


# --- a finding in words ---------------------------------------------------------------------


def _num(v: Any) -> str:
    if v is None:
        return "空"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _col(key: str) -> str:
    return L.APPLICANT_LABELS.get(key, key)


def _row_of(where: str) -> str:
    """The row of a finding's where (part.row.column; a row key may hold a dot)."""
    return where.split(".", 1)[1].rsplit(".", 1)[0] if where.count(".") >= 2 else ""


def _cell_label(key: str) -> str:
    part, _, rest = key.partition(".")
    row, _, col = rest.rpartition(".")
    if part == "applications":
        return f"{L.APPLICATION_LABELS.get(row, row)}·{_col(col)}"
    if part == "review_litigation":
        return f"{L.REVIEW_GROUP_LABELS.get(row, row)}·{L.REVIEW_FIELD_LABELS.get(col, col)}"
    return f"{active_label(row)}·{L.ACTIVE_FIELD_LABELS.get(col, col)}"


def _blanks(f: Mapping[str, Any], lv: str, rv: str, tail: str) -> str:
    cells = list(f.get("cells") or [])
    named = "；".join(
        _cell_label(c if c.count(".") >= 2 else f"{f.get('where_') or f.get('where')}.{c}") for c in cells[:4]
    )
    return f"{len(cells)} 个单元格为空" + (f"：{named}" + ("……" if len(cells) > 4 else "") if cells else "")


# rule -> (finding, left value, right value, the last part of its where) -> the sentence
_SAY: dict[str, Any] = {
    "balance": lambda f, lv, rv, t: (
        f"一、本年新收 + 二、上年结转·{_col(t)} = {lv}，而（七）总计 + 四、结转下年度继续办理·{_col(t)} = {rv}"
        "（应相等：收到的申请都应办结或结转）"
    ),
    "results_sum": lambda f, lv, rv, t: f"（七）总计·{_col(t)} = {lv}，而（一）至（六）之和 = {rv}",
    "row_total": lambda f, lv, rv, t: (
        f"{L.APPLICATION_LABELS.get(_row_of(_where(f)), _row_of(_where(f)))}·法人或其他组织小计 = {lv}，而五类法人或其他组织之和 = {rv}"
        if t == "org_subtotal"
        else f"{L.APPLICATION_LABELS.get(_row_of(_where(f)), _row_of(_where(f)))}·总计 = {lv}，而自然人与法人或其他组织之和 = {rv}"
    ),
    "review_total": lambda f, lv, rv, t: (
        f"{L.REVIEW_GROUP_LABELS.get(_row_of(_where(f)), _row_of(_where(f)))}·总计 = {lv}，"
        f"而结果维持、结果纠正、其他结果、尚未审结之和 = {rv}"
    ),
    "carry_continuity": lambda f, lv, rv, t: (
        f"二、上年结转·{_col(t)} = {lv}，而上一年度报告的四、结转下年度继续办理·{_col(t)} = {rv}"
    ),
    "in_force_continuity": lambda f, lv, rv, t: (
        f"{active_label(_row_of(_where(f)))}·现行有效件数 = {lv}，而上一年度现行有效件数 + 本年制发件数 − 本年废止件数 = {rv}"
    ),
    "late_publication": lambda f, lv, rv, t: f"发布日期 {lv}，晚于法定期限 {rv}（条例第四十九条）",
    "missing_report": lambda f, lv, rv, t: f"法定期限 {rv} 已过，尚未发布本年度报告（上一年度已发布）",
    "missing_cells": _blanks,
    "missing_section": lambda f, lv, rv, t: f"没有找到“{L.PART_LABELS.get(t, t)}”部分（条例第五十条）",
    "missing_table": lambda f, lv, rv, t: f"没有找到“{L.TABLE_TITLES.get(t, t)}”的表格",
    "template_mismatch": lambda f, lv, rv, t: f"{rv} 年模板适用于本年度，报告用的是 {lv} 年模板",
    "url_year_mismatch": lambda f, lv, rv, t: f"标题所写年度为 {lv}，网址中的年度为 {rv}",
    "copies_differ": lambda f, lv, rv, t: (
        f"同一份报告在{_side(f, 'rhs')}转载的版本与{_side(f, 'lhs')}不一致：{_copy_cells(f)}"
    ),
}


def _side(f: Mapping[str, Any], side: str) -> str:
    return str((f.get(side) or {}).get("expr") or "")


def _copy_cells(f: Mapping[str, Any]) -> str:
    """copies_differ: each differing cell's label and its two values (the first four)."""
    lhs, rhs = (f.get("lhs") or {}).get("cells") or {}, (f.get("rhs") or {}).get("cells") or {}
    said = [f"{_cell_label(c)} {_num(lhs.get(c))} / {_num(rhs.get(c))}" for c in list(lhs)[:4]]
    return "，".join(said) + ("……" if len(lhs) > 4 else "")


def _where(f: Mapping[str, Any]) -> str:
    return str(f.get("where_") or f.get("where") or "")


def explain(f: Mapping[str, Any]) -> str:
    """The finding's equation in words and numbers: "（七）总计·自然人 = 20，而（一）至（六）之和 = 26"."""
    lhs, rhs = f.get("lhs") or {}, f.get("rhs") or {}
    say = _SAY.get(str(f.get("rule")))
    message = str(f.get("message", ""))
    if say is None:
        return message
    ocr = L.OCR_UNCONFIRMED if message.endswith(OCR_NOTE) else ""  # a warning until a person confirms
    return say(f, _num(lhs.get("value")), _num(rhs.get("value")), _where(f).rsplit(".", 1)[-1]) + ocr


def legend(f: Mapping[str, Any]) -> tuple[str, str]:
    """What the two kinds of marked cell are in this finding's equation: (total side, parts side)."""
    if f.get("rule") == "balance":
        return "一、本年新收 + 二、上年结转", "（七）总计 + 四、结转下年度继续办理"
    if f.get("rule") in ("carry_continuity", "in_force_continuity"):
        return "本年度", "上一年度及本年增减"
    if f.get("rule") == "copies_differ":
        return "本报告", "转载版本与之不同"
    return "总计", "各分项"
