"""The web view at a province's scale: a database of 100,000 reports, every page of `crawl browse`
timed through Datasette's own client, the questions across reports timed on their own, and the
rate the store kept while building it.

    .venv/bin/python bench/web.py [--reports 100000] [--sites 20] [--db FILE] [--keep] [--page TEXT …]

The reports are the fixture portal's synthetic ones (fixture_portal.content.synthetic_reports:
consistent tables whose numbers vary as real ones do, carried over from year to year, one in 50
broken on purpose), for `--sites` portals of equal size, each with its own agencies over the
years 2019-2025 (2019 and 2020 on the 2019 template). A report is made from its content as the
parser would give it (metadata, the three tables, the six parts, the text records), checked by
checks.assess, and saved with the real Store.save_report (the judge's history checks included),
site by site, the years of each site in shuffled order. One report in 100 is then saved again
with a revised text (a second version), the last year of one agency in 30 is left out (a
missing_report once check_missing_reports runs), and the full-text index is brought up to date.
Only save_report is timed for the store rate (making the reports is not); the full-text indexing
is timed apart.

Then Datasette serves the file as `crawl browse` does (datasette/metadata.json, the nianbao plugin
of web/): the report page, the agency page and the agency list, the site page, search (a word in
every report, a rare one, two characters, one), acknowledging a finding, Datasette's own database page
(with its hidden tables, as JSON), every table's and view's page (read from the file) with their
facets, and every canned query. Each page is timed cold (a new Datasette, the file dropped from
the OS cache, as after a reboot), fresh (a new Datasette, the file in the OS cache) and warm (the
same page again from that Datasette). Goals (issue 11): every
page under 1 s; the questions across reports (one cell summed over every agency of a year, by
site, one agency's series) under 200 ms; storing at 300 reports/s or more.

100,000 reports take about 10 minutes to build on 2 cores and 5 GB of disk, and the pages 10-15 minutes
to time (cold ones read from the disk); `--reports 5000` runs in a few. `--page TEXT` (repeatable) times
only the pages whose path (decoded) holds TEXT: `--db FILE --page /-/agency?name --page 政府信息公开`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import quote, unquote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checks.assess import JUDGE, assess_report  # noqa: E402
from fixture_portal.content import HEADINGS, ReportContent, synthetic_reports  # noqa: E402
from parsers.model import PARTS, RESULT_ROWS_2019, RESULT_ROWS_2021, Report  # noqa: E402
from storage.store import Store  # noqa: E402

YEARS = tuple(range(2019, 2026))
PROVINCE = "河北省"
DEPARTMENTS = ("人民政府", "人民政府办公室", "发展和改革局", "教育局", "公安局", "民政局", "司法局", "财政局",
               "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房和城乡建设局", "交通运输局", "水务局",
               "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会", "应急管理局", "审计局", "市场监督管理局",
               "统计局", "医疗保障局", "城市管理综合行政执法局")  # fmt: skip
PAGE_GOAL, QUERY_GOAL, STORE_GOAL = 1.0, 0.2, 300


def agency_names(site_no: int):
    """Agencies of one city: its departments, then its towns' offices, as many as asked for."""
    city = f"{PROVINCE}第{site_no + 1:02d}市"
    yield from (city + d for d in DEPARTMENTS)
    k = 1
    while True:
        yield f"{city}第{k:03d}镇人民政府"
        yield f"{city}第{k:03d}街道办事处"
        k += 1


def to_report(c: ReportContent) -> tuple[Report, list[str]]:
    """The report as the parser gives it for this content, with its text records, checked."""
    sections = {"overview": "\n".join(c.overview), "problems": "\n".join(c.problems)}
    if c.other is not None:
        sections["other"] = "\n".join(c.other)
    report = Report(
        title=c.title, agency=c.agency, year=c.year, published=c.published.date().isoformat(),
        template=c.template, active_disclosure=c.active_disclosure, applications=c.applications,
        review_litigation=c.review_litigation, sections=sections, tables=[1, 2, 3],
        parts=[p for p in PARTS if p != "other" or c.other is not None],
        result_rows=list(RESULT_ROWS_2021 if c.template == "2021" else RESULT_ROWS_2019),
    )  # fmt: skip
    report.findings = assess_report(report)
    records = [*c.title_lines, *c.preamble, HEADINGS["overview"], *c.overview]
    for part in ("active_disclosure", "applications", "review_litigation"):
        records.append(HEADINGS[part])
        for row, cols in getattr(c, part).items():
            records.append(" ".join([row, *(str(v) for v in cols.values())]))
    records += [HEADINGS["problems"], *c.problems, HEADINGS["other"], *(c.other or [])]
    return report, records


def contents(n: int, sites: int) -> dict[str, list[ReportContent]]:
    """n reports over `sites` portals; one agency in 30 has not published its last year."""
    per_site = -(-n // sites)
    out = {}
    for s in range(sites):
        want = min(per_site, n - s * per_site)
        if want <= 0:
            break
        made = synthetic_reports("xicheng", want + want // 30 + len(YEARS), seed=s, years=YEARS, broken_every=50,
                                 names=agency_names(s), first_unit=1000 * s)  # fmt: skip
        kept = [c for i, c in enumerate(made) if not (c.year == YEARS[-1] and (i // len(YEARS)) % 30 == 29)]
        out[f"city{s + 1:02d}"] = kept[:want]
    return out


def build(path: Path, n: int, sites: int) -> dict[str, float]:
    """The database, through the real store; the store's figures."""
    rng = random.Random(0)
    store = Store(path)
    saving = making = 0.0
    saved = 0
    revise: list[tuple[str, ReportContent]] = []
    for site, items in contents(n, sites).items():
        rng.shuffle(items)
        for c in items:
            t = time.perf_counter()
            report, records = to_report(c)
            t2 = time.perf_counter()
            url = f"https://www.{site}.gov.cn/zwgk/ndbg/{c.year}/{c.unit}.html"
            store.save_report(site, url, report, records, judge=JUDGE, raw="\n".join(records).encode())
            saving += time.perf_counter() - t2
            making += t2 - t
            saved += 1
            if rng.random() < 0.01:
                revise.append((site, c))
            if saved % 10_000 == 0:
                print(f"  {saved:,} reports stored, {saved / saving:,.0f}/s", flush=True)
    t = time.perf_counter()
    for site, c in revise:
        c.problems = [*c.problems, "本报告于发布后修订：更正了表格中的数据。"]
        report, records = to_report(c)
        url = f"https://www.{site}.gov.cn/zwgk/ndbg/{c.year}/{c.unit}.html"
        store.save_report(site, url, report, records, judge=JUDGE, raw="\n".join(records).encode())
    revising = time.perf_counter() - t
    t = time.perf_counter()
    store.check_missing_reports(date(YEARS[-1] + 1, 6, 1), JUDGE)
    sweeping = time.perf_counter() - t
    t = time.perf_counter()
    indexed = store.text.index()
    indexing = time.perf_counter() - t
    store.db.execute("pragma wal_checkpoint(truncate)")
    store.close()
    return {"saved": saved, "rate": saved / saving, "making": making, "revised": len(revise),
            "revise_rate": len(revise) / revising if revise else 0, "sweep": sweeping,
            "index_rate": indexed / indexing if indexing else 0, "both": saved / (saving + indexing)}  # fmt: skip


def samples(path: Path) -> dict[str, object]:
    """What the pages are asked about: a report with an error, one with two versions, agencies, a site."""
    conn = sqlite3.connect(path)
    one = lambda sql, *a: conn.execute(sql, a).fetchone()  # noqa: E731
    out = {
        "error_report": one("select id from reports where status = 'error' order by id desc limit 1")[0],
        "revised_report": one("select report_id from versions group by report_id having count(*) > 1 limit 1")[0],
        "agency": one("select agency from reports order by id desc limit 1")[0],
        "big_agency": one("select agency from reports where agency like '%人民政府' order by id limit 1")[0],
        "site": one("select site from reports order by id desc limit 1")[0],
        "fingerprint": one("select fingerprint from findings where severity = 'error' order by id desc limit 1")[0],
        "year": YEARS[-2],
    }
    conn.close()
    return out


def pages(s: dict[str, object], db: str) -> list[str]:
    """Every page of the web view (and Datasette's own, of the database `db`) asked about the samples."""
    agency, site, year = quote(str(s["agency"])), s["site"], s["year"]
    cell = "part=applications&row=new_received&col=total"
    return [
        f"/-/report/{s['error_report']}", f"/-/report/{s['revised_report']}",
        f"/-/report/{s['revised_report']}/copy",
        f"/-/agency?name={agency}", f"/-/agency?name={quote(str(s['big_agency']))}",
        "/-/agency", f"/-/agency?q={quote('第01市')}", f"/-/agency?q={quote('镇人民政府')}",
        f"/-/site/{site}", f"/-/site/{site}?year={year}",
        f"/-/search?q={quote('政府信息公开')}", f"/-/search?q={agency}", f"/-/search?q={quote('申请')}",
        f"/-/search?q={quote('修订')}&site={site}", f"/-/search?q={quote('复议')}", f"/-/search?q={quote('修订')}",
        f"/-/search?q={quote('政')}",  # two characters (in every report, in 1 %), one
        f"/-/ack/{s['fingerprint']}",
        "/", f"/{db}", f"/{db}/reports", f"/{db}/reports?site={site}&year={year}",
        f"/{db}/versions", f"/{db}/cells", f"/{db}/cells?version_id=1",
        f"/{db}/current_cells?year={year}&{cell}", f"/{db}/current_cells?agency={agency}&{cell}",
        f"/{db}/findings", f"/{db}/findings?_facet=rule&severity=error",
        f"/{db}/reports_with_errors", f"/{db}/new_this_week", f"/{db}/agency_years?agency={agency}",
        f"/{db}/report_applications?report_id={s['error_report']}", f"/{db}/missing_reports",
        f"/{db}/feed.atom?site={site}", f"/{db}/feed.atom?site=",
    ]  # fmt: skip


def datasette_pages(path: Path, db: str) -> list[str]:
    """Every page of Datasette's own a user reaches from the database page: the page itself (HTML,
    with the hidden tables, JSON), each table's and each view's page, read from the file so that a
    table added later is timed too."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    names = [r[0] for r in conn.execute("select name from sqlite_master where type in ('table', 'view') "
                                        "and name not like 'sqlite_%' order by type, name")]  # fmt: skip
    conn.close()
    return [f"/{db}", f"/{db}?_show_hidden=1", f"/{db}.json", *(f"/{db}/{quote(n)}" for n in names)]


def evict(path: Path) -> None:
    """Drop the database's pages from the OS cache (posix_fadvise: this file only, no root needed),
    as after a reboot: the cold figure is then the disk's, not a previous page's."""
    for p in (path, path.with_name(path.name + "-wal")):
        if p.exists():
            fd = os.open(p, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def time_pages(path: Path, paths: list[str]) -> list[tuple[float, float, float, int, str]]:
    """(cold, fresh, warm seconds, status, path) of each page through Datasette's client: cold, a new
    Datasette with the file out of the OS cache; fresh, a new Datasette with it in; warm, the same
    page again from that instance."""
    import json

    from datasette.app import Datasette
    from datasette.plugins import pm

    import web

    if not any(getattr(p, "__name__", "") == "web" for p in pm.get_plugins()):
        pm.register(web, name="nianbao")
    metadata = json.loads((ROOT / "datasette" / "metadata.json").read_text(encoding="utf-8"))
    metadata["databases"] = {path.stem: metadata["databases"]["nianbao"]}  # named after the file

    async def fetch(p: str, cold: bool) -> tuple[float, float, int]:
        if cold:
            evict(path)
        ds = Datasette([str(path)], metadata=metadata)
        await ds.invoke_startup()
        t = time.perf_counter()
        await ds.client.get(p)
        first = time.perf_counter() - t
        t = time.perf_counter()
        response = await ds.client.get(p)
        again = time.perf_counter() - t
        ds.executor.shutdown(wait=False)
        return first, again, response.status_code

    async def run() -> list[tuple[float, float, float, int, str]]:
        out = []
        for p in paths:
            cold, _, _ = await fetch(p, cold=True)
            fresh, warm, status = await fetch(p, cold=False)
            out.append((cold, fresh, warm, status, p))
        return out

    return asyncio.run(run())


def queries(s: dict[str, object]) -> list[tuple[str, str, list[object]]]:
    """The questions across reports behind the pages, as a Datasette user writes them."""
    cell = "part = 'applications' and row = 'new_received' and col = 'total'"
    by_year = [(f"one cell of every agency, {y}", f"select count(value), sum(value) from current_cells "
                f"where year = ? and {cell}", [y]) for y in YEARS]  # fmt: skip
    return [
        *by_year,
        ("one cell of every agency of a year, by site",
         f"select site, count(value), sum(value) from current_cells where year = ? and {cell} group by site", [s["year"]]),
        ("one cell of one site's agencies of a year",
         f"select agency, value from current_cells where site = ? and year = ? and {cell} order by agency",
         [s["site"], s["year"]]),
        ("one agency's series (one cell)", f"select year, value from current_cells where agency = ? and {cell} "
         "order by year", [s["big_agency"]]),
        ("one agency's series (table 2)", "select year, row, col, value from current_cells where agency = ? "
         "and part = 'applications' order by year, seq", [s["big_agency"]]),
        ("one report's cells", "select part, row, col, value from current_cells where report_id = ? order by seq",
         [s["error_report"]]),
    ]  # fmt: skip


def time_queries(path: Path, qs: list[tuple[str, str, list[object]]]) -> list[tuple[float, str, object]]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    out = []
    for name, sql, args in qs:
        conn.execute(sql, args).fetchall()
        t = time.perf_counter()
        rows = conn.execute(sql, args).fetchall()
        out.append((time.perf_counter() - t, name, rows[0] if len(rows) == 1 else f"{len(rows)} rows"))
    conn.close()
    return out


def verdict(value: float, goal: float, under: bool = True) -> str:
    ok = value < goal if under else value >= goal
    return "ok" if ok else "OVER THE GOAL" if under else "UNDER THE GOAL"


def report(built: dict[str, float], timed: list[tuple[float, float, float, int, str]],
           asked: list[tuple[float, str, object]], path: Path) -> None:  # fmt: skip
    print("      cold      fresh       warm  (ms; cold: new Datasette, file out of the OS cache; fresh: new "
          "Datasette; warm: again)")  # fmt: skip
    for cold, fresh, warm, status, p in sorted(timed, reverse=True):
        print(f"  {cold * 1000:8.1f}   {fresh * 1000:8.1f}   {warm * 1000:8.1f}  {status}  {p}")
    print()
    for seconds, name, result in asked:
        print(f"  {seconds * 1000:8.1f} ms  {name}: {result}")
    print()
    slow_query = max(asked)
    bad = [p for *_, status, p in timed if status != 200]
    print(f"database: {built['saved']:,} reports, {path.stat().st_size / 1e9:.2f} GB")
    for i, kind in enumerate(("cold", "fresh", "warm")):
        seconds, p = max((t[i], t[-1]) for t in timed)
        print(f"slowest page ({kind}):  {seconds * 1000:.0f} ms ({p}); goal < {PAGE_GOAL * 1000:.0f} ms: "
              f"{verdict(seconds, PAGE_GOAL)}")  # fmt: skip
    if bad:
        print(f"not 200: {bad}")
    print(f"slowest query: {slow_query[0] * 1000:.0f} ms ({slow_query[1]}); goal < {QUERY_GOAL * 1000:.0f} ms: "
          f"{verdict(slow_query[0], QUERY_GOAL)}")  # fmt: skip
    print(f"store rate:    {built['rate']:,.0f} reports/s (save_report, cells and checks included); goal >= "
          f"{STORE_GOAL}: {verdict(built['rate'], STORE_GOAL, under=False)}")  # fmt: skip
    print(
        f"  also: {built['revised']:,} revisions at {built['revise_rate']:,.0f}/s; full-text indexing "
        f"{built['index_rate']:,.0f} reports/s (stored and searchable: {built['both']:,.0f}/s); "
        f"missing-report sweep {built['sweep']:.1f} s; making the reports {built['making']:.0f} s (not timed)"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reports", type=int, default=100_000, help="reports to store (default 100000)")
    ap.add_argument("--sites", type=int, default=20, help="portals they are spread over (default 20)")
    ap.add_argument("--db", help="database file (default: a temporary one); an existing one is reused, not rebuilt")
    ap.add_argument("--page", action="append", default=[], metavar="TEXT",
                    help="time only the pages whose path (decoded) holds TEXT (repeatable)")
    args = ap.parse_args()
    tmp = None if args.db else tempfile.TemporaryDirectory()
    path = Path(args.db) if args.db else Path(tmp.name) / "nianbao.db"  # Datasette names the database after the file
    if path.exists():
        print(f"reusing {path} (the store rate is not measured)")
        built = {"saved": sqlite3.connect(path).execute("select count(*) from reports").fetchone()[0], "rate": 0,
                 "making": 0, "revised": 0, "revise_rate": 0, "sweep": 0, "index_rate": 0, "both": 0}  # fmt: skip
    else:
        print(f"building {args.reports:,} reports over {args.sites} sites in {path} …", flush=True)
        built = build(path, args.reports, args.sites)
    s = samples(path)
    ours = pages(s, path.stem)
    everything = ours + [p for p in datasette_pages(path, path.stem) if p not in ours]
    if args.page:
        everything = [p for p in everything if any(text in unquote(p) for text in args.page)]
    report(built, time_pages(path, everything), time_queries(path, queries(s)), path)
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
