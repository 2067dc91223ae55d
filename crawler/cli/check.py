"""`crawl check SITE`: what a crawl of the site would take, printed (first contact with a portal)."""

from __future__ import annotations

import argparse
from pathlib import Path

from crawler.cli.options import common_options
from crawler.config import load_config
from parsers.extract import NOT_REPORT_TITLE
from parsers.metadata import read_title
from parsers.model import Report
from spiders.check import CheckLog
from spiders.links import LinkKind


def check_cmd(args: argparse.Namespace) -> int:
    from crawler.check import dry_run, save_pages

    config = load_config(args.config)
    site = config.site(args.key)  # an unknown site: one line
    reports = args.reports if args.reports is not None else (3 if args.save else 0)
    print(f"check {site.key} ({site.name}): a dry run, storing nothing", flush=True)
    log = dry_run(config, site.key, reports)
    for line in describe(log, site.content, args.all_links):
        print(line)
    if args.save:
        written = save_pages(log, Path(args.save))
        print(f"saved {len(written)} pages in {args.save}/ (each at its URL's path)")
    return 0 if any(link.kind == LinkKind.REPORT for link, _ in log.links.values()) else 1


def describe(log: CheckLog, content: str | None, all_links: bool = False) -> list[str]:  # long because one line a fact
    lines = [_robots(log)]
    lines.append(
        f"content area: {content}{_content_seen(log)}" if content else "content area: not set (the whole page is read)"
    )
    for column, moved_from in log.columns.items():
        instead = f" in place of {moved_from}" if moved_from else ""
        lines.append(f"report column found from the home page: {column}{instead}")
    lines.append(f"list pages followed ({len(log.list_pages)}):")
    lines += [f"  {url}  ({why})" for url, why in log.list_pages.items()]
    links = [(link, page) for link, page in log.links.values()]
    reports = [link for link, _ in links if link.kind == LinkKind.REPORT]
    lines.append(f"report links ({len(reports)}):")
    for link in reports:
        report = Report()
        if link.text:
            read_title(report, link.text)
        year, agency = report.year or "????", report.agency or "(agency not in the link text)"
        note = "  FORBIDDEN by robots.txt" if link.url in log.forbidden else ""
        if NOT_REPORT_TITLE.search(link.text):  # by its URL a report page; the page itself will tell
            year, agency, note = year, f"“{link.text[:40]}”", note + "  (its text names a 解读 or notice)"
        lines.append(f"  {year}  {agency}  {link.url}  ({link.why}){note}")
    files = [link for link, _ in links if link.kind == LinkKind.FILE_REPORT]
    if files:
        lines.append(f"reports listed as files ({len(files)}), fetched and read by a crawl:")
        lines += [f"  {link.text}  {link.url}" for link in files]
    skipped = [link for link, _ in links if link.kind == LinkKind.SKIPPED]
    others = [link for link in skipped if link.why == "neither a report nor a list page"]
    shown = skipped if all_links else [link for link in skipped if link not in others]
    lines.append(f"links not followed ({len(skipped)}):")
    lines += [f"  {link.url}  “{link.text[:60]}” — {link.why}" for link in shown]
    if others and not all_links:
        lines.append(f"  … and {len(others)} links that are neither a report nor a list page (--all-links shows them)")
    if log.failures:
        lines.append(f"failed ({len(log.failures)}):")
        lines += [f"  {url}: {why}" for url, why in log.failures.items()]
    if log.probes:
        lines.append(f"probes: a crawl would also ask for {log.probes} unit × year URLs (probe_url)")
    allowed = sum(link.url not in log.forbidden for link in reports)
    lines.append(f"a crawl would fetch {allowed} report pages from {len(log.list_pages)} list pages")
    return lines


def _robots(log: CheckLog) -> str:
    if log.robots is None:
        return f"robots.txt: none at {log.robots_url} (everything allowed)"
    if log.forbidden and not log.list_pages:
        return f"robots.txt: {log.robots_url} forbids the list pages: the portal does not allow crawling"
    if log.forbidden:
        return f"robots.txt: {log.robots_url} forbids {len(log.forbidden)} of the pages a crawl would ask for"
    return f"robots.txt: {log.robots_url} allows every page a crawl would ask for"


def _content_seen(log: CheckLog) -> str:
    if not log.content_found:
        return " (not tried: no report page fetched; --reports N fetches some)"
    found = sum(log.content_found.values())
    return f" (found on {found} of {len(log.content_found)} report pages fetched)"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="dry run: what a crawl of SITE would take (list pages, report links, robots.txt)")
    p.add_argument("key", metavar="SITE", help="a site of the config")
    p.add_argument(
        "--save", metavar="DIR", help="keep the fetched pages in DIR, each at its URL's path (test fixtures)"
    )
    p.add_argument(
        "--reports", type=int, metavar="N", help="also fetch the first N report pages (default 0; 3 with --save)"
    )
    p.add_argument("--all-links", action="store_true", help="print every link not followed, menus included")
    common_options(p)
    p.set_defaults(func=check_cmd)
