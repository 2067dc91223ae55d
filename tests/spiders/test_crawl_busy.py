"""A site that another live process is crawling is not crawled twice at once; a crawl whose
process is gone (killed, even if not yet reaped) is recorded as interrupted by the next one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fixture_portal import PortalServer, xicheng_site
from tests.spiders.crawling import crawl, query, site_config

ROOT = Path(__file__).resolve().parent.parent.parent

# Stands in for a crawl under way: a run opened the way StoreStage opens it, then a long wait.
LIVE_CRAWL = (
    "import sys, time\n"
    "from storage.store import Store\n"
    "store = Store(sys.argv[1])\n"
    "store.runs.start('xicheng')\n"
    "print('running', flush=True)\n"
    "time.sleep(120)\n"
)


def test_a_live_crawl_of_the_site_is_left_alone_and_a_killed_one_is_interrupted(tmp_path) -> None:
    db = tmp_path / "nianbao.db"
    with PortalServer(xicheng_site(2, traps=False, seeds=False)) as server:
        config = site_config(tmp_path, server, "xicheng")
        other = subprocess.Popen([sys.executable, "-c", LIVE_CRAWL, str(db)], stdout=subprocess.PIPE, text=True)
        try:
            assert other.stdout.readline().strip() == "running"
            busy = crawl(config, "--site", "xicheng", "--no-alerts")
            assert busy.returncode == 1, busy.stdout + busy.stderr
            assert f"xicheng: busy — being crawled by process {other.pid}" in busy.stdout
            assert "Traceback" not in busy.stderr
            assert server.log == []  # not one request: the portal is not crawled twice at once
            assert [r["status"] for r in query(db, "select status from crawl_runs")] == ["running"]

            other.send_signal(signal.SIGKILL)
            time.sleep(0.5)  # killed, not yet reaped: a zombie is no crawl either
            done = crawl(config, "--site", "xicheng", "--no-alerts")
        finally:
            other.kill()
            other.wait()
        assert done.returncode == 0, done.stdout + done.stderr
        assert server.log  # this time it crawled
    runs = query(db, "select status, owner from crawl_runs order by id")
    assert [r["status"] for r in runs] == ["interrupted", "ok"]
    assert runs[0]["owner"].split("|")[2] == str(other.pid)


def test_scrapy_crawl_of_a_busy_site_requests_nothing(tmp_path) -> None:
    """`scrapy crawl NAME` opens its run in the pipeline: busy, it says so in one line, the
    spider requests nothing and the exit status is 1."""
    db = tmp_path / "nianbao.db"
    scrapy = str(Path(sys.executable).with_name("scrapy"))
    with PortalServer(xicheng_site(2, traps=False, seeds=False)) as server:
        config = site_config(tmp_path, server, "xicheng")
        other = subprocess.Popen([sys.executable, "-c", LIVE_CRAWL, str(db)], stdout=subprocess.PIPE, text=True)
        try:
            assert other.stdout.readline().strip() == "running"
            env = {**os.environ, "NIANBAO_CONFIG": str(config), "NIANBAO_DB": str(db)}
            done = subprocess.run([scrapy, "crawl", "xicheng"], cwd=ROOT, env=env, capture_output=True, text=True,
                                  timeout=120)  # fmt: skip
        finally:
            other.kill()
            other.wait()
        assert server.log == []
    assert f"[xicheng] not crawled: xicheng is being crawled by process {other.pid}" in done.stdout
    assert "Traceback" not in done.stderr
    assert done.returncode == 1  # as `crawl --site` exits: the site was not crawled
    assert [r["status"] for r in query(db, "select status from crawl_runs")] == ["running"]
