"""A crawl killed with SIGKILL part-way leaves a sound database; the next crawl completes
with no duplicate report, version or cell."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time

from fixture_portal import PortalServer, demo_site
from tests.spiders.crawling import crawl, query, site_config


def count(db, table: str) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute(f"select count(*) from {table}").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_sigkill_mid_crawl_then_recrawl(tmp_path):
    site = demo_site("xicheng", n=300)
    with PortalServer(site) as server:
        config = site_config(tmp_path, server, "xicheng")
        db = tmp_path / "nianbao.db"
        proc = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "--site", "xicheng", "--no-alerts", "--config", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 60
        while count(db, "reports") < 40 and time.time() < deadline and proc.poll() is None:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stored_before = count(db, "reports")
        assert 0 < stored_before < len(site.expected), "the kill must land part-way"

        with sqlite3.connect(db) as conn:
            assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
            # Every stored report is whole: a current version, its cells and its search text.
            assert (
                conn.execute(
                    "select count(*) from reports r where not exists (select 1 from cells c where c.version_id = r.current_version)"
                ).fetchone()[0]
                == 0
            )
            assert conn.execute("select count(*) from report_text").fetchone()[0] == stored_before

        again = crawl(config, "--site", "xicheng", "--no-alerts")
        assert again.returncode == 0, again.stderr
        assert count(db, "reports") == len(site.expected)
        assert count(db, "versions") == len(site.expected)
        dup = query(db, "select version_id, part, row, col, count(*) as n from cells group by 1, 2, 3, 4 having n > 1")
        assert dup == []
        cells_per_version = query(db, "select count(distinct version_id) as n from cells")[0]["n"]
        assert cells_per_version == len(site.expected)
        # The killed run is marked as interrupted when the next one starts.
        runs = query(db, "select status from crawl_runs order by id")
        assert [r["status"] for r in runs] == ["interrupted", "ok"]


def test_a_signal_stops_the_crawl_as_interrupted_with_its_counts(tmp_path):
    site = demo_site("xicheng", n=300)
    for sig in (signal.SIGINT, signal.SIGTERM):
        folder = tmp_path / sig.name
        folder.mkdir()
        with PortalServer(site, latency=0.02) as server:
            config = site_config(folder, server, "xicheng")
            db = folder / "nianbao.db"
            proc = subprocess.Popen(
                [sys.executable, "-m", "crawler.cli", "--site", "xicheng", "--no-alerts", "--config", str(config)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            deadline = time.time() + 60
            while count(db, "reports") < 20 and time.time() < deadline and proc.poll() is None:
                time.sleep(0.05)
            proc.send_signal(sig)
            out, err = proc.communicate(timeout=60)
        assert proc.returncode != 0, out + err
        assert "Traceback" not in err
        (run,) = query(db, "select status, counts, errors from crawl_runs")
        assert run["status"] == "interrupted", out
        stored = count(db, "reports")
        assert 0 < stored < len(site.expected)
        counts = json.loads(run["counts"])
        assert counts["new"] == stored  # every report in hand was finished and counted
        assert "stopped by a signal" in json.loads(run["errors"])[0]
        assert "xicheng: interrupted (stopped by a signal" in out
