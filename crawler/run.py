"""Run crawls. Twisted's reactor cannot restart in one process, so `crawl_sites` is meant to
be called once per process: the CLI calls it directly, the scheduler in a child process."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from common.constants import RunStatus, Severity
from crawler.config import Config
from crawler.settings import settings_for
from storage.errors import SiteBusy


@dataclass
class RunResult:
    site: str
    status: str
    counts: dict[str, Any]
    errors: list[str]


def crawl_sites(
    config: Config, sites: list[str], db_path: Path, full: bool = False, overrides: dict[str, Any] | None = None
) -> list[RunResult]:
    from scrapy.crawler import CrawlerProcess

    from spiders.sites import spider_for
    from storage.store import Store

    # The runs are opened here, before Scrapy starts: a site another live process is crawling
    # is not crawled twice at once (twice the traffic), and the check is atomic (storage.runs.Runs.start).
    # Also creates/migrates the database before the crawlers connect; a damaged one is refused
    # (StoreError: one line) before a run is opened.
    store = Store(db_path, verify=True)
    runs: dict[str, int] = {}
    busy: list[RunResult] = []
    try:
        config = moved_columns(config, store, sites)
        for site in sites:
            try:
                runs[site] = store.runs.start(site)
            except SiteBusy as exc:
                why = f"being crawled by process {exc.pid} since {exc.started}"
                busy.append(RunResult(site, RunStatus.BUSY, {}, [why]))
    finally:
        store.close()
    try:
        if runs:
            # The spider classes are given, from `config`: no loader reading config.toml again.
            loader = {"SPIDER_LOADER_CLASS": "scrapy.spiderloader.DummySpiderLoader"}
            settings = settings_for(config, str(db_path), full, {**loader, **(overrides or {}), "NIANBAO_RUNS": runs})
            # Scrapy's log handler stays off: the caller's handlers show the log (crawler.output).
            process = CrawlerProcess({**settings, "LOG_ENABLED": False})
            logging.getLogger().setLevel(settings.get("LOG_LEVEL", "WARNING"))  # Scrapy set it to NOTSET
            for key in runs:
                process.crawl(spider_for(config.site(key)))
            process.start()
    except BaseException:  # Ctrl-C before Scrapy took over, say: no run is left 'running'
        _results(db_path, runs, "the crawl was stopped before it started")
        raise
    results = {r.site: r for r in busy} | _results(db_path, runs, "the crawl did not start")
    return [results[site] for site in sites]


def moved_columns(config: Config, store, sites: list[str]) -> Config:
    """The config with each configured list page that moved (a crawl found the report column
    elsewhere from the home page: storage.columns) replaced by where it went."""
    profiles = dict(config.sites)
    for key in sites:
        moves = store.columns.moves(key) if key in profiles else {}
        if moves:
            site = profiles[key]
            starts = [new for url in site.start_urls for new in moves.get(url, [url])]
            profiles[key] = replace(site, start_urls=list(dict.fromkeys(starts)))
    return replace(config, sites=profiles)


def _results(db_path: Path, runs: dict[str, int], unfinished: str) -> dict[str, RunResult]:
    """This call's runs as their spiders closed them; one no spider closed (it never opened, or
    died) is closed here as failed, for the reason `unfinished`."""
    from storage.store import Store

    store = Store(db_path)
    try:
        results = {}
        for site, run_id in runs.items():
            run = store.runs.get(run_id)
            if run.status == RunStatus.RUNNING:
                store.finish_run(run_id, RunStatus.FAILED, {}, [unfinished])
                run = store.runs.get(run_id)
            results[site] = RunResult(site, run.status or RunStatus.FAILED, run.counts, run.errors)
        return results
    finally:
        store.close()


def _still_open(counts: Counter[str] | None) -> str:
    """ " (27 errors, 3 warnings open in all)": the new ones of a crawl are not all there is."""
    if counts is None:
        return ""
    return f" ({counts[Severity.ERROR]} errors, {counts[Severity.WARNING]} warnings open in all)"


def format_summary(results: list[RunResult], open_counts: dict[str, Counter[str]] | None = None) -> str:
    """One line per site; `open_counts` (site -> open findings by severity) adds what is still open in all."""
    lines = []
    for r in results:
        c = r.counts
        if r.status in (RunStatus.BUSY, RunStatus.FORBIDDEN):
            lines.append(f"{r.site}: {r.status} — {r.errors[0]}")
            continue
        stopped = r.status in (RunStatus.LIMITED, RunStatus.INTERRUPTED) and r.errors
        why = f" ({r.errors[0]})" if stopped else ""  # which limit, or the signal
        recent = f" ({c['not_rechecked']} checked recently, not asked again)" if c.get("not_rechecked") else ""
        recent += f", {c['copy']} copies of reports stored from another site" if c.get("copy") else ""
        lines.append(
            f"{r.site}: {r.status}{why} — {c.get('pages_fetched', 0)} pages fetched in {c.get('seconds', 0)} s; "
            f"reports {c.get('new', 0)} new, {c.get('changed', 0)} changed, {c.get('unchanged', 0)} unchanged{recent}; "
            f"findings {c.get('findings_error', 0)} new errors, {c.get('findings_warning', 0)} new warnings"
            + _still_open((open_counts or {}).get(r.site))
            + "; "
            f"{c.get('failed', 0)} failed, {c.get('not_report', 0)} not reports, "
            f"{c.get('not_published', 0)} probed but not published, "
            f"{c.get('dropped', 0) + c.get('offsite_redirects', 0)} off-site redirects dropped"
            + (f"; {c['attachment_only']} reports as attachments or images only" if c.get("attachment_only") else "")
            + (
                f"; {c['content_not_found']} pages read whole: their content area was not found (template changed?)"
                if c.get("content_not_found")
                else ""
            )
        )
        for e in r.errors[:10]:
            lines.append(f"  ! {e}")
        if len(r.errors) > 10:
            lines.append(f"  ! … and {len(r.errors) - 10} more")
    return "\n".join(lines)
