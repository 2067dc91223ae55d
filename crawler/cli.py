"""`crawl`: the command-line entry point. User mistakes get one line on stderr, no traceback."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from checks.assess import JUDGE, assess_report
from common.constants import RunStatus
from crawler import output
from crawler.config import Config, ConfigError, load_config
from crawler.settings import LOG_LEVEL
from parsers.errors import ParseError
from parsers.html import css_to_xpath
from parsers.load import parse_path
from storage.errors import StoreError

if TYPE_CHECKING:
    from storage.store import Store


def _parse_cmd(args: argparse.Namespace) -> int:
    failures = 0
    outputs = []
    content = None
    if args.content is not None:
        try:
            content = css_to_xpath(args.content)
        except ValueError as exc:
            raise ConfigError(f"--content: {exc}") from None
    for name in args.files:
        try:
            parsed = parse_path(name, content)
        except ParseError as exc:
            failures += 1
            print(f"crawl parse: {name}: {exc}", file=sys.stderr)
            continue
        parsed.report.findings = assess_report(parsed.report)
        if parsed.document.content_found is False:  # read anyway, as a crawl does
            print(f"crawl parse: {name}: no {args.content!r} on the page; read the whole page", file=sys.stderr)
        if args.json:
            outputs.append(parsed.report.to_json())
        elif args.records:
            print("\n".join(parsed.records))
        else:
            print(_summary(name, parsed.report))
            print()
    if args.json and outputs:
        doc = outputs[0] if len(args.files) == 1 else outputs
        print(json.dumps(doc, ensure_ascii=False, indent=1))
    return 1 if failures else 0


def _summary(name, report):
    from crawler.report_text import summary

    return summary(name, report)


def _crawl_cmd(args: argparse.Namespace) -> int:
    from crawler.run import crawl_sites, format_summary

    config, db_path = _config_and_db(args)
    sites = sorted(config.sites) if args.all else list(dict.fromkeys(args.site))
    for key in sites:
        config.site(key)  # unknown site: one clear line
    print(f"crawling {', '.join(sites)} into {db_path}", flush=True)
    results = crawl_sites(config, sites, db_path, full=args.full)
    print(format_summary(results))
    if not args.no_alerts:
        _alert(config, db_path, sites)
    return 0 if all(r.status == RunStatus.OK for r in results) else 1


def _alert(config: Config, db_path: Path, sites: list[str]) -> None:
    """Queue this crawl's digest and deliver everything queued (earlier failures too)."""
    from alerts.deliver import after_crawl
    from alerts.senders import sender_for
    from storage.store import Store

    store = Store(db_path)
    try:
        queued, sent, failed = after_crawl(store, config, sites)
    finally:
        store.close()
    where = sender_for(config).where
    print(f"alerts: {len(queued)} digest(s) queued, {sent} sent to {where}, {failed} kept for retry", flush=True)


def _schedule_cmd(args: argparse.Namespace) -> int:
    from crawler.scheduler import serve

    config, db_path = _config_and_db(args)
    sites = list(dict.fromkeys(args.site)) or sorted(config.sites)
    for key in sites:
        config.site(key)
    print(f"crawl schedule: {', '.join(sites)} -> {db_path} (Ctrl-C or SIGTERM stops)", flush=True)
    return serve(config, db_path, sites)


def _status_cmd(args: argparse.Namespace) -> int:
    from crawler.scheduler import status

    config, db_path = _existing_db(args)  # status reads; it does not create a database
    for s in status(config, db_path):
        c = s["last_counts"]
        counts = f" ({c.get('new', 0)} new, {c.get('changed', 0)} changed, {c.get('failed', 0)} failed)" if c else ""
        print(f"{s['site']:12} next run {s['next_run']:26} last: {s['last_status']} {s['last_started'] or ''}{counts}")
    return 0


def _ack_cmd(args: argparse.Namespace) -> int:
    from storage.alert_queue import acknowledge

    store = _open_store(args)
    n = acknowledge(store, args.fingerprint)
    if not n:
        print(f"crawl ack: no finding with fingerprint {args.fingerprint}", file=sys.stderr)
        return 1
    print(f"acknowledged {args.fingerprint}: it will not be alerted")
    return 0


def _alerts_cmd(args: argparse.Namespace) -> int:
    config, db_path = _existing_db(args)
    _alert(config, db_path, sorted(config.sites))
    return 0


def _demo_cmd(args: argparse.Namespace) -> int:
    """The whole pipeline without the internet: a fixture portal on 127.0.0.1, crawled,
    checked, stored in data/demo.db, the alert digest written to the outbox."""
    from dataclasses import replace

    from crawler.config import Site
    from crawler.run import crawl_sites, format_summary
    from fixture_portal import PortalServer, demo_site

    config = load_config(args.config)
    db_path = args.db_path = Path(args.db) if args.db else config.resolve("data/demo.db")
    site = demo_site("xicheng", n=args.demo_reports, broken_every=25)
    with PortalServer(site) as server:
        start = server.url(site.start_path)
        print(f"demo portal with {len(site.expected)} reports at {start}", flush=True)
        # The shipped Xicheng profile's URL patterns (the portal mimics bjxch.gov.cn), nothing that
        # reaches the real portal (its start page, probes).
        shipped = load_config().sites["xicheng"]
        profile = Site(key="xicheng", name="西城区 (demo portal)", start_urls=[start], allowed_domains=["127.0.0.1"],
                       report_patterns=shipped.report_patterns, list_patterns=shipped.list_patterns,
                       url_year=shipped.url_year)  # fmt: skip
        demo = replace(config, sites={"xicheng": profile},
                       crawl={**config.crawl, "concurrent_per_site": 8, "start_delay": 0})  # fmt: skip
        print(f"crawling it into {db_path}", flush=True)
        results = crawl_sites(demo, ["xicheng"], db_path, full=args.full)
    print(format_summary(results))
    if not args.no_alerts:
        _alert(demo, db_path, ["xicheng"])
    print(f"next: crawl findings --db {db_path}   ·   crawl search 行政复议 --db {db_path}")
    return 0 if all(r.status == RunStatus.OK for r in results) else 1


def _new_site_cmd(args: argparse.Namespace) -> int:
    from crawler.scaffold import new_site, site_of

    site = site_of(args.key, args.name, args.start_url, args.domain)
    for path in new_site(site, args.config, args.tests):
        print(f"wrote {path}")
    print(f"next: save the portal's pages in tests/files/{site.key}/ (its README.md says how), then "
          f"pytest tests/spiders/test_crawl_{site.key}.py")  # fmt: skip
    return 0


def _config_and_db(args: argparse.Namespace) -> tuple[Config, Path]:
    """The config (--config) and the database path (--db, else the config's [storage] path)."""
    config = load_config(args.config)
    args.db_path = Path(args.db) if args.db else config.db_path  # named in a database error
    return config, args.db_path


def _existing_db(args: argparse.Namespace) -> tuple[Config, Path]:
    """As _config_and_db, for commands that read: a database that is not there is an error."""
    config, db_path = _config_and_db(args)
    if not db_path.exists():
        raise ConfigError(f"no database at {db_path} yet: run a crawl or `crawl ingest` first")
    return config, db_path


def _open_store(args: argparse.Namespace) -> Store:
    from storage.store import Store

    return Store(_existing_db(args)[1])


def _findings_cmd(args: argparse.Namespace) -> int:
    store = _open_store(args)
    rows = store.findings.open(args.site, args.severity)
    for r in rows:
        print(f"{r['severity']:7} {r['rule']:18} {r['agency']} {r['year']} @ {r['where_']}: {r['message']}")
        print(f"        {r['url']}  [{r['fingerprint']}]")
    print(f"{len(rows)} open finding(s)")
    return 0


def _search_cmd(args: argparse.Namespace) -> int:
    store = _open_store(args)
    rows = store.text.search(args.query, args.site)
    for r in rows:
        snippet = " ".join((r["snippet"] or "").split())
        print(f"{r['site']:10} {r['year']} {r['agency']}: {snippet}\n           {r['url']}")
    print(f"{len(rows)} report(s)")
    return 0


def _ingest_cmd(args: argparse.Namespace) -> int:
    from storage.store import Store

    store = Store(_config_and_db(args)[1])
    failures = 0
    try:
        failures = _ingest(store, args)
    finally:
        store.close()  # also brings the search index up to date
    return 1 if failures else 0


def _ingest(store: Store, args: argparse.Namespace) -> int:
    failures = 0
    for name in args.files:
        try:
            parsed = parse_path(name)
        except ParseError as exc:
            failures += 1
            print(f"crawl ingest: {name}: {exc}", file=sys.stderr)
            continue
        parsed.report.findings = assess_report(parsed.report)
        url = Path(name).resolve().as_uri()
        saved = store.save_report(args.site, url, parsed.report, parsed.records, judge=JUDGE, raw=parsed.data)
        print(f"{saved.status:9} {parsed.report.agency} {parsed.report.year} ({name})")
    return failures


def _export_cmd(args: argparse.Namespace) -> int:
    from storage.export import export

    store = _open_store(args)
    written = export(store, args.format, args.out, args.site, args.year)
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    return 0


def _browse_cmd(args: argparse.Namespace) -> int:
    """Datasette over the store, with datasette/metadata.json: titles, facets, canned queries."""
    import importlib.util
    import subprocess
    import tempfile

    if importlib.util.find_spec("datasette") is None:
        raise ConfigError("datasette is not installed: pip install datasette")
    store = _open_store(args)
    db_path = Path(store.path).resolve()
    store.close()  # brings the full-text index up to date
    cmd = [sys.executable, "-m", "datasette", "serve", str(db_path), "--port", str(args.port)]
    cmd += ["--open"] if args.open else []
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(__file__).resolve().parent.parent / "datasette" / "metadata.json"
        if source.exists():  # its queries are filed under the database "nianbao": Datasette names it after the file
            metadata = json.loads(source.read_text(encoding="utf-8"))
            metadata["databases"] = {db_path.stem: metadata["databases"]["nianbao"]}
            (Path(tmp) / "metadata.json").write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
            cmd += ["--metadata", str(Path(tmp) / "metadata.json")]
        return subprocess.call(cmd)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crawl",
        description="nianbao: find, parse and check government information-disclosure annual reports.",
    )
    parser.add_argument("--site", action="append", default=[], metavar="NAME", help="crawl this site (repeatable)")
    parser.add_argument("--all", action="store_true", help="crawl every site in the config")
    parser.add_argument("--full", action="store_true", help="fetch every report again, ignoring what is stored")
    parser.add_argument("--no-alerts", action="store_true", help="do not queue or send alert e-mails")
    parser.add_argument("--demo", action="store_true", help="crawl a bundled fixture portal on 127.0.0.1")
    parser.add_argument("--demo-reports", type=int, default=120, metavar="N", help=argparse.SUPPRESS)
    _common(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("parse", help="parse report files (.html/.htm/.txt) and check them")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="print the JSON form (a list when several files)")
    p.add_argument("--records", action="store_true", help="print the normalised text records")
    p.add_argument("--content", metavar="CSS", help="read only this content area of HTML pages (a site's content key)")
    p.set_defaults(func=_parse_cmd)

    p = sub.add_parser("findings", help="list open findings")
    p.add_argument("--site")
    p.add_argument("--severity", choices=["error", "warning"])
    _common(p)
    p.set_defaults(func=_findings_cmd)

    p = sub.add_parser("search", help="full-text search over stored reports")
    p.add_argument("query")
    p.add_argument("--site")
    _common(p)
    p.set_defaults(func=_search_cmd)

    p = sub.add_parser("ingest", help="store local report files through the same path as crawled ones")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--site", default="local", help="site name to file them under (default: local)")
    _common(p)
    p.set_defaults(func=_ingest_cmd)

    p = sub.add_parser("ack", help="silence one finding on purpose (by its fingerprint)")
    p.add_argument("fingerprint")
    _common(p)
    p.set_defaults(func=_ack_cmd)

    p = sub.add_parser("alerts", help="queue what is new in the store and deliver every queued alert")
    _common(p)
    p.set_defaults(func=_alerts_cmd)

    p = sub.add_parser("schedule", help="run in the foreground, crawling each site on its schedule")
    p.add_argument("--site", action="append", default=[], help="only these sites (default: all)")
    _common(p)
    p.set_defaults(func=_schedule_cmd)

    p = sub.add_parser("status", help="each site's next scheduled run and last crawl result")
    _common(p)
    p.set_defaults(func=_status_cmd)

    p = sub.add_parser("browse", help="browse the store in Datasette (reports, findings, canned queries)")
    p.add_argument("--port", type=int, default=8001)
    p.add_argument("--open", action="store_true", help="open it in a web browser")
    _common(p)
    p.set_defaults(func=_browse_cmd)

    p = sub.add_parser("export", help="export reports as JSON, or cells and findings as CSV")
    p.add_argument("--format", choices=["json", "csv"], default="json")
    p.add_argument("--site")
    p.add_argument("--year", type=int)
    p.add_argument("--out", help="file (json) or folder (csv); default: stdout / current folder")
    _common(p)
    p.set_defaults(func=_export_cmd)

    p = sub.add_parser("new-site", help="start a portal: its [sites.NAME] block, tests/files/NAME/, a crawl test")
    p.add_argument("key", metavar="NAME", help="the site's name in config.toml (lower-case letters, digits, _)")
    p.add_argument("--name", required=True, help="the agency, e.g. 北京市某某区人民政府")
    p.add_argument("--start-url", required=True, metavar="URL", help="the portal's annual-report list page")
    p.add_argument("--domain", action="append", default=[], metavar="HOST", help="allowed host (default: the URL's)")
    p.add_argument("--tests", metavar="DIR", help="the tests folder to write into (default: this checkout's tests/)")
    p.add_argument("--config", default=argparse.SUPPRESS, help="config file to add the site to (default: config.toml)")
    p.set_defaults(func=_new_site_cmd)
    return parser


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", default=argparse.SUPPRESS, help="config file (default: the bundled config.toml)")
    p.add_argument("--db", default=argparse.SUPPRESS, help="SQLite database (default: [storage] path)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.config = getattr(args, "config", None)
    args.db = getattr(args, "db", None)
    if not getattr(args, "func", None):
        if args.demo:
            args.func = _demo_cmd
        elif args.site or args.all:
            args.func = _crawl_cmd
        else:
            parser.print_help(sys.stderr)
            return 2
    output.configure(LOG_LEVEL, timestamps=args.func is _schedule_cmd)  # modules log; these handlers show it
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"crawl: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("crawl: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except (sqlite3.Error, OSError, StoreError) as exc:
        # A database that is not one or is newer than this code, an unwritable --out, ...
        db = getattr(args, "db_path", None)
        where = f"{db}: " if isinstance(exc, sqlite3.Error) and db else ""
        print(f"crawl: {where}{' '.join(str(exc).split()) or type(exc).__name__}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
