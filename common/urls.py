"""Where the web view (`crawl browse`, web/) shows things: the paths the digest links to and the
web view serves, in one place. `base` is `[web] base_url` of config.toml; no base, no link."""

from __future__ import annotations

REPORT = "/-/report/{report_id}"
ACK = "/-/ack/{fingerprint}"
AGENCY = "/-/agency"  # ?name=
SITE = "/-/site/{site}"


def report_page(base: str | None, report_id: int | None) -> str:
    return f"{base.rstrip('/')}{REPORT.format(report_id=report_id)}" if base and report_id is not None else ""


def ack_page(base: str | None, fingerprint: str) -> str:
    return f"{base.rstrip('/')}{ACK.format(fingerprint=fingerprint)}" if base and fingerprint else ""
