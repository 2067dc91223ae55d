"""A scrapyd egg built from the project (setuptools bdist_egg, as scrapyd-deploy builds it) lists
the configured spiders when scrapyd's runner activates it, and crawls a site into the database, with the checkout kept off the path:
the runner runs with `python -S` and the virtualenv's site-packages on PYTHONPATH, so the editable
install's .pth (which would find the checkout) is not read and nianbao comes from the egg alone."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.config import load_config
from fixture_portal import PortalServer
from fixture_portal.sites import xicheng_site
from tests.spiders.crawling import query, site_config

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.install


def test_the_egg_lists_its_spiders_and_crawls(tmp_path: Path) -> None:
    pytest.importorskip("scrapyd")
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".venv", ".git", "data", "build", "*.egg-info", "tests"))
    built = subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()", "-q", "bdist_egg", "-d",
                            str(tmp_path / "dist")], cwd=src, capture_output=True, text=True, timeout=180)  # fmt: skip
    assert built.returncode == 0, built.stderr[-2000:]
    (egg,) = (tmp_path / "dist").glob("nianbao-*.egg")
    eggs = tmp_path / "scrapyd" / "eggs" / "nianbao"
    eggs.mkdir(parents=True)
    shutil.copy(egg, eggs / "1_0.egg")
    (tmp_path / "scrapyd" / "scrapyd.conf").write_text(f"[scrapyd]\neggs_dir = {eggs.parent}\n", encoding="utf-8")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "SCRAPY_PROJECT": "nianbao",
           "PYTHONPATH": os.pathsep.join(site.getsitepackages()), "NIANBAO_CONFIG": str(ROOT / "config.toml")}  # fmt: skip

    def runner(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-S", "-m", "scrapyd.runner", *args], cwd=tmp_path / "scrapyd",
                              capture_output=True, text=True, timeout=120, env=env)  # fmt: skip

    probe = subprocess.run([sys.executable, "-S", "-c", "import crawler"], cwd=tmp_path, capture_output=True, env=env,
                           timeout=60)  # fmt: skip
    assert probe.returncode != 0  # without the egg, nianbao is not importable here
    listed = runner("list")
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert listed.stdout.split() == sorted(load_config(ROOT / "config.toml").sites)  # the 17 Beijing portals
    env.pop("NIANBAO_CONFIG")
    unconfigured = runner("list")  # scrapyd's folder has no config.toml: said, not an empty list
    assert unconfigured.returncode == 1 and unconfigured.stderr.startswith("scrapy: no config.toml found")
    with PortalServer(xicheng_site(traps=False)) as server:
        env.update(NIANBAO_CONFIG=str(site_config(tmp_path, server, "xicheng")), NIANBAO_DB=str(tmp_path / "egg.db"))
        crawled = runner("crawl", "xicheng")  # as scrapyd runs a scheduled job
        assert crawled.returncode == 0, crawled.stderr[-2000:]
        stored = query(tmp_path / "egg.db", "select count(*) as n from reports")[0]["n"]
        assert stored == len(server.fixture.expected)
