"""The schema of config.toml in one place: every table, its keys, their checks and their defaults.

A new key is one line here (and the code that reads it). `check_tables` walks a parsed file
against it and returns every problem, one line each: an unknown table or key (with the known
name it most resembles), a wrong type, an address, URL, pattern, selector or cron line that is
not one. A check returns the value as the code reads it (a lone string becomes a list of one).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from common.constants import PORTAL_TZ
from spiders.limits import CrawlLimits

DEFAULT_FROM = "nianbao <nianbao@localhost>"


class Invalid(ValueError):
    """A value that fails its key's check; the message completes "KEY ..."."""


Check = Callable[[Any], Any]


@dataclass(frozen=True)
class Key:
    check: Check
    default: Any = None  # what the code uses when the key is absent (None: nothing / off)
    required: bool = False
    note: str = ""  # the default in words, when it is not one value (`crawl config` shows it)
    unless: str | None = None  # a required key that need not be given when this other key is


def _show(value: Any) -> str:
    return repr(value) if not isinstance(value, str) else f'"{value}"'


def number(*, whole: bool = False, positive: bool = False, maximum: float | None = None) -> Check:
    """A number (a whole one if `whole`), at least 0 (more than 0 if `positive`)."""

    def check(value: Any) -> Any:
        kinds = (int,) if whole else (int, float)
        ok = isinstance(value, kinds) and not isinstance(value, bool) and math.isfinite(value)
        if not ok or value < 0 or (positive and value == 0) or (maximum is not None and value > maximum):
            what = "whole number" if whole else "number"
            what = f"{what} > 0" if positive else f"{what} ≥ 0"
            what += f" and ≤ {maximum}" if maximum is not None else ""
            raise Invalid(f"must be a {what}, not {_show(value)}")
        return value

    return check


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"must be true or false, not {_show(value)}")
    return value


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(f"must be a string, not {_show(value)}")
    return value


def one_of(*choices: str) -> Check:
    def check(value: Any) -> str:
        if value not in choices:
            raise Invalid(f"must be one of {', '.join(choices)}, not {_show(value)}")
        return value

    return check


def strings(item: Check = text, *, required: bool = False) -> Check:
    """A list of strings (a lone string is a list of one), each passing `item`."""

    def check(value: Any) -> list[Any]:
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise Invalid(f"must be a list of strings, not {_show(value)}")
        if required and not value:
            raise Invalid("is required (a list of at least one)")
        return [item(v) for v in value]

    return check


def integers(value: Any) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise Invalid(f"must be a list of integers, not {_show(value)}")
    return value


def email(value: Any) -> str:
    """An e-mail address, optionally with a display name ("nianbao <a@b.org>"); syntax only, no DNS."""
    from email_validator import EmailNotValidError, validate_email

    address = parseaddr(text(value))[1]
    local, _, domain = address.rpartition("@")
    # nianbao@localhost is the default sender: a host name without a dot is fine for a local MTA.
    probe = f"{local}@example.org" if domain == "localhost" else address
    try:
        validate_email(probe, check_deliverability=False)
    except EmailNotValidError as exc:
        raise Invalid(f"must be an e-mail address, not {_show(value)} ({exc})") from None
    return value


def recipient(value: Any) -> str:
    """An e-mail address, or a channel URL such as dingtalk://TOKEN/ (alerts/channels.py)."""
    if re.match(r"[a-z][a-z0-9+.-]*://\S", text(value), re.IGNORECASE):
        return value
    return email(value)


def url(value: Any) -> str:
    parts = urlsplit(text(value))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid(f"must be an http(s) URL, not {_show(value)}")
    return value


def host(value: Any) -> str:
    """A host name or address, without scheme, path or port."""
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?", value):
        raise Invalid(f"must be a host name such as example.gov.cn (no scheme, path or port), not {_show(value)}")
    return value


def regex(value: Any) -> str:
    try:
        re.compile(text(value))
    except re.error as exc:
        raise Invalid(f"bad pattern {_show(value)}: {exc}") from None
    return value


def year_pattern(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(f"must be a pattern string, not {_show(value)}")
    if not re.compile(regex(value)).groups:
        raise Invalid('must be a pattern whose first group is the year, such as "/(\\d{4})nb/"')
    return value


def css(value: Any) -> str:
    from parsers.html import css_to_xpath

    try:
        css_to_xpath(text(value))
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    return value


def cron(value: Any) -> str:
    """A five-field crontab line (minute hour day month weekday), as APScheduler reads it."""
    if not isinstance(value, str):
        raise Invalid(f'must be a crontab string such as "0 6 * * *", not {_show(value)}')
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(value, timezone=PORTAL_TZ)
    except ValueError as exc:
        raise Invalid(f"bad cron expression {_show(value)}: {exc}") from None
    return value


def probe_url(value: Any) -> str:
    if not isinstance(value, str) or "{unit}" not in value or "{year}" not in value:
        raise Invalid("must be a URL with {unit} and {year} in it")
    return url(value)


def command(value: Any) -> list[str]:
    return strings(required=True)(value)


# How far one crawl may go (spiders.limits.CrawlLimits): in [crawl], and per site.
LIMIT_KEYS: dict[str, Key] = {
    name: Key(number(whole=name != "max_seconds", positive=True), getattr(CrawlLimits(), name))
    for name in CrawlLimits.names()
}

# table -> key -> Key. Defaults are those the reading code uses; `crawl config` shows them.
TABLES: dict[str, dict[str, Key]] = {
    "storage": {
        "path": Key(text, "data/nianbao.db"),
    },
    "crawl": {
        "user_agent": Key(text, "nianbao/0.1 (annual-report monitor; +https://github.com/nianbao/nianbao)"),
        "concurrent_per_site": Key(number(whole=True, positive=True), 2),
        "download_timeout": Key(number(positive=True), 30),
        "download_maxsize": Key(number(whole=True), 20_000_000),
        "retries": Key(number(whole=True), 3),
        "retry_backoff": Key(number(), 2.0),
        "obey_robots": Key(boolean, True),
        "start_delay": Key(number(), 1.0),
        "recheck_hours": Key(number(), 20.0),
        "parse_workers": Key(number(whole=True), note="one per core the crawl leaves, at most 4"),
        "file_maxsize": Key(number(whole=True), 30_000_000),
        "parse_seconds": Key(number(positive=True), 60.0),
        "parse_memory_mb": Key(number(whole=True, positive=True), 2048),
        "ocr": Key(boolean, False),  # scans and page images read by OCR (the `ocr` extra): seconds a page
        "ocr_page_seconds": Key(number(positive=True), 60.0),
        **LIMIT_KEYS,
    },
    "schedule": {
        "cron": Key(cron, "0 6 * 4-12 *"),
        "busy_cron": Key(cron, "0 */6 * 1-3 *"),
        "interval_hours": Key(number(positive=True)),
        "interval_seconds": Key(number(positive=True)),
        "crawl_timeout": Key(number(positive=True), 3 * 3600),
        "misfire_grace_seconds": Key(number(positive=True), 12 * 3600),
        "watchdog_seconds": Key(number(positive=True), 3600),
        "command": Key(command),
    },
    "alerts": {
        "outbox": Key(text, "data/outbox"),
        "recipients": Key(strings(recipient), []),
        "language": Key(one_of("zh", "en"), "zh"),  # the digest's language
        "from": Key(email, DEFAULT_FROM),
        "smtp_host": Key(host),
        "smtp_port": Key(number(whole=True, positive=True, maximum=65535), 25),
        "smtp_security": Key(one_of("none", "starttls", "ssl"), "none"),
        "smtp_timeout": Key(number(positive=True), 30),
        "smtp_user": Key(text),
        "smtp_password_env": Key(text, "NIANBAO_SMTP_PASSWORD"),
    },
    "monitors": {
        "failure_streak": Key(number(whole=True, positive=True), 3),
        "stale_factor": Key(number(positive=True), 2.0),
    },
    "web": {  # the web view `crawl browse` serves; the digest links reports and acknowledgements there
        "base_url": Key(url, "http://127.0.0.1:8001"),
    },
}

# [sites.NAME]: one portal (spiders.profile.Site).
SITE: dict[str, Key] = {
    "name": Key(text, note="the site's key"),
    # The portal's home page (or its 政府信息公开 page): where the report column is looked for when no
    # start URL is given or a start URL no longer lists reports (spiders.discovery).
    "home": Key(url),
    "start_urls": Key(strings(url, required=True), required=True, unless="home", note="found from home if not given"),
    "allowed_domains": Key(strings(host, required=True), required=True),
    "report_patterns": Key(strings(regex), []),
    "list_patterns": Key(strings(regex), []),
    "url_year": Key(year_pattern),
    "probe_url": Key(probe_url),
    "probe_units": Key(integers, []),
    "probe_first_year": Key(number(whole=True), 2019),
    "recipients": Key(strings(recipient), []),
    "cron": Key(cron),
    "interval_hours": Key(number(positive=True)),
    "content": Key(css),
    **LIMIT_KEYS,  # a site may set its own crawl limits
}
SITE_NAME = re.compile(r"[a-z][a-z0-9_]*")


def _unknown(what: str, name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else f" (known: {', '.join(known)})"
    return f"{what}{hint}"


def check_table(values: dict[str, Any], keys: dict[str, Key], where: str) -> tuple[dict[str, Any], list[str]]:
    """One table's values as the code reads them, and its problems (one line each)."""
    out: dict[str, Any] = {}
    problems = []
    for name, value in values.items():
        key = keys.get(name)
        if key is None:
            kind = f"[{where}.{name}] is not a table" if isinstance(value, dict) else f"{where}.{name} is not a key"
            problems.append(_unknown(kind, name, list(keys)))
            continue
        try:
            out[name] = key.check(value)
        except Invalid as exc:
            problems.append(f"{where}.{name}: {exc}")
    problems += [
        f"{where}.{name} is required" + (f" (or {key.unless})" if key.unless else "")
        for name, key in keys.items()
        if key.required and name not in values and not (key.unless and key.unless in values)
    ]
    return out, problems


def check_tables(data: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]], list[str]]:
    """The whole file: (tables, sites, problems). Every problem is found, not only the first."""
    problems: list[str] = []
    tables: dict[str, dict[str, Any]] = {name: {} for name in TABLES}
    sites: dict[str, dict[str, Any]] = {}
    known = [*TABLES, "sites"]
    for name, value in data.items():
        if name not in known:
            kind = f"[{name}] is not a table" if isinstance(value, dict) else f"{name} is not a key"
            problems.append(_unknown(kind, name, known))
        elif not isinstance(value, dict):
            problems.append(f"[{name}] must be a table" + (" of site profiles" if name == "sites" else ""))
        elif name == "sites":
            for key, table in value.items():
                if not SITE_NAME.fullmatch(key):
                    problems.append(f"site name '{key}' must be lower-case letters, digits and _")
                elif not isinstance(table, dict):
                    problems.append(f"[sites.{key}] must be a table")
                else:
                    sites[key], found = check_table(table, SITE, f"sites.{key}")
                    problems += found
        else:
            tables[name], found = check_table(value, TABLES[name], name)
            problems += found
    return tables, sites, problems
