"""The facts of each Beijing district portal (docs/portals.md §1, §6) as fixture portals
(fixture_portal.districts). Where portals.md records nothing, the fixture invents a plausible
column and the site's profile in config.toml leans on discovery from the home page; each such
guess is marked "invented" here.

    with PortalServer(district_site(BEIJING["tongzhou"])) as portal: ...
"""

from __future__ import annotations

from fixture_portal.districts import PortalFacts, auto_path, channel_path, hex_path, trs_path

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
