"""`crawl new-site NAME`: a new portal's [sites.NAME] block, its tests/files/NAME/ folder and its
crawl test, written from the templates in crawler/templates/ (as city-scrapers' genspider writes
a spider and its test from its own).

The folder holds placeholder pages until the portal's real pages are saved there, each at its
URL's path; the generated test is skipped while a placeholder is left and then crawls the saved
pages on loopback (tests/spiders/crawling.py serves them). A name in use, a bad name or URL is one
line (ConfigError) and writes nothing; the config file is replaced last, and only by a text that
loads.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template
from urllib.parse import unquote, urlsplit

from crawler.config import DEFAULT_CONFIG, ConfigError, load_config

# In every placeholder page: the generated test is skipped while a file holds it.
PLACEHOLDER = "nianbao:placeholder"
REPORT_PLACEHOLDER = "report.placeholder.html"
SITE_KEY = re.compile(r"[a-z][a-z0-9_]*")  # as config.toml's site names (crawler.config)
HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
DEFAULT_TESTS = Path(__file__).resolve().parent.parent / "tests"


@dataclass(frozen=True)
class NewSite:
    key: str  # the [sites.NAME] name
    name: str  # the agency, as alerts and summaries name it
    start_url: str  # the portal's annual-report list page
    domains: tuple[str, ...]  # allowed_domains


def site_of(key: str, name: str, start_url: str, domains: list[str] | tuple[str, ...] = ()) -> NewSite:
    """The arguments of `crawl new-site`; allowed_domains default to the start URL's host."""
    host = urlsplit(start_url).hostname or ""
    return NewSite(key, name.strip(), start_url.strip(), tuple(d.strip().lower() for d in domains) or (host,))


def saved_path(url: str) -> str:
    """Where a page is saved under tests/files/NAME/: its URL's path (a folder's page as index.html)."""
    path = unquote(urlsplit(url).path).lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


def check(site: NewSite) -> None:
    """One readable line for each way the arguments cannot make a site."""
    if not SITE_KEY.fullmatch(site.key):
        raise ConfigError(f"site name '{site.key}' must be lower-case letters, digits and _, starting with a letter")
    if not site.name.strip():
        raise ConfigError("--name must name the agency (北京市某某区人民政府)")
    parts = urlsplit(site.start_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"--start-url must be an http(s) URL of the portal's report list, not {site.start_url!r}")
    if any(seg in (".", "..") for seg in saved_path(site.start_url).split("/")):
        raise ConfigError(f"--start-url {site.start_url!r}: a path with . or .. segments")
    for domain in site.domains:
        if not HOST.fullmatch(domain):
            raise ConfigError(f"--domain must be a host name such as www.example.gov.cn, not {domain!r}")
    host = parts.hostname
    if not any(host == d or host.endswith("." + d) for d in site.domains):
        raise ConfigError(f"the start URL's host {host} is outside --domain {' '.join(site.domains)}")


def new_site(site: NewSite, config_path: str | Path | None = None, tests: str | Path | None = None) -> list[Path]:
    """Write the site's config block, tests/files/NAME/ and tests/spiders/test_crawl_NAME.py; the
    paths written, in that order."""
    check(site)
    config_path = Path(config_path) if config_path else DEFAULT_CONFIG
    config = load_config(config_path)  # a broken or missing config: its own one line
    if site.key in config.sites:
        raise ConfigError(f"site '{site.key}' is in {config_path} already")
    tests_root = Path(tests) if tests else DEFAULT_TESTS
    if not tests_root.is_dir():
        raise ConfigError(f"no tests folder at {tests_root}: give --tests DIR")
    files = tests_root / "files" / site.key
    test_file = tests_root / "spiders" / f"test_crawl_{site.key}.py"
    for path in (files, test_file):
        if path.exists():
            raise ConfigError(f"{path} exists already")
    values = _values(site, config_path, tests_root)
    staged = _stage_config(config_path, _render("site.toml.tmpl", values), site.key)
    written = [config_path]
    try:
        pages = {"README.md": "README.md.tmpl", saved_path(site.start_url): "list.html.tmpl"}
        pages[REPORT_PLACEHOLDER] = "report.html.tmpl"
        for rel, template in pages.items():
            written.append(_write(files / rel, _render(template, values)))
        written.append(_write(test_file, _render("test_crawl.py.tmpl", values)))
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    os.replace(staged, config_path)  # last: a config never names a site whose files are not there
    return written


def _values(site: NewSite, config_path: Path, tests_root: Path) -> dict[str, str]:
    """What the templates fill in. The config is named relative to the project (the tests
    folder's parent) when it is inside it, so the generated test runs in any checkout."""
    project = tests_root.resolve().parent
    config = config_path.resolve()
    shown = config.relative_to(project).as_posix() if config.is_relative_to(project) else config.as_posix()
    return {
        "key": site.key,
        "name": site.name,
        "start_url": site.start_url,
        "saved_start": saved_path(site.start_url),
        "report_placeholder": REPORT_PLACEHOLDER,
        "placeholder": PLACEHOLDER,
        "config": shown,
        "config_literal": json.dumps(shown),
        # TOML basic strings take JSON's escapes; Chinese stays as it is.
        "toml_name": json.dumps(site.name, ensure_ascii=False),
        "toml_start_urls": json.dumps([site.start_url], ensure_ascii=False),
        "toml_domains": json.dumps(list(site.domains)),
    }


def _render(template: str, values: dict[str, str]) -> str:
    text = resources.files("crawler").joinpath("templates", template).read_text(encoding="utf-8")
    return Template(text).substitute(values)


def _stage_config(config_path: Path, block: str, key: str) -> Path:
    """The config with the block appended, written beside it and loaded (every check of
    load_config, paths relative to the same folder): the path of that staged copy."""
    text = config_path.read_text(encoding="utf-8")
    text = (text if text.endswith("\n") or not text else text + "\n") + "\n" + block
    staged = config_path.with_name(f".{config_path.name}.new-site")
    staged.write_text(text, encoding="utf-8")
    try:
        if key not in load_config(staged).sites:
            raise ConfigError(f"{config_path}: the new [sites.{key}] block did not load")
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return staged


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
