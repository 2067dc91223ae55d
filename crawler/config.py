"""config.toml -> Config. Every problem is one readable line (ConfigError), never a traceback."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config.toml"


class ConfigError(ValueError):
    pass


@dataclass
class Site:
    key: str
    name: str
    start_urls: list[str]
    allowed_domains: list[str]
    report_patterns: list[str] = field(default_factory=list)
    list_patterns: list[str] = field(default_factory=list)
    probe_url: str | None = None  # e.g. ".../pnidpv{unit}pntypepvnbpnnfpv{year}.html"
    probe_units: list[int] = field(default_factory=list)
    probe_first_year: int = 2019
    recipients: list[str] = field(default_factory=list)
    cron: str | None = None
    interval_hours: float | None = None


@dataclass
class Config:
    path: Path
    db_path: Path
    sites: dict[str, Site]
    crawl: dict[str, Any]
    schedule: dict[str, Any]
    alerts: dict[str, Any]

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
        sites[key] = Site(
            key=key,
            name=str(table.get("name", key)),
            start_urls=_list(table, "start_urls", where, required=True),
            allowed_domains=_list(table, "allowed_domains", where, required=True),
            report_patterns=_list(table, "report_patterns", where),
            list_patterns=_list(table, "list_patterns", where),
            probe_url=_probe_url(table, where),
            probe_units=_ints(table, "probe_units", where),
            probe_first_year=int(table.get("probe_first_year", 2019)),
            recipients=_list(table, "recipients", where),
            cron=table.get("cron"),
            interval_hours=table.get("interval_hours"),
        )
    config = Config(
        path=path.resolve(),
        db_path=Path(),
        sites=sites,
        crawl=dict(data.get("crawl", {})),
        schedule=dict(data.get("schedule", {})),
        alerts=dict(data.get("alerts", {})),
    )
    storage = data.get("storage", {})
    config.db_path = config.resolve(str(storage.get("path", "data/nianbao.db")))
    return config
