"""Run crawls. Twisted's reactor cannot restart in one process, so `crawl_sites` is meant to
be called once per process: the CLI calls it directly, the scheduler in a child process."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.config import Config
from crawler.settings import settings_for


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

    store = Store(db_path)  # create/migrate before the crawlers open their connections
    before = store.db.execute("select coalesce(max(id), 0) from crawl_runs").fetchone()[0]
    # A site another process is crawling now is not crawled twice at once (twice the traffic).
    busy = {site: run for site in sites if (run := store.running(site))}
    store.close()
    busy_results = [
        RunResult(
            site, "busy", {}, [f"being crawled by process {run['pid']} since {run['started']}: not started again"]
        )
        for site, run in busy.items()
    ]
    sites = [site for site in sites if site not in busy]
    if not sites:
        return busy_results

    settings = settings_for(config, str(db_path), full, overrides)
    process = CrawlerProcess({**settings, "LOG_ENABLED": False})
    _one_line_logging(settings.get("LOG_LEVEL", "WARNING"))  # after Scrapy configured its own
    for key in sites:
        process.crawl(spider_for(config.site(key)))
    process.start()

    store = Store(db_path)
    try:
        # Only this call's sites: another process may be crawling other sites meanwhile.
        marks = ", ".join("?" * len(sites))
        rows = store.db.query(
            f"select * from crawl_runs where id > ? and site in ({marks}) order by id", [before, *sites]
        )
        results = [
            RunResult(
                r["site"], r["status"] or "failed", json.loads(r["counts"] or "{}"), json.loads(r["errors"] or "[]")
            )
            for r in rows
        ]
    finally:
        store.close()
    done = {r.site for r in results}
    results += [RunResult(s, "failed", {}, ["the crawl did not start"]) for s in sites if s not in done]
    return busy_results + results


class _OneLine(logging.Formatter):
    """Scrapy logs network errors with tracebacks; a user sees the one line that matters."""

    def format(self, record: logging.LogRecord) -> str:
        record.exc_info = record.exc_text = record.stack_info = None
        return super().format(record).splitlines()[0]


def _one_line_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(_OneLine("%(levelname)s %(name)s: %(message)s"))
    handler.setLevel(level)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def format_summary(results: list[RunResult]) -> str:
    lines = []
    for r in results:
        c = r.counts
        if r.status == "busy":
            lines.append(f"{r.site}: busy — {r.errors[0]}")
            continue
        recent = f" ({c['not_rechecked']} checked recently, not asked again)" if c.get("not_rechecked") else ""
        lines.append(
            f"{r.site}: {r.status} — {c.get('pages_fetched', 0)} pages fetched in {c.get('seconds', 0)} s; "
            f"reports {c.get('new', 0)} new, {c.get('changed', 0)} changed, {c.get('unchanged', 0)} unchanged{recent}; "
            f"findings {c.get('findings_error', 0)} errors, {c.get('findings_warning', 0)} warnings; "
            f"{c.get('failed', 0)} failed, {c.get('not_report', 0)} not reports, "
            f"{c.get('not_published', 0)} probed but not published, "
            f"{c.get('dropped', 0) + c.get('offsite_redirects', 0)} off-site redirects dropped"
        )
        for e in r.errors[:10]:
            lines.append(f"  ! {e}")
        if len(r.errors) > 10:
            lines.append(f"  ! … and {len(r.errors) - 10} more")
    return "\n".join(lines)
