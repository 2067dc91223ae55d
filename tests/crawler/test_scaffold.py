"""`crawl new-site NAME`: the site's config block, tests/files/NAME/ and a crawl test that pytest
collects, skips while the folder holds placeholders and passes once real pages are saved."""

from __future__ import annotations

import ast
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.config import load_config

ROOT = Path(__file__).resolve().parents[2]
SHANGHAI = ROOT / "tests" / "files" / "shanghai"  # a real report page and a list page linking it
CONFIG = """[storage]
path = "nianbao.db"

[sites.xicheng]
name = "北京市西城区人民政府"
start_urls = ["https://www.bjxch.gov.cn/zt/xxgkzl/zfxxgknb.html"]
allowed_domains = ["www.bjxch.gov.cn"]
"""
START = "https://www.shanghai.gov.cn/nw12344/list.html"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder: a config.toml and an empty tests/ folder."""
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "tests").mkdir()
    return tmp_path


def new_site(project: Path, *args: str) -> int:
    return main(["new-site", *args, "--config", str(project / "config.toml"), "--tests", str(project / "tests")])


def pytest_run(test: Path, *args: str) -> subprocess.CompletedProcess:
    """pytest on a generated test, as a checkout runs it (its `tests` package: this one's helpers)."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "0", "-rs", *args, str(test)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_new_site_writes_the_block_the_folder_and_the_test(project: Path, capsys: pytest.CaptureFixture) -> None:
    assert (
        new_site(
            project, "pudong", "--name", "上海市浦东新区人民政府", "--start-url", "https://www.pudong.gov.cn/zwgk/nb/"
        )
        == 0
    )
    out = capsys.readouterr().out
    files = project / "tests" / "files" / "pudong"
    test = project / "tests" / "spiders" / "test_crawl_pudong.py"
    assert out.splitlines()[:5] == [
        f"wrote {project / 'config.toml'}",
        f"wrote {files / 'README.md'}",
        f"wrote {files / 'zwgk' / 'nb' / 'index.html'}",  # the start page, at its URL's path
        f"wrote {files / 'report.placeholder.html'}",
        f"wrote {test}",
    ]
    text = (project / "config.toml").read_text(encoding="utf-8")
    assert text.startswith(CONFIG)  # appended: the rest of the file as it was
    site = load_config(project / "config.toml").sites["pudong"]
    assert (site.name, site.start_urls, site.allowed_domains) == (
        "上海市浦东新区人民政府",
        ["https://www.pudong.gov.cn/zwgk/nb/"],
        ["www.pudong.gov.cn"],
    )
    assert (site.report_patterns, site.list_patterns, site.content) == ([], [], None)  # left to the user, commented
    assert "# content = " in text and "# report_patterns = " in text
    assert "pudong" in (files / "README.md").read_text(encoding="utf-8")
    source = test.read_text(encoding="utf-8")
    ast.parse(source)
    assert 'CONFIG = TESTS.parent / "config.toml"' in source  # the config, relative to the project
    if importlib.util.find_spec("ruff"):  # the generated file is as clean as the rest of the tests
        for check in (["check"], ["format", "--check"]):
            done = subprocess.run(
                [sys.executable, "-m", "ruff", *check, str(test)], cwd=ROOT, capture_output=True, text=True
            )
            assert done.returncode == 0, done.stdout + done.stderr


def test_domains_are_given_or_the_start_urls_host(project: Path) -> None:
    args = ["--name", "北京市某某区人民政府", "--start-url", "https://www.example.gov.cn/xxgk/nb.html"]
    assert new_site(project, "a", *args, "--domain", "example.gov.cn", "--domain", "WWW.Example.gov.cn") == 0
    assert load_config(project / "config.toml").sites["a"].allowed_domains == ["example.gov.cn", "www.example.gov.cn"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["xicheng", "--start-url", START], "site 'xicheng' is in"),
        (["Pudong", "--start-url", START], "site name 'Pudong' must be lower-case"),
        (["pu-dong", "--start-url", START], "site name 'pu-dong' must be lower-case"),
        (["pudong", "--start-url", "www.pudong.gov.cn/nb/"], "--start-url must be an http(s) URL"),
        (["pudong", "--start-url", "ftp://www.pudong.gov.cn/nb/"], "--start-url must be an http(s) URL"),
        (["pudong", "--start-url", "https://www.pudong.gov.cn/../nb/"], "a path with . or .. segments"),
        (["pudong", "--start-url", START, "--domain", "www.pudong.gov.cn"], "is outside --domain www.pudong.gov.cn"),
        (["pudong", "--start-url", START, "--domain", "http://x/"], "--domain must be a host name"),
    ],
)
def test_a_bad_or_taken_name_is_one_line_and_writes_nothing(
    project: Path, capsys: pytest.CaptureFixture, args: list[str], message: str
) -> None:
    assert new_site(project, *args, "--name", "上海市浦东新区人民政府") == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and message in err and err.startswith("crawl: ")
    assert (project / "config.toml").read_text(encoding="utf-8") == CONFIG
    assert sorted(p.name for p in project.rglob("*")) == ["config.toml", "tests"]


def test_a_folder_or_test_already_there_is_refused(project: Path, capsys: pytest.CaptureFixture) -> None:
    (project / "tests" / "files" / "pudong").mkdir(parents=True)
    assert new_site(project, "pudong", "--name", "浦东", "--start-url", "https://www.pudong.gov.cn/") == 2
    assert "exists already" in capsys.readouterr().err
    assert (project / "config.toml").read_text(encoding="utf-8") == CONFIG


def test_the_generated_test_is_skipped_until_real_pages_are_saved_then_passes(project: Path) -> None:
    assert new_site(project, "shanghai", "--name", "上海市人民政府办公厅", "--start-url", START) == 0
    test = project / "tests" / "spiders" / "test_crawl_shanghai.py"
    files = project / "tests" / "files" / "shanghai"

    collected = pytest_run(test, "--collect-only", "-q")
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert "test_crawl_shanghai.py::test_the_saved_pages_crawl_into_reports" in collected.stdout

    skipped = pytest_run(test)
    assert skipped.returncode == 0 and "1 skipped" in skipped.stdout, skipped.stdout + skipped.stderr
    assert "tests/files/shanghai/ holds placeholders (/nw12344/list.html, /report.placeholder.html)" in skipped.stdout

    # The real pages, saved at their URLs' paths; the list links the report by its absolute URL.
    listing = (SHANGHAI / "list.html").read_text(encoding="utf-8")
    listing = listing.replace('href="/nw12344/20200131/', 'href="https://www.shanghai.gov.cn/nw12344/20200131/')
    (files / "nw12344" / "list.html").write_text(listing, encoding="utf-8")
    report = files / "nw12344" / "20200131" / "report-2019.html"
    report.parent.mkdir()
    shutil.copy(SHANGHAI / "report-2019.html", report)
    skipped = pytest_run(test)
    assert "1 skipped" in skipped.stdout and "(/report.placeholder.html)" in skipped.stdout  # one left
    (files / "report.placeholder.html").unlink()

    passed = pytest_run(test)
    assert passed.returncode == 0 and "1 passed" in passed.stdout, passed.stdout + passed.stderr
