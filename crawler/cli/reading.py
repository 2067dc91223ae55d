"""`crawl` commands over report files and the store: parse, ingest, findings, search, export, browse, ack, confirm."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from checks.assess import JUDGE, assess_report
from common.constants import Severity
from crawler.cli.options import common_options, config_and_db, existing_db, open_store
from crawler.cli.show import local
from crawler.config import Config, ConfigError
from crawler.report_text import ocr_state
from parsers.errors import ParseError
from parsers.html import css_to_xpath
from parsers.load import parse_path
from parsers.ocr import OcrOptions

if TYPE_CHECKING:
    from storage.store import Store


def _parse_cmd(args: argparse.Namespace) -> int:
    failures = errors = 0
    outputs = []
    content = None
    if args.content is not None:
        try:
            content = css_to_xpath(args.content)
        except ValueError as exc:
            raise ConfigError(f"--content: {exc}") from None
    for name in args.files:
        try:
            parsed = parse_path(name, content, ocr=OcrOptions(enabled=args.ocr))
        except ParseError as exc:
            failures += 1
            print(f"crawl parse: {name}: {exc}", file=sys.stderr)
            continue
        parsed.report.findings = assess_report(parsed.report)
        errors += any(f.severity == Severity.ERROR for f in parsed.report.findings)
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
    return 1 if failures or errors else 0


def _summary(name, report):
    from crawler.report_text import summary

    return summary(name, report)


def _findings_cmd(args: argparse.Namespace) -> int:
    store = open_store(args, readonly=True)
    rows = store.findings.open(args.site, args.severity)
    for r in rows:
        print(f"{r['severity']:7} {r['rule']:18} {r['agency']} {r['year']} @ {r['where_']}: {r['message']}")
        acked = f"  acknowledged: not alerted (crawl ack --undo {r['fingerprint']})" if r["acknowledged"] else ""
        print(f"        {r['url']}  [{r['fingerprint']}]  since {local(r['first_seen'])}{acked}")
        if r["home_site"] != r["site"]:  # a copy the site carries: the report's own site and page
            print(f"        {_home(r)}")
        source = json.loads(r["source"] or "null") or {}
        if source.get("method") == "ocr":  # whether a person confirmed the numbers it rests on
            print(f"        {ocr_state(source).split(' (its errors')[0]}  (report {r['report_id']}: "
                  f"crawl confirm {'--undo ' if source.get('confirmed') else ''}{r['report_id']})")  # fmt: skip
    acked = sum(bool(r["acknowledged"]) for r in rows)
    print(f"{len(rows)} open finding(s)" + (f", {acked} acknowledged" if acked else ""))
    return 0


def _search_cmd(args: argparse.Namespace) -> int:
    store = open_store(args, readonly=True)
    rows = store.text.search(args.query, args.site, args.limit, args.offset)
    for r in rows:
        snippet = " ".join((r["snippet"] or "").split())
        print(f"{r['site']:10} {r['year']} {r['agency']}: {snippet}\n           {r['url']}")
        if r["home_site"] != r["site"]:
            print(f"           {_home(r)}")
    total = store.text.count(args.query, args.site) if rows or args.offset else 0
    if rows and (args.offset or total > len(rows)):  # a page of the results: say which, and how to go on
        last = args.offset + len(rows)
        more = f"; --offset {last} for the next" if total > last else ""
        print(f"reports {args.offset + 1}-{last} of {total}{more}")
    else:
        print(f"{total} report(s)")
    return 0


def _home(row: dict) -> str:
    """Where a report a site carries as a copy was first published: its home site and page there."""
    return f"首发：{row['home_site']} {row['home_url']}"


def _ingest_cmd(args: argparse.Namespace) -> int:
    from storage.store import Store

    config, db_path = config_and_db(args)
    store = Store(db_path, verify=True)  # a damaged database: one line, nothing written
    ocr = OcrOptions(enabled=args.ocr or bool(config.crawl.get("ocr", False)))
    failures = 0
    try:
        failures = _ingest(store, args, ocr)
    finally:
        store.close()  # also brings the search index up to date
    return 1 if failures else 0


def _ingest(store: Store, args: argparse.Namespace, ocr: OcrOptions) -> int:
    failures = 0
    for name in args.files:
        try:
            parsed = parse_path(name, ocr=ocr)
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

    store = open_store(args, readonly=True)
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
    store = open_store(args)
    db_path = Path(store.path).resolve()
    store.close()  # brings the full-text index up to date
    cmd = [sys.executable, "-m", "datasette", "serve", str(db_path), "--port", str(args.port)]
    cmd += ["--open"] if args.open else []
    # The plugin (web/, the `nianbao` datasette entry point) adds the pages in Chinese.
    print(
        f"网页：http://127.0.0.1:{args.port}/-/agency（机关一览）、/-/search（搜索）、/-/site/站点名、/-/report/编号",
        flush=True,
    )
    config, _ = config_and_db(args)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "metadata.json").write_text(json.dumps(browse_metadata(config, db_path), ensure_ascii=False),
                                                 encoding="utf-8")  # fmt: skip
        return subprocess.call([*cmd, "--metadata", str(Path(tmp) / "metadata.json")])


def browse_metadata(config: Config, db_path: Path) -> dict:
    """Datasette's metadata for `crawl browse`: datasette/metadata.json (titles, facets, canned
    queries), its queries filed under the database's name (Datasette names it after the file),
    and the sites' names for the plugin's pages (西城区 rather than xicheng)."""
    source = Path(__file__).resolve().parents[2] / "datasette" / "metadata.json"
    metadata = json.loads(source.read_text(encoding="utf-8")) if source.exists() else {}
    if "databases" in metadata:
        metadata["databases"] = {db_path.stem: metadata["databases"]["nianbao"]}
    names = {key: site.name for key, site in config.sites.items() if site.name}
    metadata.setdefault("plugins", {}).setdefault("nianbao", {})["site_names"] = names
    return metadata


def _ack_cmd(args: argparse.Namespace) -> int:
    store = open_store(args)
    n = store.findings.acknowledge(args.fingerprint, undo=args.undo)
    if not n:
        print(f"crawl ack: no finding with fingerprint {args.fingerprint}", file=sys.stderr)
        return 1
    if args.undo:
        print(f"acknowledgement of {args.fingerprint} undone: it is alerted again while open")
    else:
        print(f"acknowledged {args.fingerprint}: it will not be alerted (crawl ack --undo {args.fingerprint})")
    return 0


def _confirm_cmd(args: argparse.Namespace) -> int:
    """A person confirms the OCR'd numbers of a report's current version (or takes that back): the
    store records it and has the rules assess the report again (checks.assess through its Judge)."""
    store = open_store(args)
    try:
        data = store.reports.current_json(args.report_id)
        source = (data or {}).get("source") or {}
        if data is None:
            print(f"crawl confirm: no report {args.report_id}", file=sys.stderr)
            return 1
        if source.get("method") != "ocr":
            print(f"crawl confirm: report {args.report_id} was not read by OCR: its numbers need no confirming",
                  file=sys.stderr)  # fmt: skip
            return 1
        if args.undo and not source.get("confirmed"):
            print(f"crawl confirm: the numbers of report {args.report_id} are not confirmed", file=sys.stderr)
            return 1
        done = store.confirm(args.report_id, JUDGE, by=None if args.undo else (args.by or _who()), undo=args.undo)
        assert done is not None
        errors = sum(f["severity"] == Severity.ERROR for f in store.findings.open() if f["report_id"] == args.report_id)
    finally:
        store.close()
    print(f"report {args.report_id} ({data.get('agency')} {data.get('year')}): {ocr_state(done.source or {})}")
    if args.undo:
        print(f"confirmation taken back: its errors are warnings again ({errors} open error(s))")
    else:
        print(f"{errors} open error(s); they are alerted as errors (crawl confirm --undo {args.report_id})")
    return 0


def _who() -> str | None:
    """Who confirms at this terminal: the login name, where the system knows one."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None


def _doctor_cmd(args: argparse.Namespace) -> int:
    """The full check (indexes too) that writing commands skip for its time: StoreError if damaged."""
    from storage.db import check
    from storage.store import Store

    store = Store(existing_db(args)[1], readonly=True)
    try:
        check(store.db, store.path)
    finally:
        store.close()
    print(f"{store.path}: ok (integrity_check)")
    return 0


_OCR_HELP = "read scanned PDFs and page images by OCR (pip install 'nianbao[ocr]'; seconds a page)"


def register(sub: argparse._SubParsersAction) -> None:
    """Add these commands to the `crawl` parser."""
    # long because it is a list: each command's parser and options, one after another
    p = sub.add_parser(
        "parse",
        help="parse report files (.html/.txt, .pdf/.docx/.doc/.wps/.xls(x), scans and images) and check them",
        description="Parse report files and check them. Exit status: 0 when every file is a report without "
        "errors, 1 when a file is not a report or a report has an error finding.",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="print the JSON form (a list when several files)")
    p.add_argument("--records", action="store_true", help="print the normalised text records")
    p.add_argument("--content", metavar="CSS", help="read only this content area of HTML pages (a site's content key)")
    p.add_argument("--ocr", action="store_true", help=_OCR_HELP)
    p.set_defaults(func=_parse_cmd)

    p = sub.add_parser("findings", help="list open findings")
    p.add_argument("--site")
    p.add_argument("--severity", choices=["error", "warning"])
    common_options(p)
    p.set_defaults(func=_findings_cmd)

    p = sub.add_parser("search", help="full-text search over stored reports")
    p.add_argument("query")
    p.add_argument("--site")
    p.add_argument("--limit", type=int, default=50, help="reports per page (default 50)")
    p.add_argument("--offset", type=int, default=0, help="skip this many (the next page: --offset 50)")
    common_options(p)
    p.set_defaults(func=_search_cmd)

    p = sub.add_parser("ingest", help="store local report files through the same path as crawled ones")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--site", default="local", help="site name to file them under (default: local)")
    p.add_argument("--ocr", action="store_true", help=_OCR_HELP + " (also: [crawl] ocr = true)")
    common_options(p)
    p.set_defaults(func=_ingest_cmd)

    p = sub.add_parser("export", help="export reports as JSON, or cells and findings as CSV or an .xlsx workbook")
    p.add_argument("--format", choices=["json", "csv", "xlsx"], default="json")
    p.add_argument("--site")
    p.add_argument("--year", type=int)
    p.add_argument("--out", help="file (json, xlsx) or folder (csv, xlsx: nianbao.xlsx in it); default: stdout / current folder")
    common_options(p)
    p.set_defaults(func=_export_cmd)

    p = sub.add_parser("browse", help="browse the store in Datasette (reports, findings, canned queries)")
    p.add_argument("--port", type=int, default=8001)
    p.add_argument("--open", action="store_true", help="open it in a web browser")
    common_options(p)
    p.set_defaults(func=_browse_cmd)

    p = sub.add_parser("doctor", help="check the whole database file (SQLite's integrity_check)")
    common_options(p)
    p.set_defaults(func=_doctor_cmd)

    p = sub.add_parser("confirm", help="confirm the numbers OCR read of a report (its errors are errors again)")
    p.add_argument("report_id", type=int, metavar="REPORT_ID")
    p.add_argument("--undo", action="store_true", help="take the confirmation back")
    p.add_argument("--by", metavar="NAME", help="who confirms (default: the login name)")
    common_options(p)
    p.set_defaults(func=_confirm_cmd)

    p = sub.add_parser("ack", help="silence one finding on purpose (by its fingerprint)")
    p.add_argument("fingerprint")
    p.add_argument("--undo", action="store_true", help="take the acknowledgement back")
    common_options(p)
    p.set_defaults(func=_ack_cmd)
