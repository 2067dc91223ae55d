"""`crawl`: the command-line entry point, and the one output layer that prints. User mistakes get
one line on stderr, no traceback. The commands live in `reading` (files and the store) and `running`
(crawls, the schedule, alerts)."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Sequence

from crawler import output
from crawler.cli import check, reading, running, setup
from crawler.cli.options import common_options
from crawler.config import ConfigError
from crawler.settings import LOG_LEVEL
from storage.errors import StoreError


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nianbao")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


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
    parser.add_argument("--version", action="version", version=f"%(prog)s (nianbao) {_version()}")
    parser.add_argument("--demo-reports", type=int, default=120, metavar="N", help=argparse.SUPPRESS)
    common_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    reading.register(sub)
    running.register(sub)
    setup.register(sub)
    check.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    streams = sys.stdout, sys.stderr  # what is printed holds page text: no control may reach a terminal
    sys.stdout, sys.stderr = output.CleanStream(sys.stdout), output.CleanStream(sys.stderr)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = streams


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.config = getattr(args, "config", None)
    args.db = getattr(args, "db", None)
    if not getattr(args, "func", None):
        if args.demo:
            args.func = running.demo
        elif args.site or args.all:
            args.func = running.crawl
        else:
            parser.print_help(sys.stderr)
            return 2
    output.configure(LOG_LEVEL, timestamps=args.func is running.schedule)  # modules log; these handlers show it
    try:
        return args.func(args)
    except ConfigError as exc:
        for line in exc.lines:  # every problem of a config, one line each
            print(f"crawl: {line}", file=sys.stderr)
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
