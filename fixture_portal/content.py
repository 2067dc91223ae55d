"""Report content for the fixture portals: the five real seeds, and synthetic reports.

A `ReportContent` is what a portal page shows: the title, the date, the text of the
six parts and the three tables as values. `pages.py` renders it as a Xicheng or a
Dongcheng page; parsing that page with `parsers.load.parse_bytes` gives back the
same tables, title, year and agency.

The seeds are copies of tests/fixtures/seeds (this package must work without tests/).
Seed 003 stays inconsistent (4 balance errors) and seed 004 keeps its blank table 2.
Synthetic reports are consistent by construction: every table sum holds, and for one
agency over the years 二、上年结转 equals last year's 四、结转下年度 and 现行有效件数
follows 制发 and 废止, so `checks.assess.assess_report(report, previous=previous)` finds nothing.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources

from parsers.load import parse_bytes
from parsers.model import (
    APPLICANTS,
    APPLICATION_ROWS_2019,
    APPLICATION_ROWS_2021,
    RESULT_ROWS_2019,
    RESULT_ROWS_2021,
    REVIEW_FIELDS,
    REVIEW_GROUPS,
    Number,
)

Table = dict[str, dict[str, Number | None]]

SEED_FILES = {
    "000": "000_402f5e06dd06528b.txt",  # 北京市西城区人民政府外事办公室 2021
    "001": "001_530efe4d9c71d4ab.txt",  # 北京市东城区对外联络服务办公室 2021
    "002": "002_59838382079b1902.txt",  # 西城区政府办公室 2024
    "003": "003_42b2e6b1a7d7c7c9.txt",  # 北京市西城区人民政府 2020 (table 2 does not balance)
    "004": "004_ecd6952428bd61a9.txt",  # 山西省人民政府外事办公室 2021 (table 2 blank)
}
# When each seed "was published" on the fixture portals (the seeds carry no date but 004's
# closing line), and the short 来源 a Dongcheng page would show.
SEED_PUBLISHED = {
    "000": datetime(2022, 1, 20, 16, 35),
    "001": datetime(2022, 1, 17, 10, 30),
    "002": datetime(2025, 1, 20, 9, 12),
    "003": datetime(2021, 3, 22, 10, 0),
    "004": datetime(2022, 1, 30, 11, 0),
}
SEED_SOURCE = {"000": "区政府外办", "001": "区外联办", "002": "区政府办", "003": "区政府", "004": "省外事办"}

HEADINGS = {
    "overview": "一、总体情况",
    "active_disclosure": "二、主动公开政府信息情况",
    "applications": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}


@dataclass
class ReportContent:
    """One report as a portal shows it. Tables use the keys of parsers.model."""

    title: str  # the one-line title of the page header and the list pages
    agency: str  # the full name of the reporting body
    year: int
    template: str  # "2019" | "2021"
    published: datetime  # 发布时间 / 日期
    title_lines: list[str]  # the title as printed again over the body (may be 2-3 lines)
    preamble: list[str]  # paragraphs between that title and 一、总体情况
    overview: list[str]
    active_disclosure: Table
    applications: Table
    review_litigation: Table
    problems: list[str]
    other: list[str] | None  # None: the report has no 六、其他需要报告的事项 (seed 004)
    source: str = ""  # 来源 on Dongcheng pages (a short name)
    seed: str | None = None  # "000".."004" for the real seeds, None for synthetic ones
    unit: int | None = None  # Xicheng unit id (pnidpv) of a synthetic report
    defects: list[str] = field(default_factory=list)  # rules a deliberately broken report fails

    @property
    def key(self) -> str:
        return f"{self.agency}|{self.year}"


# --- the seeds ---------------------------------------------------------------


def seed_text(seed_id: str) -> bytes:
    """The raw bytes of a seed (a copy of tests/fixtures/seeds/<file>)."""
    return resources.files(__package__).joinpath("seeds", SEED_FILES[seed_id]).read_bytes()


@cache
def _seed(seed_id: str) -> ReportContent:
    parsed = parse_bytes(seed_text(seed_id), kind="text")
    r = parsed.report
    paras = parsed.document.paragraphs
    n_title = next(i for i, p in enumerate(paras[:8]) if re.search("年度报告|年报", p)) + 1
    start = next(i for i, p in enumerate(paras) if "总体情况" in p and len(p) <= 40)
    assert r.title and r.agency and r.year and r.template
    return ReportContent(
        title=r.title,
        agency=r.agency,
        year=r.year,
        template=r.template,
        published=SEED_PUBLISHED[seed_id],
        title_lines=paras[:n_title],
        preamble=paras[n_title:start],
        overview=r.sections["overview"].split("\n"),
        active_disclosure=r.active_disclosure,
        applications=r.applications,
        review_litigation=r.review_litigation,
        problems=r.sections.get("problems", "").split("\n"),
        other=r.sections["other"].split("\n") if "other" in r.parts else None,
        source=SEED_SOURCE[seed_id],
        seed=seed_id,
    )


def seed_report(seed_id: str) -> ReportContent:
    """The content of a real seed, "000" .. "004" (a fresh copy: callers may edit it)."""
    import copy

    return copy.deepcopy(_seed(seed_id))


# --- synthetic reports -------------------------------------------------------

DEPARTMENTS = (
    "发展和改革委员会", "教育委员会", "科学技术和信息化局", "民政局", "司法局", "财政局",
    "人力资源和社会保障局", "生态环境局", "住房和城乡建设委员会", "城市管理委员会", "交通委员会",
    "水务局", "商务局", "文化和旅游局", "卫生健康委员会", "退役军人事务局", "应急管理局", "审计局",
    "人民政府国有资产监督管理委员会", "市场监督管理局", "统计局", "医疗保障局", "园林绿化局", "体育局",
    "信访办公室", "政务服务管理局", "人民政府外事办公室", "人民政府办公室", "金融服务办公室",
    "城市管理综合行政执法局", "民族宗教事务办公室", "档案局", "人民防空办公室", "投资促进局",
)  # fmt: skip
STREETS = {
    "xicheng": (
        "西长安街", "新街口", "月坛", "展览路", "德胜", "金融街", "什刹海", "大栅栏",
        "天桥", "椿树", "陶然亭", "广安门内", "牛街", "白纸坊", "广安门外",
    ),
    "dongcheng": (
        "东华门", "景山", "交道口", "安定门", "北新桥", "东四", "朝阳门", "建国门", "东直门",
        "和平里", "前门", "崇文门外", "东花市", "龙潭", "体育馆路", "天坛", "永定门外",
    ),
}  # fmt: skip
DISTRICT = {"xicheng": "西城区", "dongcheng": "东城区"}
STREET_OFFICES = (
    "社区服务中心", "综合行政执法队", "市民活动中心", "社区卫生服务中心", "城市管理办公室",
    "平安建设办公室", "社区建设办公室", "民生保障办公室", "党群工作办公室", "综合保障中心",
)  # fmt: skip
_CN_DIGITS = "零一二三四五六七八九"


def _cn_number(n: int) -> str:
    """1 -> 一, 12 -> 十二, 305 -> 三百零五 (no Arabic digits in agency names)."""
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    rest = n % 100
    head = _CN_DIGITS[n // 100] + "百"
    if not rest:
        return head
    return head + (
        "零" + _CN_DIGITS[rest] if rest < 10 else _cn_number(rest) if rest >= 20 else "一" + _cn_number(rest)
    )


def agencies(site: str) -> Iterator[str]:
    """Distinct agency names of a district, as many as asked for (real ones first)."""
    district = "北京市" + DISTRICT[site]
    yield district + "人民政府"
    streets = STREETS[site]
    for dept in DEPARTMENTS:
        yield district + dept
    for street in streets:
        yield f"{district}{street}街道"
    for office in STREET_OFFICES:
        for street in streets:
            yield f"{district}{street}街道{office}"
    k = 1
    while True:
        for street in streets:
            yield f"{district}{street}街道第{_cn_number(k)}社区服务站"
        k += 1


def short_name(agency: str) -> str:
    """A 来源-style short name: 北京市东城区城市管理委员会 -> 区城市管理委员会, …东华门街道 -> 东华门街道."""
    name = re.sub(r"^北京市(东城|西城)区", "", agency)
    if name == "人民政府":
        return "区政府"
    return name if "街道" in name else "区" + name.removeprefix("人民政府")


def _spread(rng: random.Random, total: int, n: int, weights: list[float] | None = None) -> list[int]:
    """Split total into n non-negative ints (a multinomial draw)."""
    out = [0] * n
    weights = weights or [1.0] * n
    for _ in range(total):
        out[rng.choices(range(n), weights)[0]] += 1
    return out


# How often each result row is used, and how often each kind of applicant applies.
_RESULT_WEIGHTS = {
    "granted": 30, "partially_granted": 6, "unavailable_not_held": 25, "unavailable_needs_creation": 3,
    "unavailable_unclear": 2, "rejected_petition": 4, "rejected_duplicate": 3, "withheld_process_info": 2,
    "withheld_third_party": 1, "withheld_enforcement_file": 1, "withheld_query_matter": 1, "other": 5,
    "other_no_correction": 3, "other_unpaid_fee": 0.2, "other_other": 2,
}  # fmt: skip
_APPLICANT_WEIGHTS = [80, 10, 0.5, 1, 3, 2]


class _UnitHistory:
    """One agency's running figures, so consecutive years of its reports agree."""

    def __init__(self, rng: random.Random, scale: int) -> None:
        self.scale = scale
        self.carried = [0] * 6
        self.in_force = {"regulations": 0, "normative_documents": rng.randint(0, 3 * scale)}


def _applications(rng: random.Random, hist: _UnitHistory, template: str) -> Table:
    results = RESULT_ROWS_2021 if template == "2021" else RESULT_ROWS_2019
    rows = APPLICATION_ROWS_2021 if template == "2021" else APPLICATION_ROWS_2019
    table: Table = {row: {} for row in rows}
    n_new = rng.choice([0, 0, 1, 2, 3, 5]) * hist.scale + rng.randint(0, hist.scale)
    new = _spread(rng, n_new, 6, _APPLICANT_WEIGHTS)
    weights = [_RESULT_WEIGHTS.get(r, 0.3) for r in results]
    for c, col in enumerate(APPLICANTS):
        received = new[c] + hist.carried[c]
        forward = rng.randint(0, received // 5) if received else 0
        split = _spread(rng, received - forward, len(results), weights)
        table["new_received"][col] = new[c]
        table["carried_over"][col] = hist.carried[c]
        for row, v in zip(results, split):
            table[row][col] = v
        table["total_processed"][col] = received - forward
        table["carried_forward"][col] = forward
        hist.carried[c] = forward
    for row in rows:
        table[row]["total"] = sum(table[row][c] for c in APPLICANTS)
    return table


def _review(rng: random.Random, scale: int) -> Table:
    table: Table = {}
    for group in REVIEW_GROUPS:
        vals = [rng.choice([0, 0, 0, 1, 2]) * max(1, scale // 3) for _ in range(4)]
        table[group] = dict(zip(REVIEW_FIELDS, [*vals, sum(vals)]))
    return table


def _active(rng: random.Random, hist: _UnitHistory, template: str) -> Table:
    s = hist.scale
    if template == "2021":
        table: Table = {}
        for row in ("regulations", "normative_documents"):
            issued = 0 if row == "regulations" else rng.randint(0, s)
            repealed = min(hist.in_force[row], rng.randint(0, 1))
            hist.in_force[row] += issued - repealed
            table[row] = {"issued": issued, "repealed": repealed, "in_force": hist.in_force[row]}
        for row in ("licensing", "punishment", "enforcement"):
            table[row] = {"decisions": rng.choice([0, 0, rng.randint(1, 50 * s)])}
        table["fees"] = {"amount": rng.choice([0, 0, 0, round(rng.uniform(0.5, 90), 4)])}
        return table
    made = rng.randint(0, s)
    table = {
        "regulations": {"made": 0, "published": 0, "total_published": 0},
        "normative_documents": {"made": made, "published": made, "total_published": hist.in_force["normative_documents"]},
    }  # fmt: skip
    hist.in_force["normative_documents"] += made
    for row in ("licensing", "other_services", "punishment", "enforcement"):
        prev = rng.choice([0, rng.randint(1, 20 * s)])
        table[row] = {"previous_year": prev, "change": rng.randint(-prev // 4, 5), "decisions": rng.randint(0, 40 * s)}
    table["fees"] = {"previous_year": rng.randint(0, 3), "change": 0}
    table["procurement"] = {"projects": rng.randint(0, 5), "amount": round(rng.uniform(0, 300), 4)}
    return table


def _overview(agency: str, year: int, new_total: int, rng: random.Random) -> list[str]:
    short = short_name(agency)
    items = rng.randint(20, 400)
    stated = (
        f"{year}年共收到政府信息公开申请{new_total}件，均已按时答复。"
        if new_total
        else "本年度未收到政府信息公开申请。"
    )
    return [
        f"{year}年，{short}坚持“公开为常态、不公开为例外”的原则，认真贯彻落实《中华人民共和国政府信息公开条例》，扎实做好主动公开、依申请公开和政府信息管理各项工作。",
        f"（一）主动公开情况。全年通过门户网站等渠道主动公开政府信息{items}条，及时更新机构职能、领导信息、财政预决算等内容。",
        f"（二）依申请公开情况。{stated}严格执行登记、审核、答复等工作流程，依法保障申请人合法权益。",
        "（三）政府信息管理情况。落实公开属性源头认定和保密审查制度，动态更新政府信息公开指南和主动公开目录。",
        "（四）平台建设情况。持续优化门户网站政府信息公开专栏，发挥政务新媒体作用，拓宽信息发布渠道。",
        "（五）监督保障情况。将政务公开纳入年度工作考核，组织工作人员参加业务培训，提升规范化水平。",
    ]


_PROBLEMS = [
    "存在的主要问题：一是政策解读形式还不够丰富；二是主动公开内容的时效性有待进一步提升。",
    "改进情况：下一步将加强业务培训，规范公开流程，丰富解读形式，不断提升政务公开工作水平。",
]


def synthetic_reports(
    site: str,
    n: int,
    *,
    seed: int = 0,
    years: tuple[int, ...] = tuple(range(2019, 2026)),
    broken_every: int = 0,
    exclude: tuple[str, ...] = (),
    first_unit: int = 1000,
    names: Iterable[str] | None = None,
) -> list[ReportContent]:
    """n consistent reports for site "xicheng" or "dongcheng": agencies × years, agency-major.

    Deterministic for a given seed. `broken_every=k` makes every k-th report inconsistent on
    purpose (三(七)总计 of natural persons off by one: balance and results_sum errors), recorded
    in its `defects`. Agencies come from `names` (default: `agencies(site)`), less `exclude`;
    units are numbered from first_unit.
    """
    rng = random.Random(f"{site}:{seed}")
    out: list[ReportContent] = []
    names = iter(names) if names is not None else agencies(site)
    unit = first_unit - 1
    while len(out) < n:
        agency = next(names)
        if agency in exclude:
            continue
        unit += 1
        hist = _UnitHistory(rng, scale=rng.choice([1, 1, 1, 2, 3, 10]))
        for year in years:
            if len(out) >= n:
                break
            template = "2021" if year >= 2021 else "2019"
            apps = _applications(rng, hist, template)
            gov = agency.endswith("人民政府")
            published = datetime(year + 1, 3 if gov else 1, rng.randint(5, 28), rng.randint(8, 18), rng.randint(0, 59))
            district = "北京市" + DISTRICT[site]
            body_name = agency
            title = agency.removeprefix("北京市") if site == "xicheng" else agency
            report = ReportContent(
                title=f"{title}{year}年政府信息公开工作年度报告",
                agency=agency,
                year=year,
                template=template,
                published=published,
                title_lines=[f"{body_name}{year}年政府", "信息公开工作年度报告"]
                if site == "xicheng"
                else [body_name, f"{year}年政府信息公开工作年度报告"],
                preamble=[
                    "依据《中华人民共和国政府信息公开条例》（以下简称《政府信息公开条例》）第五十条规定，编制本报告。"
                ],
                overview=_overview(agency, year, apps["new_received"]["total"], rng),
                active_disclosure=_active(rng, hist, template),
                applications=apps,
                review_litigation=_review(rng, hist.scale),
                problems=list(_PROBLEMS),
                other=[
                    f"{year}年本单位未收取信息处理费。",
                    f"{district}人民政府门户网站地址为https://www.bj{'xch' if site == 'xicheng' else 'dch'}.gov.cn/，如需了解更多政府信息，请登录查询。",
                ],
                source=short_name(agency),
                unit=unit,
            )
            if broken_every and (len(out) + 1) % broken_every == 0:
                report.applications["total_processed"]["natural_person"] += 1
                report.applications["total_processed"]["total"] += 1
                report.defects = ["balance", "results_sum"]
            out.append(report)
    return out
