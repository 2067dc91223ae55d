"""`crawl` commands that crawl, schedule and alert: the crawl itself, --demo, schedule, status, alerts, new-site."""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

from common.constants import RunStatus
from crawler.cli.options import common_options, config_and_db, existing_db
from crawler.cli.show import local
from crawler.config import ENV_CONFIG, STARTER, Config, load_config


def crawl(args: argparse.Namespace) -> int:
    from crawler.run import crawl_sites, format_summary

    config, db_path = config_and_db(args)
    sites = sorted(config.sites) if args.all else list(dict.fromkeys(args.site))
    for key in sites:
        config.site(key)  # unknown site: one clear line
    print(f"crawling {', '.join(sites)} into {db_path}", flush=True)
    results = crawl_sites(config, sites, db_path, full=args.full, overrides=_progress())
    print(format_summary(results, _open_counts(db_path, sites)))
    interrupted = any(r.status == RunStatus.INTERRUPTED for r in results)
    # stopped by Ctrl-C/SIGTERM: stop now; the next crawl alerts
    undelivered = 0 if args.no_alerts or interrupted else _alert(config, db_path, sites)
    return 0 if all(r.status == RunStatus.OK for r in results) and not undelivered else 1


def _progress() -> dict[str, bool]:
    """Scrapy settings: the live progress line when stdout is a terminal (crawler.output)."""
    from crawler import output

    return {"NIANBAO_PROGRESS": output.live()}


def _open_counts(db_path: Path, sites: list[str]) -> dict[str, Counter[str]]:
    """Each site's open findings by severity, for the summary's "open in all"."""
    from storage.store import Store

    if not db_path.exists():
        return {}
    store = Store(db_path)
    try:
        return {site: Counter(f["severity"] for f in store.findings.open(site)) for site in sites}
    finally:
        store.close()


def _alert(config: Config, db_path: Path, sites: list[str]) -> int:
    """Queue this crawl's digest and deliver everything queued (earlier failures too)."""
    from alerts.deliver import after_crawl
    from alerts.senders import sender_for
    from storage.alert_status import waiting
    from storage.store import Store

    store = Store(db_path)
    try:
        queued, sent, failed = after_crawl(store, config, sites)
        left = waiting(store) if failed else []
    finally:
        store.close()
    where = sender_for(config).where
    print(f"alerts: {len(queued)} digest(s) queued, {sent} sent to {where}, {failed} kept for retry", flush=True)
    for alert in left:  # the reason is the user's to see, not only a database column's
        print(f"crawl: alert {alert['id']} not delivered to {where}: {alert['last_error']} "
              f"(attempt {alert['attempts']}; kept for retry)", file=sys.stderr)  # fmt: skip
    return failed


def schedule(args: argparse.Namespace) -> int:
    from crawler.scheduler import serve

    config, db_path = config_and_db(args)
    sites = list(dict.fromkeys(args.site)) or sorted(config.sites)
    for key in sites:
        config.site(key)
    print(f"crawl schedule: {', '.join(sites)} -> {db_path} (Ctrl-C or SIGTERM stops)", flush=True)
    return serve(config, db_path, sites)


def _status_cmd(args: argparse.Namespace) -> int:
    from crawler.scheduler import status

    config, db_path = existing_db(args)  # status reads; it does not create a database
    sites = status(config, db_path)
    for s in sites:
        c = s["last_counts"]
        counts = f" ({c.get('new', 0)} new, {c.get('changed', 0)} changed, {c.get('failed', 0)} failed)" if c else ""
        print(f"{s['site']:12} next run {local(s['next_run']):23} last: {s['last_status']} "
              f"{local(s['last_started'])}{counts}")  # fmt: skip
    print(_queue_line(db_path, [s["next_run"] for s in sites]))
    return 0


def _queue_line(db_path: Path, next_runs: list[str]) -> str:
    """The alert queue: how many digests wait, the last error, and when they are tried again."""
    from storage.alert_status import waiting
    from storage.store import Store

    store = Store(db_path, readonly=True)  # status reads: it works on a read-only file system
    try:
        left = waiting(store)
    finally:
        store.close()
    if not left:
        return "alerts: none waiting"
    errors = [a["last_error"] for a in left if a["last_error"]]
    runs = sorted(r for r in next_runs if r[:1].isdigit())
    when = (
        f"with the next crawl ({local(runs[0])}) or `crawl alerts`" if runs else "with the next crawl or `crawl alerts`"
    )
    last = f"; last error: {errors[-1]}" if errors else ""
    return f"alerts: {len(left)} waiting since {local(left[0]['created'])}{last}; next try: {when}"


def _alerts_cmd(args: argparse.Namespace) -> int:
    if args.test:
        return _alerts_test(args)
    config, db_path = existing_db(args)
    return 1 if _alert(config, db_path, sorted(config.sites)) else 0


def _alerts_test(args: argparse.Namespace) -> int:
    """A test message through every configured channel; exit 1 when one did not take it."""
    from alerts.probe import send_test

    outcomes = send_test(load_config(args.config))
    for o in outcomes:
        to = ", ".join(o.recipients)
        if o.error:
            print(f"crawl: {o.channel} {o.where}: test message to {to} NOT sent: {o.error}", file=sys.stderr)
        else:
            print(f"{o.channel} {o.where}: test message to {to} sent")
    return 1 if any(o.error for o in outcomes) else 0


def _demo_config(args: argparse.Namespace) -> Config:
    """--config (or $NIANBAO_CONFIG) when given; else none is needed: the shipped one, as if in the current directory."""
    from dataclasses import replace

    if args.config or os.environ.get(ENV_CONFIG):
        return load_config(args.config)
    return replace(load_config(STARTER), path=Path.cwd() / "config.toml")


def demo(args: argparse.Namespace) -> int:
    """The whole pipeline without the internet: a fixture portal on 127.0.0.1, crawled,
    checked, stored in data/demo.db (under the current directory, or the --config file's), the alert
    digest written to the outbox beside it."""
    from dataclasses import replace

    from crawler.config import Site
    from crawler.run import crawl_sites, format_summary
    from fixture_portal import PortalServer, demo_site

    config = _demo_config(args)
    db_path = args.db_path = Path(args.db) if args.db else config.resolve("data/demo.db")
    site = demo_site("xicheng", n=args.demo_reports, broken_every=25)
    with PortalServer(site) as server:
        start = server.url(site.start_path)
        print(f"demo portal with {len(site.expected)} reports at {start}", flush=True)
        # The shipped Xicheng profile's URL patterns (the portal mimics bjxch.gov.cn), nothing that
        # reaches the real portal (its start page, probes).
        shipped = load_config(STARTER).sites["xicheng"]
        profile = Site(key="xicheng", name="西城区 (demo portal)", start_urls=[start], allowed_domains=["127.0.0.1"],
                       report_patterns=shipped.report_patterns, list_patterns=shipped.list_patterns,
                       url_year=shipped.url_year)  # fmt: skip
        alerts = {**config.alerts, "outbox": str(db_path.parent / "outbox")}  # beside the database it is about
        demo = replace(config, sites={"xicheng": profile}, alerts=alerts,
                       crawl={**config.crawl, "concurrent_per_site": 8, "start_delay": 0})  # fmt: skip
        print(f"crawling it into {db_path}", flush=True)
        results = crawl_sites(demo, ["xicheng"], db_path, full=args.full, overrides=_progress())
    print(format_summary(results, _open_counts(db_path, ["xicheng"])))
    undelivered = 0 if args.no_alerts else _alert(demo, db_path, ["xicheng"])
    print(f"next: crawl findings --db {db_path}   ·   crawl search 行政复议 --db {db_path}")
    return 0 if all(r.status == RunStatus.OK for r in results) and not undelivered else 1


def _new_site_cmd(args: argparse.Namespace) -> int:
    from crawler.scaffold import new_site, site_of

    site = site_of(args.key, args.name, args.start_url, args.domain)
    for path in new_site(site, args.config, args.tests):
        print(f"wrote {path}")
    print(f"next: save the portal's pages in tests/files/{site.key}/ (its README.md says how), then "
          f"pytest tests/spiders/test_crawl_{site.key}.py")  # fmt: skip
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add these commands to the `crawl` parser."""
    p = sub.add_parser("alerts", help="queue what is new in the store and deliver every queued alert")
    p.add_argument("--test", action="store_true", help="send a test message through every configured channel")
    common_options(p)
    p.set_defaults(func=_alerts_cmd)

    p = sub.add_parser("schedule", help="run in the foreground, crawling each site on its schedule")
    p.add_argument("--site", action="append", default=[], help="only these sites (default: all)")
    common_options(p)
    p.set_defaults(func=schedule)

    p = sub.add_parser("status", help="each site's next scheduled run and last crawl result")
    common_options(p)
    p.set_defaults(func=_status_cmd)

    p = sub.add_parser("new-site", help="start a portal: its [sites.NAME] block, tests/files/NAME/, a crawl test")
    p.add_argument("key", metavar="NAME", help="the site's name in config.toml (lower-case letters, digits, _)")
    p.add_argument("--name", required=True, help="the agency, e.g. 北京市某某区人民政府")
    p.add_argument("--start-url", required=True, metavar="URL", help="the portal's annual-report list page")
    p.add_argument("--domain", action="append", default=[], metavar="HOST", help="allowed host (default: the URL's)")
    p.add_argument("--tests", metavar="DIR", help="the tests folder to write into (default: this checkout's tests/)")
    p.add_argument("--config", default=argparse.SUPPRESS, help="config file to add the site to (default: config.toml)")
    p.set_defaults(func=_new_site_cmd)
