"""`crawl` commands that set nianbao up: init (a starter config.toml) and config (the effective config)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path
from typing import Any

from crawler.config import STARTER, Config, ConfigError, load_config, search_order
from crawler.config_schema import SITE, TABLES


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, bool) else str(value).lower()


def _table_lines(values: dict[str, Any], keys: dict[str, Any], sources: dict[str, str], where: str) -> list[str]:
    lines = []
    for name, key in keys.items():
        if name in values:
            lines.append(f"{name} = {_value(values[name])}  # {sources.get(f'{where}.{name}', 'default')}")
        elif key.note:
            lines.append(f"# {name}: {key.note} (default)")
        elif key.default is None:
            lines.append(f"# {name}: not set")
        else:
            lines.append(f"{name} = {_value(key.default)}  # default")
    return lines


def effective(config: Config, found_by: str = "") -> list[str]:
    """The config as the code reads it, every known key, each with where its value came from."""
    lines = [f"# {config.path}" + (f" (found by: {found_by})" if found_by else "")]
    storage_source = config.sources.get("storage.path", "default")
    lines += ["", "[storage]", f"path = {_value(str(config.db_path))}  # {storage_source}"]
    monitors = {k: getattr(config.monitors, k) for k in TABLES["monitors"]}
    values = {"crawl": config.crawl, "schedule": config.schedule, "alerts": config.alerts, "monitors": monitors,
              "web": config.web}  # fmt: skip
    for table, table_values in values.items():
        lines += ["", f"[{table}]", *_table_lines(table_values, TABLES[table], config.sources, table)]
        if table == "alerts":
            env = config.alerts["smtp_password_env"]
            state = "set" if os.environ.get(env) else "not set"
            lines.append(f"# SMTP password: environment variable {env} ({state})")
    for key, site in config.sites.items():
        # A site's own crawl limits are in site.limits, the rest are the profile's fields.
        site_values = {name: site.limits[name] if name in site.limits else getattr(site, name)
                       for name in SITE if f"sites.{key}.{name}" in config.sources}  # fmt: skip
        lines += ["", f"[sites.{key}]", *_table_lines(site_values, SITE, config.sources, f"sites.{key}")]
    return lines


def _config_cmd(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    found_by = next((why for path, why in search_order(args.config) if path.is_file()), "")
    print("\n".join(effective(config, found_by)))
    return 0


def _init_cmd(args: argparse.Namespace) -> int:
    target = Path(args.path or "config.toml")
    if target.is_dir() or not target.suffix:
        target = target / "config.toml"
    if target.exists() and not args.force:
        raise ConfigError(f"{target} exists already (--force replaces it)")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(STARTER, target)
    print(f"wrote {target}: add your sites as [sites.NAME] blocks and recipients under [alerts]")
    print(f"next: crawl config --config {target}   ·   crawl --demo")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add these commands to the `crawl` parser."""
    p = sub.add_parser("init", help="write a starter config.toml (default: ./config.toml)")
    p.add_argument("path", nargs="?", metavar="PATH", help="file or folder to write config.toml to")
    p.add_argument("--force", action="store_true", help="replace a file that is there")
    p.set_defaults(func=_init_cmd)

    p = sub.add_parser("config", help="print the effective config: every key, its value, and where it came from")
    p.add_argument("--config", default=argparse.SUPPRESS, help="config file (default: the search order)")
    p.set_defaults(func=_config_cmd)
