"""URL tests shared by the spider and the downloader middlewares."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

ATTACHMENT = re.compile(r"\.(pdf|docx?|wps|xlsx?)$", re.I)


def host_allowed(url: str, domains: Iterable[str]) -> bool:
    """True when the URL's host is one of the domains or a subdomain of one."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:  # a malformed URL (http://[::1) is on no allowed host
        return False
    return any(host == d or host.endswith("." + d) for d in (d.lower() for d in domains))


_DEFAULT_PORTS = {"http": 80, "https": 443}
_MALFORMED = -1


def server_port(url: str) -> int | None:
    """The port a URL names, None when it is its scheme's default (http://h, http://h:80 and
    https://h are the portal's own web server: portals link both schemes); -1 if malformed."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port out of range, a malformed host
        return _MALFORMED
    return None if port is None or port == _DEFAULT_PORTS.get(parts.scheme.lower()) else port


def start_ports(start_urls: Iterable[str]) -> set[int | None]:
    """The ports an allowed host is crawled on: its start URLs' (None: the default ones)."""
    return {server_port(u) for u in start_urls}


def link_refused(url: str, domains: Iterable[str], ports: set[int | None]) -> str | None:
    """Why a link is not followed for being off the site, or None when it is on it: its host is
    one of `domains` (or a subdomain) and its port one of `ports` (any, when empty). Another port
    of an allowed host is another server (an admin console, a test copy), not the portal."""
    if not host_allowed(url, domains):
        return "off the site's hosts"
    if ports and server_port(url) not in ports:
        return "another port than the start URLs'"
    return None


def origin(url: str) -> tuple[str, int | None]:
    """(scheme, port) of a URL, the port made explicit (("https", 443)); ("", None) if malformed."""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        return scheme, parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:  # a port out of range, a malformed host
        return "", None


def start_origins(start_urls: Iterable[str]) -> set[tuple[str, int | None]]:
    """The (scheme, port) pairs an allowed host is crawled with: its start URLs'. An http start
    URL on port 80 allows https on 443 too: portals move to https by redirecting every page."""
    found = {origin(u) for u in start_urls}
    return found | ({("https", 443)} if ("http", 80) in found else set())


def redirect_refused(url: str, target: str, domains: Iterable[str], origins: set[tuple[str, int | None]]) -> str | None:
    """Why a redirect (or meta refresh) from `url` to `target` is not followed, or None when it is:
    another host, another scheme or port of an allowed host (another server), or back to itself."""
    if not host_allowed(target, domains):
        return f"redirect off site to {target}"
    if origins and origin(target) not in origins:
        return f"redirect to another port or scheme than the start URLs': {target}"
    if target == url:
        return f"redirect loop: {url} redirects to itself"
    return None


def attachment_urls(page_url: str, hrefs: Iterable[str]) -> list[str]:
    """The links of a report page to its attachments (.pdf .doc .docx .wps .xls .xlsx), absolute, once each."""
    found = (urljoin(page_url, href) for href in hrefs if ATTACHMENT.search(urlsplit(href).path))
    return list(dict.fromkeys(found))
