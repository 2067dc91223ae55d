"""User mistakes around the database and output files: one line on stderr, exit 2, no traceback."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import storage.store
from crawler.cli import main

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "fixtures" / "seeds" / "003_42b2e6b1a7d7c7c9.txt"


def crawl(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        '[storage]\npath = "nianbao.db"\n[alerts]\noutbox = "outbox"\n'
        '[sites.xicheng]\nstart_urls = ["http://127.0.0.1:1/"]\nallowed_domains = ["127.0.0.1"]\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def db(tmp_path: Path, config: Path) -> Path:
    path = tmp_path / "nianbao.db"
    assert main(["ingest", "--site", "xicheng", "--db", str(path), "--config", str(config), str(SEED)]) == 0
    return path


def one_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("crawl: "), result.stderr
    return lines[0]


def test_a_file_that_is_not_a_database(tmp_path: Path, config: Path) -> None:
    junk = tmp_path / "passwd"
    junk.write_text("root:x:0:0:root:/root:/bin/bash\n" * 40, encoding="utf-8")
    for command in (["findings"], ["search", "行政复议"], ["export"], ["alerts"], ["status"], ["ingest", str(SEED)]):
        line = one_line(crawl(*command, "--db", str(junk), "--config", str(config)))
        assert line == f"crawl: {junk}: file is not a database", command
    line = one_line(crawl("--site", "xicheng", "--no-alerts", "--db", str(junk), "--config", str(config)))
    assert line == f"crawl: {junk}: file is not a database"


def test_a_folder_as_the_database(tmp_path: Path, config: Path) -> None:
    assert one_line(crawl("findings", "--db", str(tmp_path), "--config", str(config))).endswith(
        "unable to open database file"
    )
    assert "unable to open database file" in one_line(crawl("ingest", str(SEED), "--db", str(tmp_path)))


def test_a_database_newer_than_the_code(db: Path, config: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("update schema_meta set value = '999' where key = 'schema_version'")
    conn.close()
    line = one_line(crawl("findings", "--db", str(db), "--config", str(config)))
    assert "newer" in line and "999" in line


def test_export_to_a_missing_folder_or_over_a_file(tmp_path: Path, db: Path, config: Path) -> None:
    missing = tmp_path / "nonexistent" / "x.json"
    line = one_line(crawl("export", "--out", str(missing), "--db", str(db), "--config", str(config)))
    assert str(missing) in line and "No such file or directory" in line
    existing = tmp_path / "a-file"
    existing.write_text("", encoding="utf-8")
    line = one_line(
        crawl("export", "--format", "csv", "--out", str(existing), "--db", str(db), "--config", str(config))
    )
    assert str(existing.name) in line and "exists" in line


def test_status_does_not_create_a_database(tmp_path: Path, config: Path) -> None:
    missing = tmp_path / "new" / "none.db"
    line = one_line(crawl("status", "--db", str(missing), "--config", str(config)))
    assert line == f"crawl: no database at {missing} yet: run a crawl or `crawl ingest` first"
    assert not missing.parent.exists()


def test_alerts_opens_the_store_once(db: Path, config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[Path] = []
    real_init = storage.store.Store.__init__

    def counting_init(self, path, *args, **kwargs):
        opened.append(Path(path))
        real_init(self, path, *args, **kwargs)

    monkeypatch.setattr(storage.store.Store, "__init__", counting_init)
    assert main(["alerts", "--db", str(db), "--config", str(config)]) == 0
    assert opened == [db]
    assert one_line(crawl("alerts", "--db", str(db.with_name("none.db")), "--config", str(config)))
