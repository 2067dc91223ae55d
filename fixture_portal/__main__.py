"""Serve a fixture portal until interrupted: python -m fixture_portal [--site xicheng] [--reports 2000]."""

from __future__ import annotations

import argparse
import sys
import time

from fixture_portal import PortalServer, demo_site, dongcheng_site, xicheng_site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fixture_portal", description=__doc__)
    parser.add_argument("--site", choices=("xicheng", "dongcheng"), default="xicheng")
    parser.add_argument("--reports", type=int, default=2000, help="synthetic reports (default 2000)")
    parser.add_argument("--traps", action="store_true", help="the test fixture: 404, 500, hang, redirect … pages")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    if args.traps:
        site = (xicheng_site if args.site == "xicheng" else dongcheng_site)(args.reports)
    else:
        site = demo_site(args.site, args.reports)
    with PortalServer(site, port=args.port) as portal:
        print(f"{site.name}: {len(site.reports)} reports, {len(site)} paths", file=sys.stderr)
        print(portal.url(site.start_path), flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
