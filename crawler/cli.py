"""`crawl`: the command-line entry point. User mistakes get one line on stderr, no traceback."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from parsers.errors import ParseError
from parsers.load import parse_path


def _parse_cmd(args: argparse.Namespace) -> int:
    failures = 0
    outputs = []
    for name in args.files:
        try:
            parsed = parse_path(name)
        except ParseError as exc:
            failures += 1
            print(f"crawl parse: {name}: {exc}", file=sys.stderr)
            continue
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crawl",
        description="nianbao: find, parse and check government information-disclosure annual reports.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("parse", help="parse report files (.html/.htm/.txt) and check them")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="print the JSON form (a list when several files)")
    p.add_argument("--records", action="store_true", help="print the normalised text records")
    p.set_defaults(func=_parse_cmd)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("crawl: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
