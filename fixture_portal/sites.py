"""Ready-made fixture sites: `xicheng_site()` and `dongcheng_site()` return {path: Page}.

Both are `Site` objects: a dict of path -> Page (give it to PortalServer) that also records
what it holds: `reports` (path -> ReportContent of every report page), `traps` (name -> path),
`start_path`, `disallowed` (robots.txt Disallow lines) and `expected` (the report paths a
polite crawler that honours robots.txt, retries 5xx, stays on the host and skips pages that
never answer ends up with: one path per report).

Xicheng (one site per server, any host):

    /                                   home, links to the list
    /robots.txt                         Disallow: /zt/xxgkzl/gknbxq/pnidpv400pntypepv
    /zt/xxgkzl/zfxxgknb.html            list page 1 (start_path)
    /zt/xxgkzl/zfxxgknb_{n}.html        list page n ≥ 2; 首页 上一页 1 2 3 下一页 尾页 links
    /zt/xxgkzl/gknbxq/pnidpv{UNIT}pntypepvnbpnnfpv{YEAR}.html   reports
    /zt/xxgkzl/gknbxqx/pnidpv{ARTICLE}.html                      older scheme (seed 004, the 解读)

    seeds: 003 at pnidpv1…2020 (linked relative from page 1, absolute from the last page),
           000 at pnidpv358…2021 (GBK, no charset anywhere), 002 at pnidpv379…2024,
           004 at /zt/xxgkzl/gknbxqx/pnidpv843200.html
    synthetic: units 1000, 1001, … (agency-major over 2019-2025: by default 发展和改革委员会
           2019-2025 and 教育委员会 2019); the first one (unit 1000, 2019) is flaky
    traps: not_found pnidpv290…2022 (404), hang pnidpv193…2019 (never answers),
           offsite_redirect pnidpv152…2019 (302 to http://evil.example.com/…),
           robots_disallowed pnidpv400…{Y} (a real report, Disallowed), not_a_report
           /zt/xxgkzl/gknbxqx/pnidpv865674.html (解读 of a 年度报告), soft_404
           pnidpv197…2025 (200, 暂无数据; not linked: for probes), flaky (500 twice, then 200)

Dongcheng:

    /robots.txt                                         Disallow: the robots_disallowed report
    /zfxxgkzl/zfxxgknb/  (= …/index.html)               root: links ./2023nb/ ./2022nb/ … (start_path)
    /zfxxgkzl/zfxxgknb/{Y}nb/                           year page: ./dcqzf{Y}/ ./dcqzfbm{Y}/ ./dcqjd{Y}/
                                                        (2023: dcgzfbm2023, dcqid2023) + 最新发布 box
    /zfxxgkzl/zfxxgknb/{Y}nb/{CAT}{Y}/index.html, index_1.html …   TRS lists (createPageHTML + 下一页)
    /zfxxgkzl/zfxxgknb/{Y}nb/{CAT}{Y}/{YYYYMM}/t{YYYYMMDD}_{DOCID}.html   reports
    …/{YYYYMM}/P0{digits}.pdf                           attachment of seed 001

    seeds: 001 at 2021nb/dcqzfbm2021/202201/t20220117_2994630.html (from its category list,
           relative, and from the 2021nb year page, absolute), with a PDF attachment
    synthetic: by default 区人民政府, 发展和改革委员会 and 东华门街道, 2021-2023 (so the
           categories dcqzf, dcqzfbm/dcgzfbm and dcqjd/dcqid all appear); the first report
           is flaky, the second sits in a URL folder a year after its 日期 (url_date_differs),
           the third is GBK with no charset (gbk); list pages hold 3 entries (index_1.html …)
    traps: not_found, hang, offsite_redirect, robots_disallowed, not_a_report (解读)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fixture_portal import pages as P
from fixture_portal.content import ReportContent, seed_report, synthetic_reports
from fixture_portal.server import BASE_TOKEN, Page, binary, flaky, hang, html, not_found, redirect, robots

EVIL = "http://evil.example.com"


class Site(dict[str, Page]):
    """{path: Page} plus what the fixture holds (see the module docstring)."""

    def __init__(self, name: str, start_path: str) -> None:
        super().__init__()
        self.name = name
        self.start_path = start_path
        self.reports: dict[str, ReportContent] = {}
        self.traps: dict[str, str] = {}
        self.disallowed: list[str] = []
        self.expected: list[str] = []  # report paths a correct crawler stores (one per report)
        self.list_pages: list[str] = []  # every list/menu page, in crawl order

    def add_report(self, path: str, content: ReportContent, page: Page, *, expected: bool = True) -> None:
        self[path] = page
        self.reports[path] = content
        if expected:
            self.expected.append(path)

    def expected_reports(self) -> dict[str, ReportContent]:
        return {p: self.reports[p] for p in self.expected}


def _lazy(render: Callable[..., str], content: ReportContent, **kw: object) -> Callable[[], str]:
    return lambda: render(content, **kw)


def _date(content: ReportContent) -> str:
    return content.published.strftime("%Y-%m-%d")


# --- Xicheng ---------------------------------------------------------------------


def xicheng_path(unit: int, year: int) -> str:
    return f"/zt/xxgkzl/gknbxq/pnidpv{unit}pntypepvnbpnnfpv{year}.html"


XICHENG_SEEDS = {"003": (1, 2020), "000": (358, 2021), "002": (379, 2024)}
XICHENG_OLD_SEED = ("004", "/zt/xxgkzl/gknbxqx/pnidpv843200.html")


def xicheng_site(
    n_synthetic: int = 8,
    *,
    traps: bool = True,
    seeds: bool = True,
    per_page: int = 5,
    seed: int = 0,
    broken_every: int = 0,
    word: bool = True,
) -> Site:
    """The Xicheng fixture portal. n_synthetic=2000, traps=False, per_page=20 for a demo/bench."""
    site = Site("xicheng", "/zt/xxgkzl/zfxxgknb.html")
    site["/"] = html(P.xicheng_home())
    entries: list[tuple[datetime, P.ListEntry]] = []

    def page(content: ReportContent, **kw: object) -> Page:
        return html(_lazy(P.xicheng_detail, content, word=word, **kw), last_modified=content.published)

    if seeds:
        for sid, (unit, year) in XICHENG_SEEDS.items():
            content = seed_report(sid)
            path = xicheng_path(unit, year)
            if sid == "000":
                # GBK bytes, no charset in the header nor in the page.
                site.add_report(path, content, html(P.xicheng_detail(content, word=word, charset=None), encoding="gbk",
                                                    declare_charset=False, last_modified=content.published))  # fmt: skip
                site.traps["gbk"] = path
            else:
                site.add_report(path, content, page(content))
            href = "gknbxq/" + path.rsplit("/", 1)[1] if sid == "003" else path  # 003: relative to /zt/xxgkzl/
            entries.append((content.published, P.ListEntry(href, content.title, _date(content))))
        sid, path = XICHENG_OLD_SEED
        content = seed_report(sid)
        site.add_report(path, content, page(content))
        entries.append((content.published, P.ListEntry(path, content.title, _date(content))))

    exclude = ("北京市西城区人民政府", "北京市西城区人民政府外事办公室", "北京市西城区人民政府办公室")
    synth = synthetic_reports("xicheng", n_synthetic + (1 if traps else 0), seed=seed, broken_every=broken_every,
                              exclude=exclude)  # fmt: skip
    disallowed = synth.pop() if traps else None
    for i, content in enumerate(synth):
        assert content.unit is not None
        path = xicheng_path(content.unit, content.year)
        p = page(content)
        if traps and i == 0:
            p = flaky(p, failures=2)
            site.traps["flaky"] = path
        elif traps and i == 1:
            # Filed under the next year's URL (a unit no other report uses): the title's year counts,
            # and the crawl warns (url_year_mismatch).
            path = xicheng_path(401, content.year + 1)
            site.traps["url_year_differs"] = path
        site.add_report(path, content, p)
        href = path
        if traps and i == 2:  # listed by a short link that redirects to the report, on the same host
            href = f"/r/{content.unit}-{content.year}"
            site[href] = redirect(BASE_TOKEN + path, status=301)
            site.traps["same_host_redirect"] = href
        entries.append((content.published, P.ListEntry(href, content.title, _date(content))))

    trap_entries: list[P.ListEntry] = []
    if traps:
        assert disallowed is not None
        disallowed.unit = 400
        path = xicheng_path(400, disallowed.year)
        site.add_report(path, disallowed, page(disallowed), expected=False)
        site.traps["robots_disallowed"] = path
        site.disallowed = ["/zt/xxgkzl/gknbxq/pnidpv400pntypepv", "/search/"]
        trap_entries.append(P.ListEntry(path, disallowed.title, _date(disallowed)))

        path = xicheng_path(290, 2022)
        site[path] = not_found()
        site.traps["not_found"] = path
        trap_entries.append(P.ListEntry(path, "西城区粮食和物资储备局2022年政府信息公开工作年度报告", "2023-01-16"))

        path = xicheng_path(193, 2019)
        site[path] = hang()
        site.traps["hang"] = path
        trap_entries.append(P.ListEntry(path, "西城区机关事务管理局2019年政府信息公开工作年度报告", "2020-01-20"))

        path = xicheng_path(152, 2019)
        site[path] = redirect(EVIL + path)
        site.traps["offsite_redirect"] = path
        trap_entries.append(P.ListEntry(path, "西城区知识产权局2019年政府信息公开工作年度报告", "2020-01-21"))

        path = "/zt/xxgkzl/gknbxqx/pnidpv865674.html"
        title = "关于《北京市西城区人民政府2023年政府信息公开工作年度报告》的解读"
        site[path] = html(P.interpretation_page("xicheng", title, "2024-03-28 17:20"))
        site.traps["not_a_report"] = path
        trap_entries.append(P.ListEntry(path, title, "2024-03-28"))

        path = xicheng_path(197, 2025)
        site[path] = html(P.soft_404_page())
        site.traps["soft_404"] = path

        # Published as scanned pages and a PDF (no text): found, recorded with its attachment.
        path = xicheng_path(402, 2021)
        title = "西城区档案馆2021年政府信息公开工作年度报告"
        site[path] = html(P.image_only_page(title, "2022-01-25 09:00", "/zt/xxgkzl/files/P020220125.pdf"))
        site.traps["image_only"] = path
        trap_entries.append(P.ListEntry(path, title, "2022-01-25"))
        # Listed as its PDF file: recorded, not downloaded.
        path = "/zt/xxgkzl/files/P020220126.pdf"
        site[path] = binary(_PDF, "application/pdf")
        site.traps["listed_pdf"] = path
        trap_entries.append(P.ListEntry(path, "西城区地方志办公室2021年政府信息公开工作年度报告", "2022-01-26"))

    ordered = [e for _, e in sorted(entries, key=lambda t: t[0], reverse=True)]
    for k, entry in enumerate(trap_entries):  # spread the traps over the pages
        ordered.insert(min(len(ordered), 1 + k * max(1, per_page - 1)), entry)
    if seeds:
        path = xicheng_path(*XICHENG_SEEDS["003"])
        ordered.append(P.ListEntry("{{base}}" + path, seed_report("003").title, "2021-03-22"))
        site.traps["duplicate"] = path
    site["/robots.txt"] = robots(*(site.disallowed or ["/search/"]))

    pages = max(1, -(-len(ordered) // per_page))
    for n in range(1, pages + 1):
        chunk = ordered[(n - 1) * per_page : n * per_page]
        site[P.xicheng_list_url(n)] = html(P.xicheng_list(chunk, n, pages, len(ordered)))
    site.list_pages = [P.xicheng_list_url(n) for n in range(1, pages + 1)]
    return site


# --- Dongcheng ---------------------------------------------------------------------

ROOT = "/zfxxgkzl/zfxxgknb/"
CATEGORY_LABELS = ("区政府", "区政府部门", "街道")


def dongcheng_categories(year: int) -> tuple[str, str, str]:
    """(区政府, 部门, 街道) folder slugs; 2023's are irregular as observed (docs/portals.md §4)."""
    if year == 2023:
        return ("dcqzf2023", "dcgzfbm2023", "dcqid2023")
    return (f"dcqzf{year}", f"dcqzfbm{year}", f"dcqjd{year}")


def _category(agency: str) -> int:
    if agency.endswith("人民政府"):
        return 0
    return 2 if "街道" in agency else 1


def dongcheng_path(year: int, slug: str, when: datetime, docid: int) -> str:
    return f"{ROOT}{year}nb/{slug}/{when:%Y%m}/t{when:%Y%m%d}_{docid}.html"


def dongcheng_site(
    n_synthetic: int = 9,
    *,
    traps: bool = True,
    seeds: bool = True,
    per_page: int = 3,
    seed: int = 0,
    years: tuple[int, ...] = (2021, 2022, 2023),
    broken_every: int = 0,
) -> Site:
    """The Dongcheng fixture portal. n_synthetic=2000, years=range(2019, 2026), traps=False,
    per_page=20 for a demo/bench."""
    site = Site("dongcheng", ROOT)
    site["/"] = html(P.dongcheng_menu("北京市东城区人民政府", [(ROOT, "政府信息公开年报")]))
    # (year, slug) -> [(sort date, entry)]
    lists: dict[tuple[int, str], list[tuple[datetime, P.ListEntry]]] = {}
    latest: dict[int, list[P.ListEntry]] = {}
    all_years = set(years)

    def file(content: ReportContent, slug: str, when: datetime, docid: int, p: Page, *, expected: bool = True,
             listed: bool = True) -> str:  # fmt: skip
        path = dongcheng_path(content.year, slug, when, docid)
        site.add_report(path, content, p, expected=expected)
        if listed:
            href = "./" + path.split(f"/{slug}/", 1)[1]
            lists.setdefault((content.year, slug), []).append((when, P.ListEntry(href, content.title, _date(content))))
        all_years.add(content.year)
        return path

    def page(content: ReportContent, **kw: object) -> Page:
        return html(_lazy(P.dongcheng_detail, content, **kw), last_modified=content.published)

    if seeds:
        content = seed_report("001")
        pdf = "P020220117395412345678.pdf"
        attachments = ((f"./{pdf}", "附件1：北京市东城区对外联络服务办公室2021年政府信息公开工作年度报告.pdf"),)
        when = content.published
        path = file(content, "dcqzfbm2021", when, 2994630, page(content, attachments=attachments))
        attachment = path.rsplit("/", 1)[0] + "/" + pdf
        site[attachment] = binary(_PDF, "application/pdf")
        site.traps["attachment"] = attachment
        site.traps["duplicate"] = path
        latest.setdefault(2021, []).append(P.ListEntry("{{base}}" + path, content.title, _date(content)))

    # The small fixture mixes the three categories; a large one takes agencies in order.
    names = (
        None
        if n_synthetic > 3 * len(years)
        else [f"北京市东城区{n}" for n in ("人民政府", "发展和改革委员会", "东华门街道", "景山街道")]
    )
    synth = synthetic_reports("dongcheng", n_synthetic + (1 if traps else 0), seed=seed, years=years,
                              broken_every=broken_every, names=names)  # fmt: skip
    disallowed = synth.pop() if traps else None
    docid = 3000000
    for i, content in enumerate(synth):
        docid += 37 + i % 11
        slug = dongcheng_categories(content.year)[_category(content.agency)]
        when = content.published
        p = page(content)
        trap = None
        if traps and i == 0:
            p, trap = flaky(p, failures=2), "flaky"
        elif traps and i == 1:
            when = content.published.replace(year=content.published.year + 1, month=11, day=21)
            trap = "url_date_differs"
        elif traps and i == 2:
            p = html(P.dongcheng_detail(content, charset=None), encoding="gbk", declare_charset=False,
                     last_modified=content.published)  # fmt: skip
            trap = "gbk"
        path = file(content, slug, when, docid, p)
        if trap:
            site.traps[trap] = path

    if traps:
        assert disallowed is not None
        slug = dongcheng_categories(disallowed.year)[_category(disallowed.agency)]
        path = file(disallowed, slug, disallowed.published, 3999999, page(disallowed), expected=False)
        site.traps["robots_disallowed"] = path
        site.disallowed = [path]

        y = min(all_years)
        folder = f"{ROOT}{y}nb/{dongcheng_categories(y)[1]}"
        specials = (
            ("not_found", not_found(), "北京市东城区粮食和物资储备局", 3100001),
            ("hang", hang(), "北京市东城区机关事务管理局", 3100002),
            ("offsite_redirect", None, "北京市东城区知识产权局", 3100003),
        )
        for name, p, agency, doc in specials:
            when = datetime(y + 1, 1, 19)
            path = f"{folder}/{when:%Y%m}/t{when:%Y%m%d}_{doc}.html"
            site[path] = p if p is not None else redirect(EVIL + path)
            site.traps[name] = path
            title = f"{agency}{y}年政府信息公开工作年度报告"
            lists.setdefault((y, dongcheng_categories(y)[1]), []).append(
                (when, P.ListEntry("./" + path.split(folder + "/", 1)[1], title, f"{when:%Y-%m-%d}"))
            )
        when = datetime(y + 1, 3, 10, 15, 0)
        folder = f"{ROOT}{y}nb/{dongcheng_categories(y)[0]}"
        path = f"{folder}/{when:%Y%m}/t{when:%Y%m%d}_3100004.html"
        title = f"关于《北京市东城区人民政府{y}年政府信息公开工作年度报告》的解读"
        site[path] = html(P.interpretation_page("dongcheng", title, f"{when:%Y-%m-%d %H:%M}"))
        site.traps["not_a_report"] = path
        lists.setdefault((y, dongcheng_categories(y)[0]), []).append(
            (when, P.ListEntry("./" + path.split(folder + "/", 1)[1], title, f"{when:%Y-%m-%d}"))
        )
    site["/robots.txt"] = robots(*(site.disallowed or ["/search/"]))

    years_sorted = sorted(all_years, reverse=True)
    site[ROOT + "index.html"] = html(
        P.dongcheng_menu("政府信息公开年报", [(f"./{y}nb/", f"{y}年政府信息公开年报") for y in years_sorted])
    )
    site.list_pages = [ROOT + "index.html"]
    for y in years_sorted:
        slugs = dongcheng_categories(y)
        links = [(f"./{s}/", f"{label}") for s, label in zip(slugs, CATEGORY_LABELS) if (y, s) in lists]
        site[f"{ROOT}{y}nb/index.html"] = html(P.dongcheng_menu(f"{y}年政府信息公开年报", links, latest.get(y)))
        site.list_pages.append(f"{ROOT}{y}nb/index.html")
        for s, label in zip(slugs, CATEGORY_LABELS):
            items = [e for _, e in sorted(lists.get((y, s), []), key=lambda t: t[0], reverse=True)]
            if not items:
                continue
            n_pages = -(-len(items) // per_page)
            # The first list of several pages has its page links only in script, as many TRS lists do:
            # its first page in the older template (countPage, links written from nextPage), the
            # others calling createPageHTML.
            script_only = traps and n_pages > 1 and "script_paging" not in site.traps
            if script_only:
                site.traps["script_paging"] = f"{ROOT}{y}nb/{s}/index_1.html"
            for n in range(n_pages):
                chunk = items[n * per_page : (n + 1) * per_page]
                name = "index.html" if n == 0 else f"index_{n}.html"
                script = "document.write" if script_only and n == 0 else "createPageHTML"
                site[f"{ROOT}{y}nb/{s}/{name}"] = html(
                    P.dongcheng_list(f"{y}年{label}", chunk, n, n_pages, links=not script_only, script=script)
                )
                site.list_pages.append(f"{ROOT}{y}nb/{s}/{name}")
    return site


def demo_site(name: str = "xicheng", n: int = 2000, *, seed: int = 0, broken_every: int = 0) -> Site:
    """A large trap-free site for `crawl --demo` and the benchmark: n synthetic reports
    (2019-2025, agency-major) plus the real seeds, 20 entries per list page."""
    if name == "xicheng":
        return xicheng_site(n, traps=False, per_page=20, seed=seed, broken_every=broken_every)
    if name == "dongcheng":
        return dongcheng_site(n, traps=False, per_page=20, seed=seed, years=tuple(range(2019, 2026)),
                              broken_every=broken_every)  # fmt: skip
    raise ValueError(f"unknown demo site {name!r} (xicheng, dongcheng)")


_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
