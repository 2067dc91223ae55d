"""URL tests shared by the spider and the downloader middlewares."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit


def host_allowed(url: str, domains: Iterable[str]) -> bool:
    """True when the URL's host is one of the domains or a subdomain of one."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:  # a malformed URL (http://[::1) is on no allowed host
        return False
    return any(host == d or host.endswith("." + d) for d in (d.lower() for d in domains))
