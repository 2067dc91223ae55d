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


def attachment_urls(page_url: str, hrefs: Iterable[str]) -> list[str]:
    """The links of a report page to its attachments (.pdf .doc .docx .wps .xls .xlsx), absolute, once each."""
    found = (urljoin(page_url, href) for href in hrefs if ATTACHMENT.search(urlsplit(href).path))
    return list(dict.fromkeys(found))
