"""Property tests: generated reports read back exactly, broken ones break the right rule, bad input fails cleanly.

The generator draws a consistent table 2 (2021 template) and table 3 and renders a whole
report page the way portals publish Word exports: the State Council template's
rowspan/colspan layout, mso styles, numbers split over <span>s, &nbsp; padding. The
findings expected after one cell is changed or blanked are derived here from the
equations of docs/report-model.md, not from the parser.
"""

from __future__ import annotations

import html
import random
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.assess import assess_report, assessed
from parsers.errors import ParseError
from parsers.load import parse_bytes
from parsers.model import (
    APPLICANT_COLUMNS,
    APPLICANTS,
    APPLICATION_ROWS_2021,
    RESULT_ROWS_2021,
    REVIEW_FIELDS,
    REVIEW_GROUPS,
)
from tests.parsers.fuzzing import time_limit

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "fixtures" / "samples" / "shanghai-szfbgt-2019.html"
SEED_000 = next((ROOT / "tests" / "fixtures" / "seeds").glob("000_*.txt"))

# --- the spec's equations (docs/report-model.md), written out independently -----------

SPEC_SEVERITY = {
    "balance": "error",
    "results_sum": "error",
    "row_total": "error",
    "review_total": "error",
    "narrative_mismatch": "warning",
}


def spec_equations() -> list[tuple[str, str, frozenset[str]]]:
    """(rule, where, every cell the equation reads) for a 2021-template report whose
    overview states its count of new applications."""
    a = "applications"
    eqs = []
    for c in APPLICANT_COLUMNS:
        rows = ("new_received", "carried_over", "total_processed", "carried_forward")
        eqs.append(("balance", f"{a}.{c}", frozenset(f"{a}.{r}.{c}" for r in rows)))
        results = ("total_processed", *RESULT_ROWS_2021)
        eqs.append(("results_sum", f"{a}.total_processed.{c}", frozenset(f"{a}.{r}.{c}" for r in results)))
    for r in APPLICATION_ROWS_2021:
        eqs.append(("row_total", f"{a}.{r}.total", frozenset(f"{a}.{r}.{c}" for c in APPLICANT_COLUMNS)))
    for g in REVIEW_GROUPS:
        eqs.append(("review_total", f"review_litigation.{g}.total",
                    frozenset(f"review_litigation.{g}.{f}" for f in REVIEW_FIELDS)))  # fmt: skip
    # The overview says "共收到政府信息公开申请N件": N must be 一、本年新收 总计.
    eqs.append(("narrative_mismatch", f"{a}.new_received.total", frozenset({f"{a}.new_received.total"})))
    return eqs


EQUATIONS = spec_equations()

# --- generating consistent tables --------------------------------------------------

Tables = dict[str, dict[str, dict[str, int | float | None]]]

TABLE1_ROWS = {
    "regulations": ("issued", "repealed", "in_force"),
    "normative_documents": ("issued", "repealed", "in_force"),
    "licensing": ("decisions",),
    "punishment": ("decisions",),
    "enforcement": ("decisions",),
    "fees": ("amount",),
}

counts = st.one_of(st.just(0), st.integers(0, 9), st.integers(0, 120), st.integers(0, 25_000))
fee_amounts = st.one_of(
    st.integers(0, 500_000),
    st.decimals(0, 99_999, places=4, allow_nan=False, allow_infinity=False).map(lambda d: float(d)),
)


@st.composite
def consistent_tables(draw) -> Tables:
    """Table 1, a balanced table 2 (every equation holds) and table 3 with its totals."""
    app: dict[str, dict[str, int | float | None]] = {r: {} for r in APPLICATION_ROWS_2021}
    for col in APPLICANTS:
        for r in RESULT_ROWS_2021:
            app[r][col] = draw(counts)
        processed = sum(app[r][col] for r in RESULT_ROWS_2021)
        forward = draw(counts)
        over = draw(st.integers(0, processed + forward))
        app["total_processed"][col] = processed
        app["carried_forward"][col] = forward
        app["carried_over"][col] = over
        app["new_received"][col] = processed + forward - over  # 一+二 = 三(七)+四
    for r in APPLICATION_ROWS_2021:
        app[r]["total"] = sum(app[r][c] for c in APPLICANTS)
    review: dict[str, dict[str, int | float | None]] = {}
    for g in REVIEW_GROUPS:
        four = [draw(st.integers(0, 60)) for _ in range(4)]
        review[g] = {**dict(zip(REVIEW_FIELDS[:4], four)), "total": sum(four)}
    active: dict[str, dict[str, int | float | None]] = {}
    for row, fields in TABLE1_ROWS.items():
        active[row] = {f: draw(fee_amounts if f == "amount" else counts) for f in fields}
    return {"active_disclosure": active, "applications": app, "review_litigation": review}


AGENCIES = (
    "北京市西城区某某局",
    "北京市西城区人民政府外事办公室",
    "上海市浦东新区发展和改革委员会",
    "山西省人民政府外事办公室",
    "广州市天河区人民政府",
)


@st.composite
def report_meta(draw) -> dict:
    year = draw(st.integers(2021, 2025))
    return {
        "agency": draw(st.sampled_from(AGENCIES)),
        "year": year,
        "published": f"{year + 1}-01-{draw(st.integers(2, 31)):02d}",  # on time for either deadline
        "encoding": draw(st.sampled_from(["utf-8", "gb18030", "gbk-undeclared"])),
        "markup_seed": draw(st.integers(0, 2**32)),  # cosmetic choices only (markup, number forms)
    }


# --- rendering a page the way a Word export looks ------------------------------------

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
TD = ("<td{span} width={w} valign=top style='width:{pt}pt;border:solid windowtext 1.0pt;border-top:none;"
      "mso-border-top-alt:solid windowtext .5pt;mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt'>")  # fmt: skip
SPAN = "<span lang=EN-US style='font-size:10.5pt;font-family:\"Times New Roman\",serif;mso-fareast-font-family:宋体'>"
BLANKS = ("&nbsp;", "", "<span lang=EN-US><o:p>&nbsp;</o:p></span>", " \u3000 ", "<o:p></o:p>")


def _span_attr(rowspan: int = 1, colspan: int = 1) -> str:
    return (f" rowspan={rowspan}" if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")


def _td(rnd: random.Random, inner: str, rowspan: int = 1, colspan: int = 1) -> str:
    w = rnd.choice((38, 47, 57, 66, 137, 194))
    return TD.format(span=_span_attr(rowspan, colspan), w=w, pt=round(w * 0.75, 1)) + inner + "</td>"


def _number_text(v: int | float, rnd: random.Random) -> str:
    if isinstance(v, float):
        s = repr(v)
    elif v >= 1000 and rnd.random() < 0.3:
        s = f"{v:,}"
    else:
        s = str(v)
    if rnd.random() < 0.1:
        s = s.translate(FULLWIDTH)
    return s


def value_cell(v: int | float | None, rnd: random.Random, colspan: int = 1) -> str:
    if v is None:
        inner = f"<p class=MsoNormal align=center style='text-align:center'>{rnd.choice(BLANKS)}</p>"
        return _td(rnd, inner, colspan=colspan)
    s = _number_text(v, rnd)
    form = rnd.randrange(5)
    if form == 0:
        body = html.escape(s)
    elif form == 1:
        body = f"{SPAN}{html.escape(s)}</span>"
    elif form == 2:  # Word splits a number over runs: <span>2</span><span>1</span> is 21
        cut = rnd.randrange(len(s) + 1)
        body = f"{SPAN}{html.escape(s[:cut])}</span><span lang=EN-US>{html.escape(s[cut:])}<o:p></o:p></span>"
    elif form == 3:
        body = f"&nbsp;{html.escape(s)}&nbsp;"
    else:
        body = "".join(f"<span style='mso-bidi-font-size:10.5pt'>{ch}</span>" for ch in html.escape(s))
    return _td(rnd, f"<p class=MsoNormal align=center style='text-align:center'>{body}</p>", colspan=colspan)


def label_cell(text: str, rnd: random.Random, rowspan: int = 1, colspan: int = 1) -> str:
    if rnd.random() < 0.3:
        text = text.replace("（", "(").replace("）", ")")
    body = html.escape(text, quote=False)
    for word in ("商业企业", "科研机构", "社会公益组织", "本年度办理结果", "结果维持", "尚未审结"):
        if word in text and rnd.random() < 0.5:
            body = body.replace(word, word[:2] + "<br>" + word[2:])
    inner = f"<p class=MsoNormal><span style='font-family:仿宋_GB2312;mso-bidi-font-family:宋体'>{body}</span></p>"
    return _td(rnd, inner, rowspan, colspan)


def _tr(cells: list[str]) -> str:
    return "<tr style='mso-yfti-irow:0;height:20.25pt'>" + "".join(cells) + "</tr>\n"


def _table(rows: list[str]) -> str:
    return ("<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;"
            "border:none;mso-border-alt:solid windowtext .5pt;mso-yfti-tbllook:1184'>\n<tbody>"
            + "".join(rows) + "</tbody></table>\n")  # fmt: skip


def render_table1(t: Tables, rnd: random.Random) -> str:
    a = t["active_disclosure"]
    L = label_cell  # noqa: N806
    rows = [_tr([L("第二十条第（一）项", rnd, colspan=4)]),
            _tr([L("信息内容", rnd), L("本年制发件数", rnd), L("本年废止件数", rnd), L("现行有效件数", rnd)])]  # fmt: skip
    for key, label in (("regulations", "规章"), ("normative_documents", "行政规范性文件")):
        rows.append(_tr([L(label, rnd), *(value_cell(a[key][f], rnd) for f in TABLE1_ROWS[key])]))
    sections = (
        ("第二十条第（五）项", "本年处理决定数量", (("licensing", "行政许可", "decisions"),)),
        ("第二十条第（六）项", "本年处理决定数量", (("punishment", "行政处罚", "decisions"),
                                                    ("enforcement", "行政强制", "decisions"))),
        ("第二十条第（八）项", "本年收费金额（单位：万元）", (("fees", "行政事业性收费", "amount"),)),
    )  # fmt: skip
    for item, head, items in sections:
        rows.append(_tr([L(item, rnd, colspan=4)]))
        rows.append(_tr([L("信息内容", rnd), L(head, rnd, colspan=3)]))
        for key, label, f in items:
            rows.append(_tr([L(label, rnd), value_cell(a[key][f], rnd, colspan=3)]))
    return _table(rows)


RESULT_LABELS = {
    "granted": "（一）予以公开",
    "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "withheld_state_secret": "1.属于国家秘密",
    "withheld_prohibited_by_law": "2.其他法律行政法规禁止公开",
    "withheld_security_stability": "3.危及“三安全一稳定”",
    "withheld_third_party": "4.保护第三方合法权益",
    "withheld_internal_affairs": "5.属于三类内部事务信息",
    "withheld_process_info": "6.属于四类过程性信息",
    "withheld_enforcement_file": "7.属于行政执法案卷",
    "withheld_query_matter": "8.属于行政查询事项",
    "unavailable_not_held": "1.本机关不掌握相关政府信息",
    "unavailable_needs_creation": "2.没有现成信息需要另行制作",
    "unavailable_unclear": "3.补正后申请内容仍不明确",
    "rejected_petition": "1.信访举报投诉类申请",
    "rejected_duplicate": "2.重复申请",
    "rejected_publication": "3.要求提供公开出版物",
    "rejected_excessive": "4.无正当理由大量反复申请",
    "rejected_confirmation": "5.要求行政机关确认或重新出具已获取信息",
    "other_no_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_unpaid_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other_other": "3.其他",
}
GROUP_HEADS = {  # first row of each rowspan group -> (label, rowspan)
    "withheld_state_secret": ("（三）不予公开", 8),
    "unavailable_not_held": ("（四）无法提供", 3),
    "rejected_petition": ("（五）不予处理", 5),
    "other_no_correction": ("（六）其他处理", 3),
}
GROUPED = {r for r in RESULT_ROWS_2021 if r.startswith(("withheld_", "unavailable_", "rejected_", "other_"))}


def render_table2(t: Tables, rnd: random.Random) -> str:
    a = t["applications"]
    L = label_cell  # noqa: N806

    def values(row: str) -> list[str]:
        return [value_cell(a[row][c], rnd) for c in APPLICANT_COLUMNS]

    rows = [
        _tr([L("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rnd, rowspan=3, colspan=3),
             L("申请人情况", rnd, colspan=7)]),
        _tr([L("自然人", rnd, rowspan=2), L("法人或其他组织", rnd, colspan=5), L("总计", rnd, rowspan=2)]),
        _tr([L(h, rnd) for h in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")]),
        _tr([L("一、本年新收政府信息公开申请数量", rnd, colspan=3), *values("new_received")]),
        _tr([L("二、上年结转政府信息公开申请数量", rnd, colspan=3), *values("carried_over")]),
    ]  # fmt: skip
    n_results = len(RESULT_ROWS_2021) + 1  # + （七）总计
    for i, row in enumerate(RESULT_ROWS_2021):
        cells = [L("三、本年度办理结果", rnd, rowspan=n_results)] if i == 0 else []
        if row in GROUP_HEADS:
            label, span = GROUP_HEADS[row]
            cells.append(L(label, rnd, rowspan=span))
        if row in GROUPED:
            cells.append(L(RESULT_LABELS[row], rnd))
        else:
            cells.append(L(RESULT_LABELS[row], rnd, colspan=2))
        rows.append(_tr(cells + values(row)))
    rows.append(_tr([L("（七）总计", rnd, colspan=2), *values("total_processed")]))
    rows.append(_tr([L("四、结转下年度继续办理", rnd, colspan=3), *values("carried_forward")]))
    return _table(rows)


def render_table3(t: Tables, rnd: random.Random) -> str:
    v = t["review_litigation"]
    L = label_cell  # noqa: N806
    heads = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    rows = [
        _tr([L("行政复议", rnd, colspan=5), L("行政诉讼", rnd, colspan=10)]),
        _tr([*(L(h, rnd, rowspan=2) for h in heads), L("未经复议直接起诉", rnd, colspan=5),
             L("复议后起诉", rnd, colspan=5)]),
        _tr([L(h, rnd) for h in heads * 2]),
        _tr([value_cell(v[g][f], rnd) for g in REVIEW_GROUPS for f in REVIEW_FIELDS]),
    ]  # fmt: skip
    return _table(rows)


def _para(text: str, rnd: random.Random, bold: bool = False) -> str:
    body = html.escape(text, quote=False)
    if bold:
        body = f"<b>{body}</b>"
    return (f"<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt;mso-line-height-rule:exactly'>"
            f"<span style='font-size:16.0pt;font-family:仿宋_GB2312;mso-hansi-font-family:宋体'>{body}"
            f"<span lang=EN-US><o:p></o:p></span></span></p>\n")  # fmt: skip


def render_page(t: Tables, meta: dict, stated: int | None = None, note: str = "") -> bytes:
    """The page; its overview states `stated` applications (default: table 2's own count)
    and ends with the paragraph `note` (raw markup) when one is given."""
    rnd = random.Random(meta["markup_seed"])
    title = f"{meta['agency']}{meta['year']}年政府信息公开工作年度报告"
    count = t["applications"]["new_received"]["total"] if stated is None else stated
    charset = {"utf-8": "utf-8", "gb18030": "gb2312", "gbk-undeclared": None}[meta["encoding"]]
    head = f'<meta http-equiv=Content-Type content="text/html; charset={charset}">' if charset else ""
    body = [
        f"<p class=MsoNormal align=center style='text-align:center'><b><span style='font-size:22.0pt;"
        f"font-family:方正小标宋简体'>{html.escape(title)}</span></b></p>\n",
        _para(f"发布日期：{meta['published']}", rnd),
        _para(
            "本报告依据《中华人民共和国政府信息公开条例》（以下简称《条例》）第五十条编制，"
            "所列数据的统计期限自本年1月1日起至12月31日止。",
            rnd,
        ),
        _para("一、总体情况", rnd, bold=True),
        _para(
            f"{meta['year']}年，本机关认真贯彻落实《条例》和本级政务公开工作要点，全年共收到政府信息公开申请"
            f"{count}件，均在法定期限内答复，主动公开、依申请公开、政府信息管理、平台建设和监督保障各项工作稳步推进。",
            rnd,
        ),
        f"<p class=MsoNormal>{note}</p>\n" if note else "",
        _para("二、主动公开政府信息情况", rnd, bold=True),
        render_table1(t, rnd),
        _para("三、收到和处理政府信息公开申请情况", rnd, bold=True),
        render_table2(t, rnd),
        _para("四、政府信息公开行政复议、行政诉讼情况", rnd, bold=True),
        render_table3(t, rnd),
        _para("五、存在的主要问题及改进情况", rnd, bold=True),
        _para(
            "政务公开工作仍存在信息发布不够及时、政策解读形式较为单一等问题，下一步将加强培训，"
            "完善制度，持续提升政务公开工作质量和水平。",
            rnd,
        ),
        _para("六、其他需要报告的事项", rnd, bold=True),
        _para("本年度未收取信息处理费。", rnd),
    ]
    page = (
        "<html xmlns:v='urn:schemas-microsoft-com:vml' xmlns:o='urn:schemas-microsoft-com:office:office'>\n"
        f"<head>{head}<title>{html.escape(title)}_{html.escape(meta['agency'])}</title>"
        "<style>p.MsoNormal{mso-style-parent:'';margin:0cm;text-align:justify;font-size:10.5pt}</style>"
        "<!--[if gte mso 9]><xml><o:DocumentProperties><o:Author>user</o:Author></o:DocumentProperties>"
        "</xml><![endif]--></head>\n<body lang=ZH-CN style='tab-interval:21.0pt'>"
        "<div class=WordSection1 style='layout-grid:15.6pt'>\n" + "".join(body) + "</div></body></html>\n"
    )
    if rnd.random() < 0.3:  # a portal's layout table around the article
        page = page.replace("<div class=WordSection1", "<table width=980><tr><td><div class=WordSection1")
        page = page.replace("</div></body>", "</div></td></tr></table></body>")
    return page.encode("utf-8" if meta["encoding"] == "utf-8" else "gb18030")


# --- helpers ---------------------------------------------------------------------------


def parse_or_reject(data: bytes, kind: str | None = None, seconds: float = 10.0):
    """parse_bytes must return a report or raise ParseError, and do so promptly."""
    with time_limit(seconds):
        try:
            parsed = parse_bytes(data, kind)
            parsed.report.findings = assess_report(parsed.report)  # nor may the checks fail on what it makes
            return parsed
        except ParseError as exc:
            msg = str(exc)
            assert msg and "\n" not in msg, repr(msg)  # one readable line
            return None


def assert_same_values(got: dict, want: dict, part: str) -> None:
    assert set(got) == set(want), f"{part}: rows {sorted(set(got) ^ set(want))}"
    for row, cols in want.items():
        assert set(got[row]) == set(cols), f"{part}.{row}: columns {sorted(set(got[row]) ^ set(cols))}"
        for col, v in cols.items():
            g = got[row][col]
            assert g == v and type(g) is type(v), f"{part}.{row}.{col}: read {g!r}, wrote {v!r}"


CHECKED_CELLS = [f"applications.{r}.{c}" for r in APPLICATION_ROWS_2021 for c in APPLICANT_COLUMNS] + [
    f"review_litigation.{g}.{f}" for g in REVIEW_GROUPS for f in REVIEW_FIELDS
]
TABLE1_CELLS = [f"active_disclosure.{r}.{f}" for r, fs in TABLE1_ROWS.items() for f in fs]

FAST = settings(max_examples=40, deadline=timedelta(seconds=3), suppress_health_check=[HealthCheck.too_slow])


# --- 1. a consistent report reads back exactly and has no findings -----------------------


@FAST
@given(consistent_tables(), report_meta())
def test_consistent_report_round_trips(tables: Tables, meta: dict) -> None:
    report = assessed(parse_bytes(render_page(tables, meta), "html").report)
    assert [f.to_json() for f in report.findings] == []
    assert report.title == f"{meta['agency']}{meta['year']}年政府信息公开工作年度报告"
    assert (report.agency, report.year, report.published) == (meta["agency"], meta["year"], meta["published"])
    assert report.template == "2021"
    assert report.tables == [1, 2, 3]
    assert report.parts == ["overview", "active_disclosure", "applications", "review_litigation", "problems", "other"]
    assert report.result_rows == list(RESULT_ROWS_2021)
    for part in ("active_disclosure", "applications", "review_litigation"):
        assert_same_values(getattr(report, part), tables[part], part)


# --- 2. one changed cell breaks exactly the equations it is in ----------------------------


def _set(t: Tables, cell: str, value: int | float | None) -> Tables:
    part, row, col = cell.split(".")
    out = {p: {r: dict(cs) for r, cs in rows.items()} for p, rows in t.items()}
    out[part][row][col] = value
    return out


@FAST
@given(consistent_tables(), report_meta(), st.sampled_from(CHECKED_CELLS + TABLE1_CELLS), st.data())
def test_changed_cell_breaks_the_right_rules(tables: Tables, meta: dict, cell: str, data) -> None:
    old = tables[cell.split(".")[0]][cell.split(".")[1]][cell.split(".")[2]]
    new = data.draw(st.integers(0, int(old) + 3000).filter(lambda n: n != old), label="new value")
    changed = _set(tables, cell, new)
    stated = tables["applications"]["new_received"]["total"]  # the overview keeps the true count
    report = assessed(parse_bytes(render_page(changed, meta, stated), "html").report)

    for part in ("active_disclosure", "applications", "review_litigation"):
        assert_same_values(getattr(report, part), changed[part], part)
    want = {(rule, where, SPEC_SEVERITY[rule]) for rule, where, cells in EQUATIONS if cell in cells}
    got = {(f.rule, f.where, f.severity) for f in report.findings}
    assert got == want
    for f in report.findings:  # each names the changed cell and is off by exactly the change
        assert cell in f.cells
        assert f.lhs is not None and f.rhs is not None
        assert abs(f.lhs.value - f.rhs.value) == abs(new - old)


@FAST
@given(consistent_tables(), report_meta(), st.sampled_from(CHECKED_CELLS))
def test_blank_cell_is_missing_and_not_evaluated(tables: Tables, meta: dict, cell: str) -> None:
    blanked = _set(tables, cell, None)
    stated = tables["applications"]["new_received"]["total"]
    report = assessed(parse_bytes(render_page(blanked, meta, stated), "html").report)
    part = cell.split(".")[0]

    for p in ("active_disclosure", "applications", "review_litigation"):
        assert_same_values(getattr(report, p), blanked[p], p)
    needing = {}  # rule -> how many of its equations read the blank cell
    for rule, _where, cells in EQUATIONS:
        if cell in cells:
            needing[rule] = needing.get(rule, 0) + 1
    want = {("missing_cells", part, "warning")} | {(rule, part, "info") for rule in needing}
    got = {(f.rule, f.where, f.severity) for f in report.findings}
    assert got == want, "a blank cell must neither pass nor fail the equations that need it"
    assert len(report.findings) == len(want)
    for f in report.findings:
        assert f.cells == [cell]
        if f.severity == "info":
            assert f"not evaluated for {needing[f.rule]} of its equations" in f.message


PRIVATE_USE = st.lists(
    st.one_of(
        st.characters(min_codepoint=0xE000, max_codepoint=0xE00F),
        st.sampled_from(
            [
                "&#xE000;",
                "&#57345;",
                "&#xe002;",
                "&#xE003;",
                "7",
                "12",
                " ",
                "\ue0001\ue000",
                "&#xE000;7&#xE000;",
                "&#xE000x",
                "&#57344a",
                "&#xE002_",
                "&#x0000e003z",
                "&#XE001;",
            ]
        ),
    ),
    min_size=1,
    max_size=12,
).map("".join)


@FAST
@given(consistent_tables(), report_meta(), PRIVATE_USE)
def test_private_use_characters_in_the_page(tables: Tables, meta: dict, note: str) -> None:
    """GB18030 maps user-defined characters to U+E000..: a page holding them (the characters the
    HTML reader once used as its own table markers) still reads back exactly and keeps them."""
    report = assessed(parse_bytes(render_page(tables, meta, note=note), "html").report)
    assert [f.to_json() for f in report.findings] == []
    for part in ("active_disclosure", "applications", "review_litigation"):
        assert_same_values(getattr(report, part), tables[part], part)
    kept = " ".join(html.unescape(note).split())
    if kept:
        assert kept in report.sections["overview"]


def test_equations_cover_every_checked_cell() -> None:
    """The derivation above is not vacuous: every cell of tables 2 and 3 is in some equation."""
    covered = set().union(*(cells for _r, _w, cells in EQUATIONS))
    assert set(CHECKED_CELLS) <= covered
    assert len(CHECKED_CELLS) == len(APPLICATION_ROWS_2021) * 7 + 15


# --- 3. robustness: anything in, a report or ParseError out ---------------------------------

ROBUST = settings(max_examples=60, deadline=timedelta(seconds=5), suppress_health_check=[HealthCheck.too_slow])
KINDS = st.sampled_from([None, "html", "text"])


@ROBUST
@given(st.binary(max_size=8192), KINDS)
def test_random_bytes(data: bytes, kind: str | None) -> None:
    parse_or_reject(data, kind)


@pytest.fixture(scope="module")
def sample() -> bytes:
    return SAMPLE.read_bytes()


@settings(max_examples=40, deadline=timedelta(seconds=5))
@given(st.data())
def test_truncated_sample(data) -> None:
    page = SAMPLE.read_bytes()
    a = data.draw(st.integers(0, len(page)), label="cut at")
    b = data.draw(st.integers(a, len(page)), label="resume at")
    parse_or_reject(page[:a], data.draw(st.sampled_from([None, "html"])))
    parse_or_reject(page[:a] + page[b:], "html")


def test_truncated_sample_keeps_what_it_has(sample: bytes) -> None:
    """Cut just after table 2, the page still yields table 2 with the sample's numbers."""
    cut = sample.index("四、政府信息公开行政复议".encode())
    report = parse_bytes(sample[:cut], "html").report
    assert report.applications["new_received"]["total"] == 859
    assert 3 not in report.tables


NEST_TAGS = st.sampled_from(["div", "span", "p", "b", "font", "table", "tr", "td", "ul", "li", "center"])


@settings(max_examples=25, deadline=timedelta(seconds=5))
@given(st.lists(NEST_TAGS, min_size=1, max_size=6), st.integers(1, 20_000), st.booleans())
def test_deeply_nested_markup(tags: list[str], depth: int, closed: bool) -> None:
    opening = "".join(f"<{tags[i % len(tags)]}>" for i in range(depth))
    closing = "".join(f"</{tags[i % len(tags)]}>" for i in reversed(range(depth))) if closed else ""
    title = "北京市西城区某某局2022年政府信息公开工作年度报告"
    page = f"<html><body>{opening}<p>{title}</p><table><tr><td>行政复议</td></tr></table>{closing}</body></html>"
    parse_or_reject(page.encode("utf-8"), "html")


def test_deep_report_inside_layout_divs(sample: bytes) -> None:
    """A report wrapped in 100 layout <div>s is still read."""
    page = sample.replace(b"<body>", b"<body>" + b"<div class='w'>" * 100).replace(
        b"</body>", b"</div>" * 100 + b"</body>"
    )
    assert parse_bytes(page, "html").report.applications["new_received"]["total"] == 859


@pytest.mark.parametrize("kind", [None, "html", "text"])
def test_huge_input_is_refused_quickly(kind: str | None) -> None:
    unit = "<p>年度报告</p>".encode()
    page = b"<html><body>" + unit * (40 * 1024 * 1024 // len(unit))  # 40 MB
    with time_limit(5), pytest.raises(ParseError) as info:
        parse_bytes(page, kind)
    assert "MB" in str(info.value)


@pytest.mark.parametrize(
    "page",
    [
        b"<html><body><table>" + b"<tr><td rowspan=2000 colspan=64>x</td></tr>" * 2000 + b"</table></body></html>",
        b"<html><body><table><tr>" + b"<td>1</td>" * 100_000 + b"</tr>" + b"<tr><td>x</td></tr>" * 2000
        + b"</table></body></html>",
    ],
    ids=["spans", "wide-then-long"],
)  # fmt: skip
def test_table_expansion_is_bounded(page: bytes) -> None:
    """rowspan/colspan and one wide row cannot make a small page expand into a huge grid."""
    parse_or_reject(page, "html", seconds=10)


REPORT_TOKENS = st.sampled_from(
    [
        "\t", "\t", "|", "\n", "\n\n", " ", "\u3000", "\u00a0", "0", "1", "12", "3,456", "-7", "+2", "4.5",
        "１２", "251000元", "22（其中修订16件）", "—", "无",
        "北京市西城区某某局2022年政府信息公开工作年度报告", "一、总体情况", "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况", "六、其他需要报告的事项", "第二十条第（一）项", "信息内容",
        "本年制发件数", "规章", "行政规范性文件", "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        "申请人情况", "自然人", "法人或其他组织", "商业企业", "小计", "总计", "一、本年新收政府信息公开申请数量",
        "二、上年结转政府信息公开申请数量", "三、本年度办理结果", "（一）予以公开", "（三）不予公开", "1.属于国家秘密",
        "（六）其他处理", "3.其他", "（七）总计", "四、结转下年度继续办理", "行政复议", "行政诉讼", "结果维持",
        "发布日期：2023-01-20", "2023年1月20日", "共收到政府信息公开申请5件",
    ]
)  # fmt: skip


@ROBUST
@given(st.lists(REPORT_TOKENS, max_size=300), KINDS, st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_report_like_text(tokens: list[str], kind: str | None, encoding: str) -> None:
    parse_or_reject("".join(tokens).encode(encoding), kind)


@ROBUST
@given(st.text(max_size=3000), KINDS)
def test_random_text(text: str, kind: str | None) -> None:
    parse_or_reject(text.encode("utf-8", "surrogatepass"), kind)


@ROBUST
@given(st.lists(st.sampled_from(["<table>", "<tr>", "<td>", "<td rowspan=3>", "<td colspan='2'>", "</td>",
                                 "</tr>", "</table>", "<th rowspan=-1 colspan=0x10>", "<td rowspan=9999999999>",
                                 "<br>", "<p>", "行政复议", "自然人", "0", "7", "&nbsp;", "<td rowspan='1.5px;'>"]),
                max_size=200))  # fmt: skip
def test_random_table_markup(tokens: list[str]) -> None:
    page = "<html><body><p>某某局2022年政府信息公开工作年度报告</p>" + "".join(tokens)
    parse_or_reject(page.encode("utf-8"), "html")


# --- the CLI: a bad file gets one line on stderr, the good one is still parsed -------------


@pytest.mark.parametrize("suffix", [".html", ".bin"])
def test_cli_bad_file_one_line(tmp_path: Path, suffix: str) -> None:
    bad = tmp_path / f"junk{suffix}"
    bad.write_bytes(random.Random(7).randbytes(20_000))
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "parse", str(bad), str(SEED_000)],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert str(bad) in lines[0]
    assert "北京市西城区人民政府外事办公室2021年政府信息公开工作年度报告" in proc.stdout
