"""What the `crawl` commands share: the --config/--db options, and the config and store they name."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from crawler.config import STARTER, Config, ConfigError, NoConfigFound, load_config

if TYPE_CHECKING:
    from storage.store import Store


def common_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", default=argparse.SUPPRESS, help="config file (default: the bundled config.toml)")
    p.add_argument("--db", default=argparse.SUPPRESS, help="SQLite database (default: [storage] path)")


def config_and_db(args: argparse.Namespace) -> tuple[Config, Path]:
    """The config (--config) and the database path (--db, else the config's [storage] path)."""
    try:
        config = load_config(args.config)
    except NoConfigFound:
        if not args.db:
            raise
        # a database named and no config anywhere: the starter's settings, no sites, paths from here
        config = replace(load_config(STARTER), path=Path.cwd() / "config.toml", sites={})
    args.db_path = Path(args.db) if args.db else config.db_path  # named in a database error
    return config, args.db_path


def existing_db(args: argparse.Namespace) -> tuple[Config, Path]:
    """As _config_and_db, for commands that read: a database that is not there is an error."""
    config, db_path = config_and_db(args)
    if not db_path.exists():
        raise ConfigError(f"no database at {db_path} yet: run a crawl or `crawl ingest` first")
    return config, db_path


def open_store(args: argparse.Namespace, readonly: bool = False) -> Store:
    """The store, read-only for commands that only read (they work on a read-only file system);
    for those that write, a damaged database is refused before anything is written."""
    from storage.store import Store

    config, db_path = existing_db(args)
    store = Store(db_path, readonly=readonly, verify=not readonly)
    site = getattr(args, "site", None)
    if isinstance(site, str):  # findings, search, export: a misspelt site is not a silent zero
        known = set(config.sites) | store.findings.sites()
        if site not in known:
            store.close()
            raise ConfigError(f"unknown site '{site}' (known: {', '.join(sorted(known)) or 'none'})")
    return store
