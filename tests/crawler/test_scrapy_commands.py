"""Scrapy's own tooling on the project: `scrapy list` refuses a broken config in one line and exit 1;
`scrapy crawl SITE -O FILE` writes each report in its JSON form (no page bytes, no traceback)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fixture_portal import PortalServer, xicheng_site
from tests.spiders.crawling import site_config

ROOT = Path(__file__).resolve().parents[2]
SCRAPY = str(Path(sys.executable).with_name("scrapy"))


def scrapy(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([SCRAPY, *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env})  # fmt: skip


def test_scrapy_list_with_a_broken_config_says_why(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[sites.xicheng]\nstart_urls = ["http://127.0.0.1:1/"]\nallowed_domain = ["127.0.0.1"]\n')
    listed = scrapy("list", NIANBAO_CONFIG=str(config))
    assert listed.returncode == 1
    assert listed.stdout == ""
    assert listed.stderr.splitlines() == [
        "scrapy: sites.xicheng.allowed_domain is not a key; did you mean allowed_domains?",
        "scrapy: sites.xicheng.allowed_domains is required",
    ]


def test_scrapy_crawl_exports_the_reports_as_json(tmp_path: Path) -> None:
    with PortalServer(xicheng_site(traps=False)) as server:
        config = site_config(tmp_path, server, "xicheng")
        out = tmp_path / "items.jsonl"
        done = scrapy("crawl", "xicheng", "-O", str(out), NIANBAO_CONFIG=str(config),
                      NIANBAO_DB=str(tmp_path / "scrapy.db"))  # fmt: skip
        expected = len(server.fixture.expected)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    reports = [i["report"] for i in items if i.get("report")]
    assert len(reports) == expected
    assert set(items[0]) <= {"site", "url", "status", "http_status", "error", "report"}
    assert all(r["agency"] and r["year"] for r in reports)
