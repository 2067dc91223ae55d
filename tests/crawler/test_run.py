"""crawl_sites reports the runs of its own sites only, even when another process crawls
other sites into the same database meanwhile."""

from __future__ import annotations

import ast
import sqlite3
import subprocess
import sys
from pathlib import Path

# In a child process (crawl_sites installs Twisted's reactor): the crawl itself is replaced by
# what two processes do to crawl_runs meanwhile, another site's run landing among ours.
SCRIPT = """
import sys
from scrapy.crawler import CrawlerProcess
from crawler.config import load_config
from crawler.run import crawl_sites
from storage.store import Store

config_path, db = sys.argv[1], sys.argv[2]


def start(self, *args, **kwargs):
    # What the spiders' StoreStage does with the runs crawl_sites opened, and another site's
    # run (another process's crawl) landing among them.
    runs = self.settings.getdict("NIANBAO_RUNS")
    store = Store(db)
    store.finish_run(store.runs.start("dongcheng"), "ok", {}, [])
    for site in ("xicheng", "beijing"):
        store.finish_run(runs[site], "ok", {}, [])
    store.close()


CrawlerProcess.start = start
print([(r.site, r.status) for r in crawl_sites(load_config(config_path), ["xicheng", "beijing"], db)])
"""


def run_script(tmp_path: Path, script: str) -> list[tuple[str, str]]:
    """crawl_sites of xicheng and beijing (three sites configured), with `script`'s start()."""
    sites = "".join(
        f'[sites.{key}]\nstart_urls = ["http://127.0.0.1:1/"]\nallowed_domains = ["127.0.0.1"]\n'
        for key in ("xicheng", "dongcheng", "beijing")
    )
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\npath = "nianbao.db"\n{sites}', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", script, str(config), str(tmp_path / "nianbao.db")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return ast.literal_eval(done.stdout.strip())


def test_the_summary_has_only_this_calls_sites(tmp_path: Path) -> None:
    assert run_script(tmp_path, SCRIPT) == [("xicheng", "ok"), ("beijing", "ok")]


NEVER_OPENED = SCRIPT.replace(
    '        store.finish_run(runs[site], "ok", {}, [])\n', "        pass  # the spiders never open: Scrapy failed\n"
)


def test_a_run_whose_spider_never_opened_is_closed_as_failed(tmp_path: Path) -> None:
    assert NEVER_OPENED != SCRIPT
    assert run_script(tmp_path, NEVER_OPENED) == [("xicheng", "failed"), ("beijing", "failed")]
    with sqlite3.connect(tmp_path / "nianbao.db") as conn:
        statuses = dict(conn.execute("select site, status from crawl_runs"))
    assert statuses == {"dongcheng": "ok", "xicheng": "failed", "beijing": "failed"}


INTERRUPTED = (
    SCRIPT.split("def start(")[0]
    + """
def start(self, *args, **kwargs):
    raise KeyboardInterrupt  # Ctrl-C before Scrapy took over


CrawlerProcess.start = start
try:
    crawl_sites(load_config(config_path), ["xicheng", "beijing"], db)
except KeyboardInterrupt:
    print([])
"""
)


def test_runs_are_closed_when_the_crawl_is_stopped_before_it_starts(tmp_path: Path) -> None:
    assert run_script(tmp_path, INTERRUPTED) == []
    with sqlite3.connect(tmp_path / "nianbao.db") as conn:
        runs = list(conn.execute("select site, status, errors from crawl_runs order by id"))
    assert runs == [(site, "failed", '["the crawl was stopped before it started"]') for site in ("xicheng", "beijing")]
