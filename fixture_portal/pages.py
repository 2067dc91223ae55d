"""Render report content as the Xicheng and Dongcheng portals serve it (docs/portals.md).

Detail pages follow the observed text order. Xicheng (www.bjxch.gov.cn):

    北京市西城区人民政府 / 政府信息公开年报 / {title} / 发布时间:YYYY-MM-DD HH:MM / 分享: /
    {title again, over two lines} / 依据…编制本报告 / 一、总体情况 …

with a Word-pasted body (<p class=MsoNormal><span>, digits split over spans) and the three
State Council tables as <table> with rowspan/colspan. Dongcheng (www.bjdch.gov.cn, TRS):

    {title} / 日期:YYYY-MM-DD HH:MM  来源:{short name} / 字号: 大 中 小 / {body} / 附件 links ./P0….pdf

The list-page markup of both portals is unknown (docs/portals.md §2.4); the lists here are
plausible guesses, documented in sites.py. Every function returns a str; none declares a
charset when called with charset=None (for GBK pages served without one).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from fixture_portal.content import HEADINGS, ReportContent
from parsers.model import APPLICANTS, REVIEW_FIELDS, REVIEW_GROUPS, Number

# --- cells and tables ----------------------------------------------------------


@dataclass
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    head: bool = False


def _num(value: Number | None, signed: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        s = repr(value).removesuffix(".0")
    else:
        s = str(value)
    return f"+{s}" if signed and value > 0 else s


_T1_LABELS = {
    "regulations": "规章",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "punishment": "行政处罚",
    "enforcement": "行政强制",
    "fees": "行政事业性收费",
    "procurement": "政府集中采购",
}
_T1_SECTIONS = (
    ("第二十条第（一）项", ("regulations", "normative_documents")),
    ("第二十条第（五）项", ("licensing", "other_services")),
    ("第二十条第（六）项", ("punishment", "enforcement")),
    ("第二十条第（八）项", ("fees",)),
    ("第二十条第（九）项", ("procurement",)),
)
_T1_FIELD_ORDER = (
    "issued", "repealed", "in_force", "made", "published", "total_published",
    "previous_year", "change", "decisions", "projects", "amount",
)  # fmt: skip


def _t1_head(field: str, template: str, row: str) -> str:
    heads = {
        "issued": "本年制发件数", "repealed": "本年废止件数", "in_force": "现行有效件数",
        "made": "本年新制作数量", "published": "本年新公开数量", "total_published": "对外公开总数量",
        "previous_year": "上一年项目数量", "change": "本年增/减", "projects": "采购项目数量",
        "decisions": "本年处理决定数量" if template == "2021" else "处理决定数量",
    }  # fmt: skip
    if field == "amount":
        return "本年收费金额（单位：万元）" if row == "fees" else "采购总金额（万元，保留四位小数）"
    return heads.get(field, field)


def _value_cells(values: list[str], width: int = 3) -> list[Cell]:
    """n values over `width` columns: 1 -> [3], 2 -> [1, 2], 3 -> [1, 1, 1]."""
    if not values:
        return [Cell("", colspan=width)]
    spans = [1] * len(values)
    spans[-1] = width - len(values) + 1
    return [Cell(v, colspan=s) for v, s in zip(values, spans)]


def table1_rows(content: ReportContent) -> list[list[Cell]]:
    """Table 1 (第二十条): 2 label columns + 3 value columns, as the State Council template."""
    table = content.active_disclosure
    normative = "行政规范性文件" if content.template == "2021" else "规范性文件"
    rows: list[list[Cell]] = []
    placed: set[str] = set()
    sections = [(name, [k for k in table if k.split("/")[0] in keys]) for name, keys in _T1_SECTIONS]
    leftovers = [k for k in table if not any(k in ks for _, ks in sections)]
    if leftovers:
        sections.append(("其他", leftovers))
    for name, keys in sections:
        if not keys:
            continue
        fields = [f for f in _T1_FIELD_ORDER if any(f in table[k] for k in keys)]
        fields += [f for k in keys for f in table[k] if f not in fields]
        rows.append([Cell(name, colspan=5, head=True)])
        first = keys[0].split("/")[0]
        rows.append(
            [
                Cell("信息内容", colspan=2, head=True),
                *_value_cells([_t1_head(f, content.template, first) for f in fields]),
            ]
        )
        for key in keys:
            if key in placed:
                continue
            base, _, leaf = key.partition("/")
            label = normative if base == "normative_documents" else _T1_LABELS.get(base, base)
            if leaf:
                subs = [k for k in keys if k.startswith(base + "/")]
                for i, sub in enumerate(subs):
                    placed.add(sub)
                    vals = [_num(table[sub].get(f), signed=f == "change") for f in fields]
                    lead = [Cell(label, rowspan=len(subs))] if i == 0 else []
                    rows.append([*lead, Cell(sub.partition("/")[2]), *_value_cells(vals)])
                continue
            placed.add(key)
            vals = [_num(table[key].get(f), signed=f == "change") for f in fields]
            rows.append([Cell(label, colspan=2), *_value_cells(vals)])
    return rows


_T2_TOP = {
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "carried_forward": "四、结转下年度继续办理",
}
_T2_SINGLE = {
    "granted": "（一）予以公开",
    "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "other": "（六）其他处理",
    "total_processed": "（七）总计",
}
_T2_GROUPS = (
    ("（三）不予公开", (
        ("withheld_state_secret", "1.属于国家秘密"),
        ("withheld_prohibited_by_law", "2.其他法律行政法规禁止公开"),
        ("withheld_security_stability", "3.危及“三安全一稳定”"),
        ("withheld_third_party", "4.保护第三方合法权益"),
        ("withheld_internal_affairs", "5.属于三类内部事务信息"),
        ("withheld_process_info", "6.属于四类过程性信息"),
        ("withheld_enforcement_file", "7.属于行政执法案卷"),
        ("withheld_query_matter", "8.属于行政查询事项"),
    )),
    ("（四）无法提供", (
        ("unavailable_not_held", "1.本机关不掌握相关政府信息"),
        ("unavailable_needs_creation", "2.没有现成信息需要另行制作"),
        ("unavailable_unclear", "3.补正后申请内容仍不明确"),
    )),
    ("（五）不予处理", (
        ("rejected_petition", "1.信访举报投诉类申请"),
        ("rejected_duplicate", "2.重复申请"),
        ("rejected_publication", "3.要求提供公开出版物"),
        ("rejected_excessive", "4.无正当理由大量反复申请"),
        ("rejected_confirmation", "5.要求行政机关确认或重新出具已获取信息"),
    )),
    ("（六）其他处理", (
        ("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        ("other_unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        ("other_other", "3.其他"),
    )),
)  # fmt: skip


def table2_rows(content: ReportContent) -> list[list[Cell]]:
    """Table 2 (勾稽关系): 3 label columns + 7 applicant columns, rowspan/colspan as the template."""
    apps = content.applications

    def vals(key: str) -> list[Cell]:
        row = apps.get(key, {})
        return [Cell(_num(row.get(c))) for c in (*APPLICANTS, "total")]

    rows: list[list[Cell]] = [
        [Cell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3, colspan=3, head=True),
         Cell("申请人情况", colspan=7, head=True)],
        [Cell("自然人", rowspan=2, head=True), Cell("法人或其他组织", colspan=5, head=True), Cell("总计", rowspan=2, head=True)],
        [Cell(t, head=True) for t in ("商业\n企业", "科研\n机构", "社会公益组织", "法律服务机构", "其他")],
        [Cell(_T2_TOP["new_received"], colspan=3), *vals("new_received")],
        [Cell(_T2_TOP["carried_over"], colspan=3), *vals("carried_over")],
    ]  # fmt: skip
    body: list[list[Cell]] = [
        [Cell(_T2_SINGLE["granted"], colspan=2), *vals("granted")],
        [Cell(_T2_SINGLE["partially_granted"], colspan=2), *vals("partially_granted")],
    ]
    for group, leaves in _T2_GROUPS:
        present = [(k, label) for k, label in leaves if k in apps]
        if not present:
            if group == "（六）其他处理":
                body.append([Cell(_T2_SINGLE["other"], colspan=2), *vals("other")])
            continue
        for i, (key, label) in enumerate(present):
            lead = [Cell(group, rowspan=len(present))] if i == 0 else []
            body.append([*lead, Cell(label), *vals(key)])
    body.append([Cell(_T2_SINGLE["total_processed"], colspan=2), *vals("total_processed")])
    body[0].insert(0, Cell("三、本年度办理结果", rowspan=len(body)))
    rows += body
    rows.append([Cell(_T2_TOP["carried_forward"], colspan=3), *vals("carried_forward")])
    return rows


def table3_rows(content: ReportContent) -> list[list[Cell]]:
    """Table 3: 行政复议 (5 columns) | 行政诉讼 (未经复议直接起诉 5, 复议后起诉 5)."""
    heads = ("结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计")
    review = content.review_litigation
    return [
        [Cell("行政复议", colspan=5, head=True), Cell("行政诉讼", colspan=10, head=True)],
        [*(Cell(h, rowspan=2, head=True) for h in heads),
         Cell("未经复议直接起诉", colspan=5, head=True), Cell("复议后起诉", colspan=5, head=True)],
        [Cell(h, head=True) for h in heads * 2],
        [Cell(_num(review.get(g, {}).get(f))) for g in REVIEW_GROUPS for f in REVIEW_FIELDS],
    ]  # fmt: skip


# --- styles ------------------------------------------------------------------------

_MSO_P = "margin:0cm;text-align:justify;text-indent:32.0pt;line-height:28.0pt;mso-line-height-rule:exactly"
_MSO_SPAN = "font-size:16.0pt;font-family:仿宋_GB2312;mso-hansi-font-family:宋体;mso-bidi-font-family:宋体;color:black;mso-font-kerning:0pt"
_MSO_TD = "border:solid windowtext 1.0pt;mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt"
_MSO_CELL_SPAN = "font-size:10.5pt;font-family:宋体;mso-bidi-font-family:宋体;color:black;mso-font-kerning:0pt"


def _split_digits(text: str) -> str:
    """Word splits runs of digits over spans: '1518' -> '1</span><span …>518' (escaped text in, html out)."""
    if len(text) >= 3 and text.isdigit():
        return f'{text[:1]}</span><span lang="EN-US" style="{_MSO_CELL_SPAN}">{text[1:]}'
    return text


def _cell_html(cell: Cell, word: bool) -> str:
    attrs = ""
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        attrs += f' colspan="{cell.colspan}"'
    text = escape(cell.text, quote=False)
    if word:
        inner = "<br />".join(_split_digits(part) for part in text.split("\n")) or "&nbsp;"
        align = "center" if cell.head or not cell.text or cell.text[:1].isdigit() or cell.text[:1] in "+-" else "left"
        return (
            f'<td{attrs} valign="center" style="{_MSO_TD}"><p class="MsoNormal" align="{align}" '
            f'style="text-align:{align};line-height:15.0pt"><span style="{_MSO_CELL_SPAN}">{inner}</span></p></td>'
        )
    inner = text.replace("\n", "<br>") or "&nbsp;"
    return f'<td{attrs} style="text-align:center">{inner}</td>'


def table_html(rows: list[list[Cell]], word: bool) -> str:
    if word:
        head = '<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt">'
    else:
        head = '<table border="1" cellspacing="0" cellpadding="0" width="100%">'
    body = "".join("<tr>" + "".join(_cell_html(c, word) for c in row) + "</tr>" for row in rows)
    return f"{head}<tbody>{body}</tbody></table>"


def _para(text: str, word: bool, bold: bool = False, center: bool = False) -> str:
    t = escape(text, quote=False)
    if word:
        span = f'<span style="{_MSO_SPAN}">{t}</span>'
        if bold:
            span = f"<b>{span}</b>"
        style = "text-align:center;line-height:28.0pt" if center else _MSO_P
        return f'<p class="MsoNormal" {"align=center " if center else ""}style="{style}">{span}</p>'
    style = "text-align:center" if center else "text-indent:2em"
    t = f"<strong>{t}</strong>" if bold else t
    return f'<p style="{style}">{t}</p>'


def report_body(content: ReportContent, word: bool = True) -> str:
    """The report itself: title lines, preamble, six parts, three tables."""
    out = [_para(line, word, bold=True, center=True) for line in content.title_lines]
    out += [_para(p, word) for p in content.preamble]

    def part(name: str, paras: list[str] | None) -> None:
        out.append(_para(HEADINGS[name], word, bold=True))
        out.extend(_para(p, word) for p in paras or [] if p)

    part("overview", content.overview)
    part("active_disclosure", None)
    out.append(table_html(table1_rows(content), word))
    part("applications", None)
    out.append(table_html(table2_rows(content), word))
    part("review_litigation", None)
    out.append(table_html(table3_rows(content), word))
    part("problems", content.problems)
    if content.other is not None:
        part("other", content.other)
    return "\n".join(out)


# --- page chrome -------------------------------------------------------------------------


def _meta(charset: str | None) -> str:
    return f'<meta charset="{charset}">' if charset else ""


def _stamp(content: ReportContent) -> str:
    return content.published.strftime("%Y-%m-%d %H:%M")


XICHENG_HEADER = (
    '<div class="header"><div class="logo"><a href="/">北京市西城区人民政府</a></div>'
    '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zt/xxgkzl/zfxxgknb.html">政府信息公开年报</a></li></ul></div>'
)
XICHENG_FOOTER = (
    '<div class="footer"><p>主办：北京市西城区人民政府办公室　承办：北京市西城区政务服务管理局</p>'
    "<p>京ICP备05034563号　京公网安备11010202000001号　网站标识码1101020001</p></div>"
)


def xicheng_detail(content: ReportContent, *, word: bool = True, charset: str | None = "utf-8") -> str:
    """A Xicheng detail page (/zt/xxgkzl/gknbxq/pnidpv{UNIT}pntypepvnbpnnfpv{YEAR}.html)."""
    return f"""<!DOCTYPE html>
<html><head>{_meta(charset)}<title>{escape(content.title)}_北京市西城区人民政府</title>
<link rel="stylesheet" href="/static/css/main.css"><script src="/static/js/jquery.min.js"></script></head>
<body>
{XICHENG_HEADER}
<div class="crumb"><span class="lanmu">政府信息公开年报</span></div>
<div class="gknb-detail">
<div class="detail-title">{escape(content.title)}</div>
<div class="detail-info"><span class="time">发布时间:{_stamp(content)}</span></div>
<div class="share">分享:<a class="weibo" href="javascript:void(0)"></a><a class="weixin" href="javascript:void(0)"></a></div>
<div class="detail-content">
<div class="WordSection1" style="layout-grid:15.6pt">
{report_body(content, word)}
</div>
</div>
</div>
{XICHENG_FOOTER}
<script>var shareTitle = "{escape(content.title)}";</script>
</body></html>
"""


DONGCHENG_HEADER = (
    '<div class="header"><div class="logo"><a href="/">北京市东城区人民政府</a></div></div>'
    '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zfxxgkzl/">政府信息公开专栏</a> &gt; '
    '<a href="/zfxxgkzl/zfxxgknb/">政府信息公开年报</a></div>'
)
DONGCHENG_FOOTER = (
    '<div class="footer"><p>主办：北京市东城区人民政府办公室　承办：北京市东城区政务服务管理局</p>'
    "<p>京ICP备05060933号　网站标识码1101010001</p></div>"
)


def dongcheng_detail(
    content: ReportContent, *, attachments: tuple[tuple[str, str], ...] = (), charset: str | None = "utf-8"
) -> str:
    """A Dongcheng TRS detail page; attachments are (href, link text) pairs such as ./P0….pdf."""
    files = ""
    if attachments:
        links = "".join(f'<p><a href="{escape(h)}" target="_blank">{escape(t)}</a></p>' for h, t in attachments)
        files = f'<div class="fujian"><p>附件：</p>{links}</div>'
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html><head>{meta}<title>{escape(content.title)}</title></head>
<body>
{DONGCHENG_HEADER}
<div class="article">
<div class="article-title">{escape(content.title)}</div>
<div class="article-info">日期:{_stamp(content)}&nbsp;&nbsp;来源:{escape(content.source)}</div>
<div class="fontsize">字号:<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a></div>
<div class="view TRS_UEDITOR trs_paper_default trs_web">
{report_body(content, word=False)}
</div>
{files}
</div>
{DONGCHENG_FOOTER}
</body></html>
"""


# --- list pages ---------------------------------------------------------------------


@dataclass
class ListEntry:
    href: str  # as written in the page: relative, root-relative or absolute ({{base}}/…)
    title: str
    date: str  # YYYY-MM-DD


def _cut(title: str, limit: int) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


def _items(entries: list[ListEntry], limit: int) -> str:
    return "\n".join(
        f'<li><a href="{escape(e.href)}" title="{escape(e.title)}" target="_blank">{escape(_cut(e.title, limit))}</a>'
        f'<span class="date">{e.date}</span></li>'
        for e in entries
    )


def xicheng_list_url(page: int) -> str:
    """Page 1 is /zt/xxgkzl/zfxxgknb.html, page n ≥ 2 is /zt/xxgkzl/zfxxgknb_n.html."""
    return "/zt/xxgkzl/zfxxgknb.html" if page == 1 else f"/zt/xxgkzl/zfxxgknb_{page}.html"


def xicheng_list(entries: list[ListEntry], page: int, pages: int, total: int) -> str:
    """A Xicheng list page: entries (titles cut at 24 characters, full title in title=),
    then 首页 / 上一页 / numbers / 下一页 / 尾页 links (relative: zfxxgknb_2.html)."""

    def name(p: int) -> str:
        return xicheng_list_url(p).rsplit("/", 1)[1]

    nav = [f'<span class="total">共{total}条 {page}/{pages}页</span>', f'<a href="{name(1)}">首页</a>']
    if page > 1:
        nav.append(f'<a href="{name(page - 1)}">上一页</a>')
    for p in range(max(1, page - 3), min(pages, page + 3) + 1):
        nav.append(f'<span class="current">{p}</span>' if p == page else f'<a href="{name(p)}">{p}</a>')
    if page < pages:
        nav.append(f'<a href="{name(page + 1)}">下一页</a>')
    nav.append(f'<a href="{name(pages)}">尾页</a>')
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>政府信息公开年报_北京市西城区人民政府</title></head>
<body>
{XICHENG_HEADER}
<div class="crumb">当前位置：<a href="/">首页</a> &gt; 政府信息公开年报</div>
<div class="gknb-filter">单位：<select id="unit"><option value="">全部</option></select> 年份：<select id="year"><option value="">全部</option></select></div>
<ul class="gknb-list">
{_items(entries, 24)}
</ul>
<div class="page">{" ".join(nav)}</div>
{XICHENG_FOOTER}
</body></html>
"""


def xicheng_home() -> str:
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>北京市西城区人民政府</title></head>
<body>{XICHENG_HEADER}<div class="main"><a href="/zt/xxgkzl/zfxxgknb.html">政府信息公开年报</a></div>{XICHENG_FOOTER}</body></html>
"""


def image_only_page(title: str, stamp: str, attachment: str) -> str:
    """A report published as scanned pages and a PDF: its title, images, a link, no text."""
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{escape(title)}</title></head>
<body>{XICHENG_HEADER}
<div class="gknb-detail"><div class="detail-title">{escape(title)}</div>
<div class="detail-info">发布时间:{stamp}</div>
<div class="detail-content"><p><img src="./P1.jpg"></p><p><img src="./P2.jpg"></p>
<p>附件：<a href="{escape(attachment)}">{escape(title)}.pdf</a></p></div></div>{XICHENG_FOOTER}</body></html>
"""


def interpretation_page(site: str, title: str, stamp: str) -> str:
    """A news item whose title names an annual report but that is not one, though it shows a
    table of the report's numbers, as such 解读 often do."""
    header = XICHENG_HEADER if site == "xicheng" else DONGCHENG_HEADER
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{escape(title)}</title></head>
<body>{header}
<div class="detail-title">{escape(title)}</div>
<div class="detail-info">发布时间:{stamp}</div>
<div class="detail-content">
<p>近日，{"西城区" if site == "xicheng" else "东城区"}发布了政府信息公开工作年度报告。为便于公众理解，现就报告的主要内容解读如下。</p>
<p>一、报告的编制依据。依据《中华人民共和国政府信息公开条例》第五十条的规定编制。</p>
<p>二、报告的主要内容。报告从总体情况、主动公开、依申请公开、行政复议和行政诉讼、存在问题及改进措施等方面，全面总结了全年政府信息公开工作。</p>
<p>三、下一步工作。将继续深化政务公开，提升公开质量和实效。</p>
<table border="1"><tr><td colspan="2">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td><td>申请人情况</td></tr>
<tr><td colspan="2">一、本年新收政府信息公开申请数量</td><td>12</td></tr>
<tr><td colspan="2">二、上年结转政府信息公开申请数量</td><td>1</td></tr></table>
</div></body></html>
"""


def soft_404_page() -> str:
    """A Xicheng detail URL for a unit × year not yet published: 200 with no report."""
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>政府信息公开年报_北京市西城区人民政府</title></head>
<body>{XICHENG_HEADER}<div class="gknb-detail"><div class="detail-title"></div><div class="detail-content"><p>暂无数据</p></div></div>{XICHENG_FOOTER}</body></html>
"""


_PAGER_CALL = 'createPageHTML(countPage, currentPage, "index", "html");'
_PAGER_WRITE = """var prevPage = currentPage - 1;
var nextPage = currentPage + 1;
if (nextPage < countPage) {
  document.write("<a href=\\"index_" + nextPage + "." + "html\\">下一页</a>");
}"""


def dongcheng_list(
    title: str,
    entries: list[ListEntry],
    page: int,
    pages: int,
    *,
    crumbs: str = "",
    links: bool = True,
    script: str = "createPageHTML",
) -> str:
    """A TRS list page: index.html, index_1.html … (page 0-based as TRS counts), with the
    page count in script and, unless links=False, plain 下一页/尾页 links too (many TRS portals
    have only the script, which writes the links when the page runs). script: "createPageHTML"
    (a call naming the pages) or "document.write" (the older template: countPage and links
    built from nextPage)."""

    def name(p: int) -> str:
        return "index.html" if p == 0 else f"index_{p}.html"

    nav = [f'<a href="{name(0)}">首页</a>']
    if page > 0:
        nav.append(f'<a href="{name(page - 1)}">上一页</a>')
    if page < pages - 1:
        nav.append(f'<a href="{name(page + 1)}">下一页</a>')
    nav.append(f'<a href="{name(pages - 1)}">尾页</a>')
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>{escape(title)}_北京市东城区人民政府</title></head>
<body>
{DONGCHENG_HEADER}{crumbs}
<div class="list-title">{escape(title)}</div>
<ul class="list">
{_items(entries, 30)}
</ul>
<div class="page"><script>var countPage = {pages}//共多少页
var currentPage = {page};
{_PAGER_CALL if script == "createPageHTML" else _PAGER_WRITE}</script>
{" ".join(nav) if links else ""}</div>
{DONGCHENG_FOOTER}
</body></html>
"""


def dongcheng_menu(title: str, links: list[tuple[str, str]], entries: list[ListEntry] | None = None) -> str:
    """The root and year pages: links to year folders / category folders (./2021nb/, ./dcqzf2021/),
    and optionally a box of latest reports."""
    menu = "\n".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for h, t in links)
    latest = f'<div class="latest"><h3>最新发布</h3><ul>{_items(entries, 30)}</ul></div>' if entries else ""
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>{escape(title)}_北京市东城区人民政府</title></head>
<body>
{DONGCHENG_HEADER}
<div class="list-title">{escape(title)}</div>
<ul class="menu">
{menu}
</ul>
{latest}
{DONGCHENG_FOOTER}
</body></html>
"""
