"""config.toml -> Config. Every problem is one readable line (ConfigError), never a traceback."""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.monitors import Thresholds
from spiders.profile import Site  # built here from [sites.NAME]; spiders/ defines it, so it imports no crawler/

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config.toml"


class ConfigError(ValueError):
    pass


@dataclass
class Config:
    path: Path
    db_path: Path
    sites: dict[str, Site]
    crawl: dict[str, Any]
    schedule: dict[str, Any]
    alerts: dict[str, Any]
    monitors: Thresholds = field(default_factory=Thresholds)  # [monitors]: crawl-health thresholds

    def site(self, key: str) -> Site:
        if key not in self.sites:
            known = ", ".join(sorted(self.sites)) or "none"
            raise ConfigError(f"unknown site '{key}' (sites in {self.path.name}: {known})")
        return self.sites[key]

    def resolve(self, value: str) -> Path:
        """A path from the config, relative to the config file's folder."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else (self.path.parent / p)


def _list(table: dict[str, Any], key: str, where: str, required: bool = False) -> list[str]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}.{key} must be a list of strings")
    if required and not value:
        raise ConfigError(f"{where}.{key} is required")
    return value


def _ints(table: dict[str, Any], key: str, where: str) -> list[int]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, int) for v in value):
        raise ConfigError(f"{where}.{key} must be a list of integers")
    return value


def _number(table: dict[str, Any], key: str, where: str, *, whole: bool = False, positive: bool = False) -> None:
    """A number (a whole one if `whole`), at least 0 (more than 0 if `positive`), when present."""
    if key not in table:
        return
    value = table[key]
    kinds = (int,) if whole else (int, float)
    ok = isinstance(value, kinds) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or (positive and value == 0):
        what = "whole number" if whole else "number"
        what = f"{what} > 0" if positive else f"{what} ≥ 0"
        raise ConfigError(f"{where}.{key} must be a {what}, not {value!r}")


def _cron(table: dict[str, Any], key: str, where: str) -> str | None:
    """A five-field crontab line (minute hour day month weekday), as APScheduler reads it."""
    expr = table.get(key)
    if expr is None:
        return None
    if not isinstance(expr, str):
        raise ConfigError(f'{where}.{key} must be a crontab string such as "0 6 * * *", not {expr!r}')
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(expr, timezone="Asia/Shanghai")
    except ValueError as exc:
        raise ConfigError(f"{where}.{key}: bad cron expression {expr!r}: {exc}") from None
    return expr


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[{key}] must be a table")
    return dict(value)


# (section, key, a whole number?, more than 0?): values code reads later; a wrong type fails at load.
_NUMBERS = (
    ("crawl", "retries", True, False),
    ("crawl", "download_maxsize", True, False),
    ("crawl", "parse_workers", True, False),
    ("crawl", "concurrent_per_site", True, True),
    ("crawl", "download_timeout", False, True),
    ("crawl", "recheck_hours", False, False),
    ("crawl", "retry_backoff", False, False),
    ("crawl", "start_delay", False, False),
    ("schedule", "interval_hours", False, True),
    ("schedule", "interval_seconds", False, True),
    ("schedule", "crawl_timeout", False, True),
    ("schedule", "misfire_grace_seconds", False, True),
    ("schedule", "watchdog_seconds", False, True),
    ("alerts", "smtp_port", True, True),
    ("alerts", "smtp_timeout", False, True),
    ("monitors", "failure_streak", True, True),
    ("monitors", "stale_factor", False, True),
)
SMTP_SECURITY = ("none", "starttls", "ssl")


def _check_sections(sections: dict[str, dict[str, Any]]) -> None:
    """[crawl], [schedule], [alerts], [monitors]: every problem is found here, not when a crawl or an e-mail runs."""
    for section, key, whole, positive in _NUMBERS:
        _number(sections[section], key, section, whole=whole, positive=positive)
    schedule, alerts = sections["schedule"], sections["alerts"]
    _cron(schedule, "cron", "schedule")
    _cron(schedule, "busy_cron", "schedule")
    if "command" in schedule:
        schedule["command"] = _list(schedule, "command", "schedule", required=True)
    if alerts.get("smtp_port", 0) > 65535:
        raise ConfigError(f"alerts.smtp_port must be a port number (1-65535), not {alerts['smtp_port']!r}")
    security = alerts.get("smtp_security", "none")
    if security not in SMTP_SECURITY:
        raise ConfigError(f"alerts.smtp_security must be one of {', '.join(SMTP_SECURITY)}, not {security!r}")
    if "recipients" in alerts:
        alerts["recipients"] = _list(alerts, "recipients", "alerts")
    known = list(Thresholds.__dataclass_fields__)
    unknown = sorted(set(sections["monitors"]) - set(known))
    if unknown:  # a misspelt threshold would silently keep its default
        raise ConfigError(f"monitors.{unknown[0]} is not a threshold (those are: {', '.join(known)})")


def _url_year(table: dict[str, Any], where: str) -> None:
    pattern = table.get("url_year")
    if pattern is None:
        return
    try:
        groups = re.compile(pattern).groups if isinstance(pattern, str) else 0
    except re.error as exc:
        raise ConfigError(f"{where}.url_year: bad pattern {pattern!r}: {exc}") from None
    if not groups:
        raise ConfigError(f'{where}.url_year must be a pattern whose first group is the year, such as "/(\\d{{4}})nb/"')


def _home(table: dict[str, Any], where: str) -> str | None:
    home = table.get("home")
    if home is not None and (not isinstance(home, str) or not re.match(r"https?://[^/\s]+", home)):
        raise ConfigError(f"{where}.home must be the portal's home page URL (http:// or https://)")
    return home


def _probe_url(table: dict[str, Any], where: str) -> str | None:
    url = table.get("probe_url")
    if url is None:
        return None
    if not isinstance(url, str) or "{unit}" not in url or "{year}" not in url:
        raise ConfigError(f"{where}.probe_url must be a URL with {{unit}} and {{year}} in it")
    return url


def load_config(path: str | Path | None = None) -> Config:
    path = Path(path) if path else DEFAULT_CONFIG
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name} is not valid TOML: {exc}") from None
    sites = {}
    raw_sites = data.get("sites", {})
    if not isinstance(raw_sites, dict):
        raise ConfigError("[sites] must be a table of site profiles")
    for key, table in raw_sites.items():
        where = f"sites.{key}"
        if not isinstance(table, dict):
            raise ConfigError(f"[{where}] must be a table")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            raise ConfigError(f"site name '{key}' must be lower-case letters, digits and _")
        for pattern in (*_list(table, "report_patterns", where), *_list(table, "list_patterns", where)):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(f"{where}: bad pattern {pattern!r}: {exc}") from None
        _url_year(table, where)
        _number(table, "interval_hours", where, positive=True)
        _number(table, "probe_first_year", where, whole=True)
        fields = dict(
            key=key,
            name=str(table.get("name", key)),
            # A home page (or 政府信息公开 page) alone will do: the spider finds the report column.
            home=_home(table, where),
            start_urls=_list(table, "start_urls", where, required="home" not in table),
            allowed_domains=_list(table, "allowed_domains", where, required=True),
            report_patterns=_list(table, "report_patterns", where),
            list_patterns=_list(table, "list_patterns", where),
            probe_url=_probe_url(table, where),
            probe_units=_ints(table, "probe_units", where),
            probe_first_year=int(table.get("probe_first_year", 2019)),
            recipients=_list(table, "recipients", where),
            cron=_cron(table, "cron", where),
            interval_hours=table.get("interval_hours"),
            content=table.get("content"),
            url_year=table.get("url_year"),
        )
        try:
            sites[key] = Site(**fields)  # translates `content` to XPath, once
        except ValueError as exc:
            raise ConfigError(f"{where}.content: {exc}") from None
    sections = {name: _table(data, name) for name in ("crawl", "schedule", "alerts", "monitors")}
    _check_sections(sections)
    monitors = Thresholds(**sections.pop("monitors"))
    config = Config(path=path.resolve(), db_path=Path(), sites=sites, monitors=monitors, **sections)
    storage = _table(data, "storage")
    config.db_path = config.resolve(str(storage.get("path", "data/nianbao.db")))
    return config
