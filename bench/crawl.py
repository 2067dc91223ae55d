"""Benchmark: `crawl --site xicheng` against a bare Scrapy spider on the same pages, plus its
peak memory and what a no-change re-crawl costs the portal.

    .venv/bin/python bench/crawl.py [--reports 2000] [--concurrency 2] [--profile]

In one run:
  1. serves demo_site("xicheng", n=REPORTS) (list pages of 20 entries) with the fixture
     portal (fixture_portal.PortalServer) on 127.0.0.1, in a thread of this process;
  2. runs our crawl as a user does (`python -m crawler.cli --site xicheng --no-alerts`, a
     child process, a fresh database in a temp folder) and takes from the portal's request
     log the pages it fetched and when; the child's peak RSS comes from wait4() (ru_maxrss);
  3. runs a bare Scrapy spider (BareSpider below, `python bench/crawl.py --bare URLFILE`, a
     child process too) over the same URLs, with the same Scrapy settings (crawler.settings
     applied to the same config: concurrency per site, AutoThrottle, robots.txt, timeouts,
     retries) less our middlewares and pipelines; its callback does nothing;
  4. prints both rates and their ratio (goal >= 0.9: our pipeline is never the bottleneck),
     the peak RSS (goal < 300 MB), then crawls again with the portal unchanged and prints
     that re-crawl's requests and bytes as a share of the full crawl (goal: requests <= 5 %,
     report bytes 0).

Rates are pages / the crawl phase, both from the portal's log: from the first request
(robots.txt) to the last one. Interpreter start, imports, Scrapy's start-up and shut-down
(and our end-of-run work: full-text indexing, the run summary) are outside that window
for both; the whole child process's wall time is printed as well, start-up and shut-down
included, for both, with each child's CPU time (user + system, from wait4()).

`--latency MS` makes the portal wait before each answer, as a portal across the internet
does (a Beijing portal seen from a monitoring host: tens to hundreds of ms); at loopback speed
(the default) fetching costs no waiting, only CPU, which the parse worker and the portal share.
After the loopback figures, both crawls run once more with the portal answering after 20 ms
(`--also-latency MS`, 0 to skip): the ratio at the speed real portals are crawled at.

`--profile` adds one more crawl of ours (fresh database) under cProfile and prints its hot
spots. `--depth-limit N` is a what-if: our crawl with crawler.settings.DEPTH_LIMIT = N (the
shipped 0 is no limit; a limit of 6 would stop the 101-page list of the 2000-report portal
after about a third of it, which the figures show). About a minute as shipped.

`--all-portals` (issue 14) crawls all 17 Beijing profiles of config.toml at once, as
`crawl --all --no-alerts` does (one crawler a site, one process), each pointed at its own
fixture portal (one PortalServer each, answering after --latency ms, default 50): xicheng's and
dongcheng's demo sites (--reports each, default 300), the city portal's of
tests/spiders/test_crawl_beijing.py and the 14 districts' of fixture_portal.districts (as
tests/spiders/test_crawl_districts.py serves them, with --units agencies a year, default 20).
Then the bare spider over the same URLs, one crawler a portal. Prints both rates and their
ratio (goal >= 0.9), peak RSS (goal < 400 MB), and CPU a page of ours against bare Scrapy's
plus lxml.html.fromstring of the same pages' bodies (timed here): the floor any crawler that
reads the pages pays (goal: ours <= 2x that). It names the portals that finished last: the
window is theirs. `--parse-workers N` is a what-if, and so is `--set NAME=VALUE` (a Scrapy
setting in both crawls, repeatable): `--set AUTOTHROTTLE_ENABLED=false` is how the suspicion
that AutoThrottle read our busier event loop as slower portals was refuted (without it the bare
spider gains far more than ours: what holds ours back is its crawl process's CPU, not the throttle).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pstats
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import scrapy  # noqa: E402

from crawler.config import load_config  # noqa: E402
from crawler.settings import settings_for  # noqa: E402

GOAL_RATIO = 0.9
GOAL_RSS_MB = 300
GOAL_RECRAWL_REQUESTS = 0.05
SITE = "xicheng"


# --- the bare spider (runs in its own child process) ---------------------------------


class BareSpider(scrapy.Spider):
    """Fetches the given URLs and does nothing with the responses."""

    name = "bare"
    allowed_domains = ["127.0.0.1"]

    def __init__(self, urls: list[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.urls = urls

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse)

    def start_requests(self):  # Scrapy < 2.13
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response):
        return None


def bare_settings(config_path: Path, db_path: Path, overrides: dict | None = None) -> dict:
    """Our crawl's Scrapy settings for this config, less our middlewares and pipelines."""
    settings = settings_for(load_config(config_path), str(db_path), overrides=overrides)
    settings.update(
        DOWNLOADER_MIDDLEWARES={}, ITEM_PIPELINES={}, SPIDER_LOADER_CLASS="scrapy.spiderloader.DummySpiderLoader"
    )
    return settings


def parse_what_if(pairs: list[str]) -> dict:
    """`--set NAME=VALUE` pairs as settings: VALUE read as JSON (false, 0.5, {}), else kept as a string."""
    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.isupper():
            raise SystemExit(f"--set {pair}: expected NAME=VALUE with a Scrapy setting's NAME")
        try:
            settings[name] = json.loads(value)
        except json.JSONDecodeError:
            settings[name] = value
    return settings


def run_bare(url_file: Path, config_path: Path, overrides: dict | None = None) -> int:
    from scrapy.crawler import CrawlerProcess

    urls = url_file.read_text(encoding="utf-8").split()
    process = CrawlerProcess(bare_settings(config_path, url_file.with_suffix(".unused.db"), overrides))
    portals: dict[str, list[str]] = {}  # one crawler a portal, as `crawl --all` runs one a site
    for url in urls:
        portals.setdefault(urlsplit(url).netloc, []).append(url)
    for portal_urls in portals.values():
        process.crawl(BareSpider, urls=portal_urls)
    process.start()
    return 0


# --- the portal and the config --------------------------------------------------------


def _head(concurrency: int, timeout: float, workers: int | None = None) -> str:
    """The config's tables other than the sites, as both benches' crawls have them."""
    return (
        f"""
[storage]
path = "nianbao.db"

[crawl]
user_agent = "nianbao-bench/0.1 (+https://example.org/nianbao)"
concurrent_per_site = {concurrency}
download_timeout = {timeout}
retries = 2
start_delay = 0
"""
        + ("" if workers is None else f"parse_workers = {workers}\n")
        + """
[alerts]
outbox = "outbox"
"""
    )


def write_config(tmp: Path, server, concurrency: int, timeout: float) -> Path:
    """The shipped xicheng profile (its URL patterns), pointed at the fixture portal."""
    shipped = load_config().sites[SITE]
    text = (
        _head(concurrency, timeout)
        + f"""

[sites.{SITE}]
name = "{SITE}"
start_urls = [{json.dumps(server.url(server.fixture.start_path))}]
allowed_domains = ["127.0.0.1"]
report_patterns = {json.dumps(shipped.report_patterns)}
list_patterns = {json.dumps(shipped.list_patterns)}
url_year = {json.dumps(shipped.url_year)}
"""
    )
    path = tmp / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@dataclass
class Run:
    name: str
    wall: float  # the child process, start to exit
    started: float  # time.time() when the child was started
    log: list  # the portal's LoggedRequests during the run
    maxrss_kb: int
    cpu: float  # user + system seconds of the child
    returncode: int
    output: str

    @property
    def pages(self) -> list:
        return [r for r in self.log if not r.path.endswith("/robots.txt")]

    @property
    def window(self) -> float:
        """The crawl phase: first request (robots.txt) to last request, portal clock."""
        times = [r.time for r in self.log]
        return max(times) - min(times) if len(times) > 1 else float("nan")

    @property
    def rate(self) -> float:
        return len(self.pages) / self.window

    @property
    def startup(self) -> float:
        return min(r.time for r in self.log) - self.started

    @property
    def tail(self) -> float:
        return self.started + self.wall - max(r.time for r in self.log)


# Runs the crawls and reports what wait4() says of each. A child forked from this process would
# count this process's memory (the portal's pages, ~200 MB once served) in its peak RSS, as Linux
# keeps the pre-exec high-water mark: so children are started by this small process, started first.
LAUNCHER = """
import json, os, subprocess, sys, time
for line in sys.stdin:
    job = json.loads(line)
    with open(job["out"], "wb") as fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen(job["cmd"], stdin=subprocess.DEVNULL, stdout=fh, stderr=subprocess.STDOUT, cwd=job["cwd"])
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    print(json.dumps({"code": os.waitstatus_to_exitcode(status), "wall": wall, "maxrss": usage.ru_maxrss,
                      "cpu": usage.ru_utime + usage.ru_stime}), flush=True)
"""


class Launcher:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def run(self, cmd: list[str], out: Path) -> dict:
        self.proc.stdin.write(json.dumps({"cmd": cmd, "out": str(out), "cwd": str(ROOT)}) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def run_child(name: str, cmd: list[str], server, tmp: Path, launcher: Launcher, ok: tuple = (0,)) -> Run:
    """Run cmd as a child (output to a file), with the portal log cleared; wait4 for its peak RSS.
    `ok`: the exit codes that are not a failure."""
    server.clear_log()
    out = tmp / f"{name}.out"
    started = time.time()
    result = launcher.run(cmd, out)
    output = out.read_text(encoding="utf-8", errors="replace")
    run = Run(name, result["wall"], started, server.log, result["maxrss"], result["cpu"], result["code"], output)
    if run.returncode not in ok or not run.pages or "Traceback" in output:
        tail = "\n".join(output.splitlines()[-30:])
        raise SystemExit(f"{name}: exit {run.returncode}, {len(run.pages)} pages fetched\n{tail}")
    return run


def ours_cmd(config: Path, db: Path, profile: Path | None = None, depth_limit: int | None = None) -> list[str]:
    """`crawl --site xicheng --no-alerts` as a user runs it; with depth_limit (a what-if), through
    `bench/crawl.py --run-crawl N …`, which sets crawler.settings.DEPTH_LIMIT = N first."""
    prefix = [sys.executable, *(["-m", "cProfile", "-o", str(profile)] if profile else [])]
    entry = ["-m", "crawler.cli"] if depth_limit is None else [__file__, "--run-crawl", str(depth_limit)]
    return [*prefix, *entry, "--site", SITE, "--no-alerts", "--config", str(config), "--db", str(db)]


def run_crawl_patched(depth_limit: int, argv: list[str]) -> int:
    # Scrapy's DepthMiddleware enforces DEPTH_LIMIT; crawler.settings leaves it out as shipped.
    return run_crawl_with({"DEPTH_LIMIT": depth_limit, "SPIDER_MIDDLEWARES": {}}, argv)


def run_crawl_with(overrides: dict, argv: list[str]) -> int:
    """`crawl ARGV` with these Scrapy settings put in crawler.settings first (a what-if)."""
    import crawler.settings
    from crawler.cli import main as crawl_main

    for name, value in overrides.items():
        setattr(crawler.settings, name, value)
    return crawl_main(argv)


# --- figures --------------------------------------------------------------------------


def mb(kb: float) -> float:
    return kb / 1024


def share(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "n/a"


def status_counts(log: list) -> str:
    counts: dict = {}
    for r in log:
        counts[r.status] = counts.get(r.status, 0) + 1
    return ", ".join(f"{n}× {s}" for s, n in sorted(counts.items(), key=lambda t: str(t[0])))


def print_run(run: Run) -> None:
    n = len(run.pages)
    print(f"  {run.name:8} {n:5} pages in {run.window:6.2f} s = {run.rate:6.1f} pages/s")
    print(
        f"  {'':8} process {run.wall:.2f} s (start-up {run.startup:.2f} s, after the last request {run.tail:.2f} s); "
        f"CPU {run.cpu:.2f} s = {100 * run.cpu / run.wall:.0f} % of one core, {1000 * run.cpu / n:.1f} ms a page; "
        f"peak RSS {mb(run.maxrss_kb):.0f} MB"
    )


def print_profile(path: Path, n: int = 25) -> None:
    """Own time over everything, cumulative time over the project's functions (the main thread)."""
    stats = pstats.Stats(str(path))
    rows = stats.stats.items()
    total = stats.total_tt
    ours = ("crawler/", "spiders/", "storage/", "parsers/")

    def show(title: str, chosen: list) -> None:
        print(f"\n  {title}\n    {'own s':>7} {'cum s':>7} {'calls':>8}")
        for (file, line, func), (_cc, nc, tt, ct, _callers) in chosen:
            where = file.replace(str(ROOT) + "/", "").replace(sys.prefix + "/", "")
            print(f"    {tt:7.2f} {ct:7.2f} {nc:8}  {where}:{line} {func}")

    print(f"\nprofile of our crawl (cProfile: its overhead inflates the times; {total:.2f} s in profiled calls)")
    show(f"top {n} by own time:", sorted(rows, key=lambda kv: kv[1][2], reverse=True)[:n])
    mine = [kv for kv in rows if kv[0][0].startswith(str(ROOT)) and kv[0][0][len(str(ROOT)) + 1 :].startswith(ours)]
    show(
        f"top {n} of the project's functions by cumulative time:",
        sorted(mine, key=lambda kv: kv[1][3], reverse=True)[:n],
    )


def main() -> int:
    if sys.argv[1:2] == ["--run-crawl"]:
        return run_crawl_patched(int(sys.argv[2]), sys.argv[3:])
    if sys.argv[1:2] == ["--run-with"]:
        return run_crawl_with(json.loads(sys.argv[2]), sys.argv[3:])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--reports",
        type=int,
        help="synthetic reports on the portal (default 2000; --all-portals: "
        "300 each on the xicheng and dongcheng portals)",
    )
    ap.add_argument(
        "--all-portals",
        action="store_true",
        help="crawl all 17 Beijing fixture portals at once (`crawl --all`), answering after --latency "
        "ms (default 50), against bare Scrapy, with CPU a page against lxml's parse",
    )
    ap.add_argument(
        "--units",
        type=int,
        default=20,
        help="--all-portals: agencies reporting each year on each district portal (default 20)",
    )
    ap.add_argument("--parse-workers", type=int, metavar="N",
                    help="--all-portals, a what-if: [crawl] parse_workers = N (default: as shipped)")  # fmt: skip
    ap.add_argument("--concurrency", type=int, default=2, help="[crawl] concurrent_per_site (default 2, as shipped)")
    ap.add_argument("--timeout", type=float, default=10, help="[crawl] download_timeout (default 10 s)")
    ap.add_argument("--profile", action="store_true", help="also profile one crawl of ours with cProfile")
    ap.add_argument("--latency", type=float, default=0, metavar="MS",
                    help="the portal waits MS milliseconds before each answer, as one across the internet "
                         "does (default 0: loopback speed)")  # fmt: skip
    ap.add_argument("--also-latency", type=float, default=20, metavar="MS",
                    help="then crawl both again with the portal answering after MS ms (default 20; 0: skip)")  # fmt: skip
    ap.add_argument("--depth-limit", type=int, metavar="N",
                    help="what-if: run our crawl with crawler.settings.DEPTH_LIMIT = N (0: none)")  # fmt: skip
    ap.add_argument("--bare", type=Path, metavar="URLFILE", help=argparse.SUPPRESS)
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", dest="what_if",
                    help="--all-portals, a what-if: this Scrapy setting in both crawls (VALUE as JSON, else "
                         "a string; repeatable), e.g. --set AUTOTHROTTLE_ENABLED=false")  # fmt: skip
    ap.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--overrides", default="{}", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.bare:
        return run_bare(args.bare, args.config, json.loads(args.overrides))

    launcher = Launcher()  # before the portal's pages take this process's memory
    try:
        if args.all_portals:
            return bench_all(args, launcher)
        args.reports = args.reports or 2000
        return bench(args, launcher)
    finally:
        launcher.close()


def bench(args: argparse.Namespace, launcher: Launcher) -> int:
    from fixture_portal import PortalServer, demo_site
    from fixture_portal.server import _HTTPServer

    # socketserver's listen backlog is 5: when Scrapy opens a burst of connections (it does
    # without AutoThrottle), SYNs are dropped and each retried after 1 s, which would time
    # the fixture's backlog, not the crawlers. A web server's is hundreds (nginx: 511).
    _HTTPServer.request_queue_size = 128
    t = time.perf_counter()
    site = demo_site(SITE, n=args.reports)
    built = time.perf_counter() - t
    with (
        tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp_name,
        PortalServer(site, latency=args.latency / 1000) as server,
    ):
        tmp = Path(tmp_name)
        config = write_config(tmp, server, args.concurrency, args.timeout)
        s = bare_settings(config, tmp / "unused.db")
        print(
            f"portal: demo_site({SITE!r}, n={args.reports}): {len(site.expected)} reports, "
            f"{len(site.list_pages)} list pages (built in {built:.1f} s), at {server.base_url}"
            + (f", answering after {args.latency:g} ms" if args.latency else "")
        )
        print(
            f"settings (both crawls): CONCURRENT_REQUESTS_PER_DOMAIN={s['CONCURRENT_REQUESTS_PER_DOMAIN']} "
            f"CONCURRENT_REQUESTS={s['CONCURRENT_REQUESTS']} AUTOTHROTTLE_ENABLED={s['AUTOTHROTTLE_ENABLED']} "
            f"AUTOTHROTTLE_START_DELAY={s['AUTOTHROTTLE_START_DELAY']} "
            f"AUTOTHROTTLE_TARGET_CONCURRENCY={s['AUTOTHROTTLE_TARGET_CONCURRENCY']} "
            f"ROBOTSTXT_OBEY={s['ROBOTSTXT_OBEY']} DOWNLOAD_TIMEOUT={s['DOWNLOAD_TIMEOUT']} "
            f"RETRY_TIMES={s['RETRY_TIMES']} TWISTED_REACTOR={s['TWISTED_REACTOR'].rsplit('.', 1)[-1]}; "
            f"ours: DEPTH_LIMIT={s['DEPTH_LIMIT'] if args.depth_limit is None else f'{args.depth_limit} (what-if)'}"
        )
        print(
            f"machine: Python {platform.python_version()}, Scrapy {scrapy.__version__}, {os.cpu_count()} CPUs "
            "(the portal shares them, in this process)"
        )
        print("rates: pages (robots.txt not counted) / first to last request in the portal's log, so "
              "start-up and shut-down are excluded for both\n")  # fmt: skip

        db = tmp / "nianbao.db"
        ours = run_child("ours", ours_cmd(config, db, depth_limit=args.depth_limit), server, tmp, launcher)
        stored = len([line for line in ours.output.splitlines() if line.startswith(f"[{SITE}] new:")])
        urls = list(dict.fromkeys(server.url(r.path) for r in ours.pages))
        url_file = tmp / "urls.txt"
        url_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
        bare = run_child("bare", [sys.executable, __file__, "--bare", str(url_file), "--config", str(config)],
                         server, tmp, launcher)  # fmt: skip
        again = run_child("re-crawl", ours_cmd(config, db, depth_limit=args.depth_limit), server, tmp, launcher)

        print("full crawl, fresh database:")
        print_run(ours)
        print_run(bare)
        print(f"  ours: {status_counts(ours.log)}; {stored} reports stored new")
        fetched = {r.path for r in ours.log}
        found = len(fetched & set(site.expected))
        lists = len(fetched & set(site.list_pages))
        print(f"  ours found {found} of the portal's {len(site.expected)} reports, fetched {lists} of its "
              f"{len(site.list_pages)} list pages (goal: all: {'ok' if found == len(site.expected) else 'MISSED'})")  # fmt: skip
        print(f"  bare: {status_counts(bare.log)}")
        same = sorted(r.path for r in ours.pages) == sorted(r.path for r in bare.pages)
        print(f"  same requests: {'yes' if same else 'NO'}")
        ratio = ours.rate / bare.rate
        ok = "ok" if ratio >= GOAL_RATIO else "MISSED"
        print(f"\nours / bare = {ratio:.2f} (goal >= {GOAL_RATIO}: {ok}); process wall time bare / ours = "
              f"{bare.wall / ours.wall:.2f}")  # fmt: skip
        cores = os.cpu_count() or 1
        per_page = ours.cpu / len(ours.pages)
        bound = cores / per_page  # every core busy with our crawl alone, the portal costing nothing
        print(f"  CPU a page: ours {1000 * per_page:.1f} ms (crawl process and parse worker) against bare "
              f"{1000 * bare.cpu / len(bare.pages):.1f} ms. On loopback the portal answers at once, so the rate is "
              f"what {cores} CPUs can do: at most {bound:.0f} pages/s for ours, a ratio of at most "
              f"{bound / bare.rate:.2f}, whatever the scheduling")  # fmt: skip
        rss = mb(ours.maxrss_kb)
        print(
            f"peak RSS of our crawl: {rss:.0f} MB (goal < {GOAL_RSS_MB} MB: {'ok' if rss < GOAL_RSS_MB else 'MISSED'})"
        )

        reports = set(site.reports)
        known = {r.path for r in ours.log} & reports  # report pages the full crawl fetched
        full_bytes = sum(r.bytes_sent for r in ours.log)
        again_bytes = sum(r.bytes_sent for r in again.log)
        report_requests = [r for r in again.log if r.path in reports]
        known_bytes = sum(r.bytes_sent for r in report_requests if r.path in known)
        unseen = [r for r in report_requests if r.path not in known]
        req_share = len(again.log) / len(ours.log)
        print("\nno-change re-crawl (same database, portal unchanged):")
        print_run(again)
        print(f"  {status_counts(again.log)}")
        print(f"  requests {len(again.log)} of {len(ours.log)} = {share(len(again.log), len(ours.log))} "
              f"(goal <= {100 * GOAL_RECRAWL_REQUESTS:.0f} %: {'ok' if req_share <= GOAL_RECRAWL_REQUESTS else 'MISSED'}); "
              f"of them {len(report_requests)} to report pages, "
              f"{len([r for r in again.log if r.path in site.list_pages])} to list pages")  # fmt: skip
        print(f"  bytes {again_bytes:,} of {full_bytes:,} = {share(again_bytes, full_bytes)}; bytes of the report "
              f"pages stored by the full crawl {known_bytes:,} (goal 0: {'ok' if known_bytes == 0 else 'MISSED'})")  # fmt: skip
        if unseen:
            print(f"  ! {len(unseen)} report pages ({sum(r.bytes_sent for r in unseen):,} bytes) that the full crawl "
                  "had not found: the two crawls reached different parts of the site")  # fmt: skip

        if args.also_latency and not args.latency:
            # The same pair with the portal answering as one across the internet does: is our pipeline
            # the bottleneck at the speed real portals are crawled at?
            server.latency = args.also_latency / 1000
            slow = run_child(
                "ours", ours_cmd(config, tmp / "slow.db", depth_limit=args.depth_limit), server, tmp, launcher
            )
            slow_bare = run_child("bare", [sys.executable, __file__, "--bare", str(url_file), "--config", str(config)],
                                  server, tmp, launcher)  # fmt: skip
            print(f"\nthe same two crawls, the portal answering after {args.also_latency:g} ms (--also-latency):")
            print_run(slow)
            print_run(slow_bare)
            print(f"ours / bare = {slow.rate / slow_bare.rate:.2f} at {args.also_latency:g} ms")
            server.latency = 0

        if args.profile:
            prof = tmp / "crawl.prof"
            run_child("profiled", ours_cmd(config, tmp / "profiled.db", prof, args.depth_limit), server, tmp, launcher)
            print_profile(prof)
    return 0


# --- all 17 Beijing portals at once (--all-portals) -----------------------------------------

GOAL_ALL_RSS_MB = 400
GOAL_FLOOR = 2.0  # ours' CPU a page / (bare Scrapy's + lxml's parse of the page)
# Departments for the district fixtures beyond their shipped handful (units a year each).
DEPARTMENTS = ("发展和改革委员会", "教育委员会", "财政局", "民政局", "司法局", "科学技术和信息化局", "公安分局",
               "人力资源和社会保障局", "生态环境局", "住房和城乡建设委员会", "城市管理委员会", "交通委员会", "水务局",
               "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会", "应急管理局", "市场监督管理局", "统计局",
               "医疗保障局", "园林绿化局", "体育局", "审计局", "退役军人事务局", "规划和自然资源委员会分局")  # fmt: skip


class Portals:
    """Several PortalServers seen as one for run_child: one log (each request's path made its
    full URL, so it names its portal), cleared together."""

    def __init__(self, servers: dict[str, object]) -> None:
        self.servers = servers

    def clear_log(self) -> None:
        for server in self.servers.values():
            server.clear_log()

    @property
    def log(self) -> list:
        from dataclasses import replace

        merged = [replace(r, path=server.url(r.path)) for server in self.servers.values() for r in server.log]
        return sorted(merged, key=lambda r: r.time)

    def body(self, url: str) -> bytes | None:
        """The HTML bytes the portal served at url (None: not an HTML content page)."""
        parts = urlsplit(url)
        server = next(s for s in self.servers.values() if urlsplit(s.base_url).netloc == parts.netloc)
        page = server.site.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        if page is None or page.kind != "content" or page.status != 200 or "html" not in page.content_type:
            return None
        return server._render(page, server.base_url)[0]


def portal_fixtures(reports: int, units: int) -> dict:
    """The 17 fixture portals the crawl tests use: xicheng's and dongcheng's demo sites
    (tests/spiders/test_crawl_xicheng.py, …_dongcheng.py, at `reports` reports), the city portal's
    (test_crawl_beijing.py) and the 14 districts' (test_crawl_districts.py), each with `units`
    agencies reporting each year and 10 entries a paged list."""
    from dataclasses import replace

    from fixture_portal import demo_site
    from fixture_portal.beijing import BEIJING
    from fixture_portal.districts import district_site
    from tests.spiders.test_crawl_beijing import beijing_site

    sites = {"xicheng": demo_site("xicheng", n=reports), "dongcheng": demo_site("dongcheng", n=reports),
             "beijing": beijing_site()}  # fmt: skip
    for key, facts in BEIJING.items():
        names = facts.agencies or [facts.agency] + [f"北京市{facts.district}{d}" for d in DEPARTMENTS]
        sites[key] = district_site(replace(facts, units=min(units, len(names)), agencies=names, per_page=10))
    return sites


def write_all_config(tmp: Path, servers: dict, concurrency: int, timeout: float, workers: int | None = None) -> Path:
    """Every shipped Beijing profile (its URL patterns) pointed at its fixture portal: the demo
    and city portals at their start page (tests' site_config), the districts' configured URLs
    moved to their portal (test_crawl_districts.local_config)."""
    shipped = load_config().sites
    blocks = []
    for key, server in servers.items():
        site = shipped[key]

        def local(url: str, server=server) -> str:
            return server.url(urlsplit(url).path or "/")

        demo = key in ("xicheng", "dongcheng", "beijing")
        keys = {
            "name": site.name,
            "home": local(site.home) if site.home and not demo else None,
            "start_urls": [server.url(server.fixture.start_path)] if demo else [local(u) for u in site.start_urls],
            "allowed_domains": ["127.0.0.1"],
            "report_patterns": site.report_patterns,
            "list_patterns": site.list_patterns,
            "url_year": site.url_year,
        }
        body = "\n".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in keys.items() if v not in (None, []))
        blocks.append(f"[sites.{key}]\n{body}\n")
    path = tmp / "config.toml"
    path.write_text(
        _head(concurrency, timeout, workers) + "\n" + "\n".join(blocks),
        encoding="utf-8",
    )
    return path


def all_cmd(config: Path, db: Path, profile: Path | None = None, what_if: dict | None = None) -> list[str]:
    """`crawl --all --no-alerts` as a user runs it; with `what_if` settings through `--run-with`."""
    prefix = [sys.executable, *(["-m", "cProfile", "-o", str(profile)] if profile else [])]
    entry = [__file__, "--run-with", json.dumps(what_if)] if what_if else ["-m", "crawler.cli"]
    return [*prefix, *entry, "--all", "--no-alerts", "--config", str(config), "--db", str(db)]


def bare_cmd(url_file: Path, config: Path, what_if: dict | None = None) -> list[str]:
    return [sys.executable, __file__, "--bare", str(url_file), "--config", str(config),
            "--overrides", json.dumps(what_if or {})]  # fmt: skip


def print_portals(ours: Run, bare: Run, names: dict[str, str], n: int = 4) -> None:
    """The portals whose crawls ended last: the window, and so the rate, is theirs. `names`:
    each portal's host:port -> its site."""

    def spans(run: Run) -> dict[str, tuple[int, float, float]]:
        t0 = min(r.time for r in run.log)
        by: dict[str, list] = {}
        for r in run.log:
            by.setdefault(urlsplit(r.path).netloc, []).append(r.time - t0)
        return {k: (len(v), min(v), max(v)) for k, v in by.items()}

    o, b = spans(ours), spans(bare)
    print(f"  the {n} portals ours finished last (requests, first to last request from the crawl's first):")
    for key, (count, first, last) in sorted(o.items(), key=lambda kv: kv[1][2], reverse=True)[:n]:
        bc, bf, bl = b.get(key, (0, 0.0, 0.0))
        print(f"    {names.get(key, key)}: ours {count} in {first:.1f}-{last:.1f} s ({count / max(last - first, 1e-9):.1f}/s), "
              f"bare {bc} in {bf:.1f}-{bl:.1f} s ({bc / max(bl - bf, 1e-9):.1f}/s)")  # fmt: skip


def lxml_floor(portals: Portals, pages: list) -> tuple[float, int]:
    """Seconds lxml.html.fromstring takes over the HTML bodies of these requests (in this
    process, best of 3), and how many bodies that was."""
    import lxml.html

    bodies = [b for b in (portals.body(r.path) for r in pages if r.status == 200) if b]
    best = float("inf")
    for _ in range(3):
        t = time.process_time()
        for body in bodies:
            lxml.html.fromstring(body)
        best = min(best, time.process_time() - t)
    return best, len(bodies)


def stage_costs(config_path: Path, crawled: Path, replay: Path) -> tuple[float, float, int]:
    """CPU seconds of the two stages our crawl adds to a bare one, each alone, in this process, on
    what the crawl stored: every stored version's page parsed and assessed again (parse_page, what
    a parse worker runs), and those reports stored again into a fresh database (Store.save_report
    and closing it, the search index brought up to date). Also how many reports that was. Their sum,
    with bare Scrapy's CPU, is what any crawl that parses and stores as ours does must spend."""
    import sqlite3
    import zlib

    from checks.assess import JUDGE
    from crawler.parse_worker import parse_page
    from storage.store import Store

    sites = load_config(config_path).sites
    conn = sqlite3.connect(crawled)
    rows = conn.execute(
        "select r.site, v.url, v.raw, v.encoding from versions v join reports r on r.id = v.report_id order by v.id"
    ).fetchall()
    conn.close()
    pages = [(site, url, zlib.decompress(raw), enc) for site, url, raw, enc in rows if raw]
    t = time.process_time()
    parsed = [parse_page(body, enc, sites[site].content_xpath, url) for site, url, body, enc in pages]
    parse_s = time.process_time() - t
    store = Store(replay)
    t = time.process_time()
    for (site, url, body, enc), page in zip(pages, parsed, strict=True):
        store.save_report(site, url, page.report, page.records, judge=JUDGE, raw=body, encoding=enc,
                          attachments=page.attachments, page={"http_status": 200})  # fmt: skip
    store.close()
    return parse_s, time.process_time() - t, len(pages)


def bench_all(args: argparse.Namespace, launcher: Launcher) -> int:
    from fixture_portal import PortalServer
    from fixture_portal.server import _HTTPServer

    _HTTPServer.request_queue_size = 128  # as bench() does
    latency = args.latency if args.latency else 50
    reports = args.reports or 300
    t = time.perf_counter()
    sites = portal_fixtures(reports, args.units)
    built = time.perf_counter() - t
    servers = {key: PortalServer(site, latency=latency / 1000).start() for key, site in sites.items()}
    portals = Portals(servers)
    try:
        with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp_name:
            tmp = Path(tmp_name)
            config = write_all_config(tmp, servers, args.concurrency, args.timeout, args.parse_workers)
            what_if = parse_what_if(args.what_if)
            s = bare_settings(config, tmp / "unused.db", what_if)
            expected = sum(len(site.expected) for site in sites.values())
            print(f"portals: the {len(sites)} Beijing fixture portals, each its own PortalServer answering after "
                  f"{latency:g} ms: xicheng and dongcheng demo sites of {reports} reports, the city portal's, the "
                  f"districts' with {args.units} agencies a year; {expected} reports in all (built in {built:.1f} s)")  # fmt: skip
            print(f"settings (both crawls: crawler.settings for this config, bare less our middlewares and "
                  f"pipelines; [crawl] start_delay = 0 here, 1 s as shipped; one crawler a portal in one process): "
                  f"CONCURRENT_REQUESTS_PER_DOMAIN="
                  f"{s['CONCURRENT_REQUESTS_PER_DOMAIN']} CONCURRENT_REQUESTS={s['CONCURRENT_REQUESTS']} "
                  f"AUTOTHROTTLE_ENABLED={s['AUTOTHROTTLE_ENABLED']} AUTOTHROTTLE_START_DELAY="
                  f"{s['AUTOTHROTTLE_START_DELAY']} AUTOTHROTTLE_TARGET_CONCURRENCY={s['AUTOTHROTTLE_TARGET_CONCURRENCY']} "
                  f"DOWNLOAD_DELAY={s.get('DOWNLOAD_DELAY', 0)} ROBOTSTXT_OBEY={s['ROBOTSTXT_OBEY']} "
                  f"RETRY_TIMES={s['RETRY_TIMES']}"
                  + (f"; what-if (--set): {what_if}" if what_if else ""))  # fmt: skip
            print(f"machine: Python {platform.python_version()}, Scrapy {scrapy.__version__}, {os.cpu_count()} CPUs\n")

            # `crawl --all` exits 1 here, as the fixtures mean it to: 顺义's robots.txt forbids crawling,
            # 昌平's configured list page is gone (404, its column found again from the home page).
            ours = run_child(
                "ours", all_cmd(config, tmp / "nianbao.db", what_if=what_if), portals, tmp, launcher, ok=(0, 1)
            )
            stored = len([line for line in ours.output.splitlines() if "] new:" in line])
            urls = list(dict.fromkeys(r.path for r in ours.pages))
            url_file = tmp / "urls.txt"
            url_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
            bare = run_child("bare", bare_cmd(url_file, config, what_if), portals, tmp, launcher)

            print("all 17 portals at once, fresh database:")
            print_run(ours)
            print_run(bare)
            print_portals(ours, bare, {urlsplit(server.base_url).netloc: key for key, server in servers.items()})
            fetched = {r.path for r in ours.log}
            # 顺义's robots.txt forbids its report column: its reports are not to be found.
            expected = sum(len(site.expected) for k, site in sites.items() if k != "shunyi")
            found = sum(len(fetched & {server.url(p) for p in sites[k].expected}) for k, server in servers.items())
            print(f"  ours: {status_counts(ours.log)}; found {found} of the portals' {expected} reports "
                  f"(shunyi's forbidden; {'ok' if found == expected else 'MISSED'}); '[site] new:' lines: {stored}")  # fmt: skip
            print(f"  bare: {status_counts(bare.log)}")
            same = sorted(r.path for r in ours.pages) == sorted(r.path for r in bare.pages)
            print(f"  same requests: {'yes' if same else 'NO'}; ours exited {ours.returncode} (1 expected: "
                  "shunyi forbidden, changping's moved list page failed)")  # fmt: skip

            ratio = ours.rate / bare.rate
            print(f"\nrate ours {ours.rate:.1f} pages/s, bare {bare.rate:.1f} pages/s: ours / bare = {ratio:.2f} "
                  f"(goal >= {GOAL_RATIO}: {'ok' if ratio >= GOAL_RATIO else 'MISSED'})")  # fmt: skip
            rss = mb(ours.maxrss_kb)
            print(f"peak RSS of our crawl: {rss:.0f} MB (goal < {GOAL_ALL_RSS_MB} MB: "
                  f"{'ok' if rss < GOAL_ALL_RSS_MB else 'MISSED'})")  # fmt: skip
            n = len(ours.pages)
            ours_ms, bare_ms = 1000 * ours.cpu / n, 1000 * bare.cpu / len(bare.pages)
            lx, parsed = lxml_floor(portals, ours.pages)
            lxml_ms = 1000 * lx / n
            floor = bare_ms + lxml_ms
            print(f"CPU a page: ours {ours_ms:.2f} ms (crawl process and parse workers), bare Scrapy {bare_ms:.2f} ms, "
                  f"lxml.html.fromstring of the same pages {lxml_ms:.2f} ms ({parsed} HTML bodies over {n} pages, "
                  f"this process, best of 3)")  # fmt: skip
            print(f"  ours / (bare + lxml) = {ours_ms:.2f} / {floor:.2f} = {ours_ms / floor:.2f} "
                  f"(goal <= {GOAL_FLOOR:g}: {'ok' if ours_ms / floor <= GOAL_FLOOR else 'MISSED'})")  # fmt: skip
            parse_s, store_s, stored_n = stage_costs(config, tmp / "nianbao.db", tmp / "replay.db")
            parse_ms, store_ms = 1000 * parse_s / n, 1000 * store_s / n
            rest_ms = ours_ms - bare_ms - parse_ms - store_ms
            bound = bare_ms + parse_ms + store_ms
            print(f"  where ours goes, a page: bare Scrapy's {bare_ms:.2f} + parsing and checking {parse_ms:.2f} + "
                  f"storing {store_ms:.2f} (each stage alone, this process, on the {stored_n} stored reports' pages) "
                  f"+ the rest {rest_ms:.2f} (items through Scrapy, handing pages to the worker, start-up)")  # fmt: skip
            print(f"  bound: bare + parsing + storing = {bound:.2f} ms = {bound / floor:.2f} x the floor, before "
                  "any cost of the item path")  # fmt: skip

            if args.profile:
                prof = tmp / "crawl.prof"
                run_child(
                    "profiled", all_cmd(config, tmp / "profiled.db", prof, what_if), portals, tmp, launcher, ok=(0, 1)
                )
                print_profile(prof)
    finally:
        for server in servers.values():
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
