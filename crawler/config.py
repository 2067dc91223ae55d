"""config.toml -> Config, checked against crawler.config_schema: every problem is found in one
run and reported one line each (ConfigError.lines), never a traceback later.

Which file: --config, else $NIANBAO_CONFIG, else ./config.toml, else config.toml in the user's
config directory (platformdirs: ~/.config/nianbao/ on Linux), else, in a source checkout, the
checkout's config.toml. Paths in it are relative to the file."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.config_schema import TABLES, check_tables
from crawler.monitors import Thresholds
from spiders.limits import CrawlLimits
from spiders.profile import Site  # built here from [sites.NAME]; spiders/ defines it, so it imports no crawler/

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config.toml"  # a source checkout's own
STARTER = Path(__file__).resolve().parent / "config.toml"  # package data: what `crawl init` writes
ENV_CONFIG, ENV_DB = "NIANBAO_CONFIG", "NIANBAO_DB"


class ConfigError(ValueError):
    """One or more problems, one line each (`lines`); str() joins them."""

    def __init__(self, *lines: str) -> None:
        self.lines = list(lines)
        super().__init__("\n".join(lines))


class NoConfigFound(ConfigError):
    """No file in the search order (commands given a --db can do without one)."""


@dataclass
class Config:
    path: Path
    db_path: Path
    sites: dict[str, Site]
    crawl: dict[str, Any]
    schedule: dict[str, Any]
    alerts: dict[str, Any]
    monitors: Thresholds = field(default_factory=Thresholds)  # [monitors]: crawl-health thresholds
    # "table.key" -> "file" / "environment (NAME)"; a key not here has its default (`crawl config`)
    sources: dict[str, str] = field(default_factory=dict)
    web: dict[str, Any] = field(default_factory=dict)  # [web]: base_url, where `crawl browse` is reachable

    def site(self, key: str) -> Site:
        if key not in self.sites:
            known = ", ".join(sorted(self.sites)) or "none"
            raise ConfigError(f"unknown site '{key}' (sites in {self.path.name}: {known})")
        return self.sites[key]

    def resolve(self, value: str) -> Path:
        """A path from the config, relative to the config file's folder."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else (self.path.parent / p)


def user_config() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("nianbao")) / "config.toml"


def search_order(path: str | Path | None = None) -> list[tuple[Path, str]]:
    """The config files looked for, in order, each with why it is looked for."""
    if path:
        return [(Path(path), "--config")]
    if os.environ.get(ENV_CONFIG):
        return [(Path(os.environ[ENV_CONFIG]), f"${ENV_CONFIG}")]
    found = [(Path("config.toml"), "current directory"), (user_config(), "user config directory")]
    return found + [(DEFAULT_CONFIG, "source checkout")] if DEFAULT_CONFIG.exists() else found


def find_config(path: str | Path | None = None) -> Path:
    """The config file to read (see the module's docstring), or a ConfigError naming where it looked."""
    order = search_order(path)
    if len(order) == 1:
        return order[0][0]  # named: a missing file is the error load_config gives
    for candidate, _ in order:
        if candidate.is_file():
            return candidate
    looked = ", ".join(str(p) for p, _ in order)
    raise NoConfigFound(f"no config.toml found (looked in: {looked}); `crawl init` writes one")


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name} is not valid TOML: {exc}") from None


def _site(key: str, table: dict[str, Any]) -> Site:
    limits = {k: v for k, v in table.items() if k in CrawlLimits.names()}
    fields = {"start_urls": [], **{k: v for k, v in table.items() if k != "name" and k not in limits}}
    return Site(
        key=key, name=str(table.get("name", key)), limits=limits, **fields
    )  # translates `content` to XPath, once


def load_config(path: str | Path | None = None) -> Config:
    path = find_config(path)
    data = _read(path)
    tables, raw_sites, problems = check_tables(data)
    sites = {}
    for key, table in raw_sites.items():
        try:
            sites[key] = _site(key, table)
        except (TypeError, ValueError) as exc:  # a required key missing: already a problem line
            if not any(p.startswith(f"sites.{key}.") for p in problems):
                problems.append(f"sites.{key}: {exc}")
    if problems:
        raise ConfigError(*problems)
    sources = {f"{t}.{k}": "file" for t, values in tables.items() for k in values}
    sources.update({f"sites.{s}.{k}": "file" for s, values in raw_sites.items() for k in values})
    for name, keys in TABLES.items():  # what the file leaves out reads as its default, said once in the schema
        for k, key in keys.items():
            if key.default is not None and k not in tables[name]:
                tables[name][k] = key.default
                sources[f"{name}.{k}"] = "default"
    storage = tables.pop("storage")
    if os.environ.get(ENV_DB):
        storage["path"], sources["storage.path"] = os.environ[ENV_DB], f"environment ({ENV_DB})"
    monitors = Thresholds(**tables.pop("monitors"))
    config = Config(path=path.resolve(), db_path=Path(), sites=sites, monitors=monitors, sources=sources, **tables)
    config.db_path = config.resolve(str(storage["path"]))
    return config
