"""crawl_sites reports the runs of its own sites only, even when another process crawls
other sites into the same database meanwhile."""

from __future__ import annotations

import ast
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
    store = Store(db)
    for site in ("dongcheng", "xicheng", "beijing"):
        store.finish_run(store.start_run(site), "ok", {}, [])
    store.close()


CrawlerProcess.start = start
print([(r.site, r.status) for r in crawl_sites(load_config(config_path), ["xicheng", "beijing"], db)])
"""


def test_the_summary_has_only_this_calls_sites(tmp_path: Path) -> None:
    sites = "".join(
        f'[sites.{key}]\nstart_urls = ["http://127.0.0.1:1/"]\nallowed_domains = ["127.0.0.1"]\n'
        for key in ("xicheng", "dongcheng", "beijing")
    )
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\npath = "nianbao.db"\n{sites}', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(config), str(tmp_path / "nianbao.db")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert ast.literal_eval(done.stdout.strip()) == [("xicheng", "ok"), ("beijing", "ok")]
