"""The facts of each Beijing district portal (docs/portals.md §1, §6) as fixture portals
(fixture_portal.districts). Where portals.md records nothing, the fixture invents a plausible
column and the site's profile in config.toml leans on discovery from the home page; each such
guess is marked "invented" here.

    with PortalServer(district_site(BEIJING["tongzhou"])) as portal: ...
"""

from __future__ import annotations

from collections.abc import Callable

from fixture_portal.content import ReportContent
from fixture_portal.districts import PortalFacts, auto_path, channel_path, hex_path, trs_path
from fixture_portal.pages import ListEntry, dongcheng_detail, dongcheng_list
from fixture_portal.server import html, robots
from fixture_portal.sites import Site

BEIJING: dict[str, PortalFacts] = {
    # 朝阳: /zfxxgk/gknb/{HEXID}.html, opaque ids, no year folders (observed); GBK, http only (third
    # party); no charset in the header, the page's <meta> says gbk; the list page: invented.
    "chaoyang": PortalFacts("chaoyang", "朝阳区", column="/zfxxgk/gknb/", year_folder=lambda y: "",
                            report_path=hex_path, encoding="gbk", declare_charset=False),
    # 海淀: unit reports /jbdt/auto{U}_{A}/auto{U}_{B}/auto{U}_{C} (observed); the column's list rows
    # written by script with var strLink (third party); the column path is the observed one.
    "haidian": PortalFacts("haidian", "海淀区", column="/jbdt/auto10489_51767/zfwj_59297/zfwj_59339/", way="/jbdt/",
                           year_folder=lambda y: "", report_path=auto_path, lists="script"),
    # 丰台: /ftq/c{CHANNEL}/{YYYYMM}/{32hex}.shtml under unguessable channels (observed); column invented.
    "fengtai": PortalFacts("fengtai", "丰台区", column="/ftq/zfxxgknb/", way="/ftq/zfxxgk/", year_folder=lambda y: "",
                           report_path=channel_path),
    # 石景山: the home page is a script redirect shell (third party); the rest invented.
    "shijingshan": PortalFacts("shijingshan", "石景山区", shell_home="/sjsqzf/index.html"),
    # 门头沟: pages with no charset header (third party); the rest invented.
    "mentougou": PortalFacts("mentougou", "门头沟区", declare_charset=False, lists="trs"),
    # 房山: nothing recorded: invented throughout.
    "fangshan": PortalFacts("fangshan", "房山区", column="/zwgk/zfxxgknb/", way="/zwgk/"),
    # 通州: …/bjtz/zwgk/zcwj67/zfxxgknb/<folder>/, folders off by one: 2024n78 holds the 2025 reports
    # (third party).
    "tongzhou": PortalFacts("tongzhou", "通州区", column="/bjtz/zwgk/zcwj67/zfxxgknb/", way="/bjtz/zwgk/",
                            year_folder=lambda y: f"{y - 1}n{y + 78 - 2025}/", year_label=lambda y: f"{y - 1}年",
                            years=(2024, 2025), lists="trs"),
    # 顺义: robots.txt Disallow: / (third party).
    "shunyi": PortalFacts("shunyi", "顺义区", robots_disallow=("/",)),
    # 昌平: the known column moved (404, third party): the profile's start URL is the old one.
    "changping": PortalFacts("changping", "昌平区", column="/zwgk/gknb/", way="/zwgk/"),
    # 大兴: /bjsdxqrmzf/zwfw/zfxxgk/dxqzf69/{Y}n/ (third party).
    "daxing": PortalFacts("daxing", "大兴区", column="/bjsdxqrmzf/zwfw/zfxxgk/dxqzf69/", way="/bjsdxqrmzf/zwfw/zfxxgk/",
                          year_folder=lambda y: f"{y}n/", report_path=trs_path, lists="trs"),
    # 怀柔: /zfxxgkzl/gknb/{Y}nb/ (third party); no charset header (third party).
    "huairou": PortalFacts("huairou", "怀柔区", column="/zfxxgkzl/gknb/", way="/zfxxgkzl/", declare_charset=False),
    # 平谷: nothing recorded: invented throughout.
    "pinggu": PortalFacts("pinggu", "平谷区", column="/xxgk/ndbg/", way="/xxgk/", column_text="政府信息公开工作年度报告"),
    # 密云: /zwgk/zfxxgk/zfxxgknb/gknb{Y}/ (third party).
    "miyun": PortalFacts("miyun", "密云区", column="/zwgk/zfxxgk/zfxxgknb/", way="/zwgk/zfxxgk/",
                         year_folder=lambda y: f"gknb{y}/"),
    # 延庆: http only (third party); the rest invented.
    "yanqing": PortalFacts("yanqing", "延庆区"),
}  # fmt: skip


# Municipal bodies' own sites on beijing.gov.cn subdomains (docs/portals.md §5). portals.md records
# one observed report URL of each and nothing else: no agency name, no list page, no markup.
MUNICIPAL: dict[str, PortalFacts] = {
    # csglw: /zwxx/zfxxgk/zfxxgknb/{YYYYMM}/t{YYYYMMDD}_{DOCID}.html (observed): TRS detail pages in
    # the column folder itself, no year folders; TRS list pages index.html, index_1.html … (§7,
    # inferred); the agency, 北京市城市管理委员会, is inferred from the host; the rest invented.
    "csglw": PortalFacts("csglw", "", agencies=["北京市城市管理委员会"], units=1, column="/zwxx/zfxxgk/zfxxgknb/",
                         way="/zwxx/zfxxgk/", year_folder=lambda y: "", report_path=trs_path, lists="trs",
                         per_page=1),
    # zdb: /zfxxgk/zfxxgkzl/nb/{YYYYMM}/t{YYYYMMDD}_{DOCID}.html (observed); which body it is is not
    # recorded (the fixture's agency is invented), nor anything else.
    "zdb": PortalFacts("zdb", "", agencies=["北京市某市级机关"], units=1, column="/zfxxgk/zfxxgkzl/nb/",
                       way="/zfxxgk/zfxxgkzl/", column_text="年报", year_folder=lambda y: "", report_path=trs_path),
}  # fmt: skip


CITY_ROOT = "/gongkai/zfxxgk/zfxxgknb/"


def city_site(*districts: Site, alter: Callable[[ReportContent], ReportContent | None] = lambda content: None) -> Site:
    """首都之窗 republishing the district governments' own reports (docs/portals.md §5): year folders
    {Y}nb/, a 区政府 list qzf/ in each, TRS detail pages. Each district government's report on the
    district fixtures is copied with the same tables, unless `alter` returns another content for it
    (a copy with a changed number)."""
    site = Site("beijing", CITY_ROOT)
    site["/robots.txt"] = robots()
    copies = sorted(
        (c for d in districts for c in d.expected_reports().values() if c.agency.endswith("区人民政府")),
        key=lambda c: (c.year, c.agency),
    )
    years = sorted({c.year for c in copies}, reverse=True)
    links = "".join(f'<li><a href="./{y}nb/">{y}年政府信息公开工作年度报告</a></li>' for y in years)
    site[CITY_ROOT] = html(
        f"<html><head><meta charset='utf-8'><title>年报</title></head><body><ul>{links}</ul></body></html>"
    )
    site.list_pages.append(CITY_ROOT)
    for year in years:
        entries = []
        for n, content in enumerate(c for c in copies if c.year == year):
            content = alter(content) or content
            detail = f"{CITY_ROOT}{year}nb/qzf/{year + 1}03/t{year + 1}0310_{2287000 + n}.html"
            site.add_report(detail, content, html(dongcheng_detail(content)))
            entries.append(ListEntry(f"./{detail.split('/qzf/')[1]}", content.title, f"{year + 1}-03-10"))
        site[f"{CITY_ROOT}{year}nb/qzf/index.html"] = html(dongcheng_list(f"{year}年区政府", entries, 0, 1))
        site[f"{CITY_ROOT}{year}nb/"] = html(
            "<html><head><meta charset='utf-8'></head><body><a href='./qzf/'>区政府</a></body></html>"
        )
        site.list_pages += [f"{CITY_ROOT}{year}nb/", f"{CITY_ROOT}{year}nb/qzf/index.html"]
    return site
