"""A damaged database is refused by the commands that write, before they write anything, in one
line; `crawl doctor` runs the full check; the commands that only read open the file read-only,
so they work on a read-only file system."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from storage.store import Store
from tests.storage.conftest import REAL_FILES, ingest

SITE = '[sites.xicheng]\nstart_urls = ["http://127.0.0.1:1/"]\nallowed_domains = ["127.0.0.1"]\n'


def cli(*args: str, read_only: Path | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "crawler.cli", *args]
    if read_only is not None and os.geteuid() == 0:
        # root writes whatever the modes say: mount the folder read-only, as a read-only file system
        # is, in a mount namespace of the command's own.
        mount = 'mount --bind -o ro "$0" "$0" && exec "$@"'
        command = ["unshare", "-m", "sh", "-c", mount, str(read_only), *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def filled(folder: Path) -> Path:
    db = folder / "nianbao.db"
    with Store(db) as store:
        for i in range(40):  # several MB: the damage lands in the data, not the header
            for path in REAL_FILES[:3]:
                ingest(store, path, url=f"https://www.bjxch.gov.cn/{i}/{path.name}")
    return db


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_damaged_database_stops_writing_commands_before_they_write(tmp_path: Path) -> None:
    db = filled(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\npath = "nianbao.db"\n{SITE}', encoding="utf-8")
    with db.open("r+b") as f:  # 4 KB of random bytes in the middle, as a failing disk might
        f.seek(db.stat().st_size // 8192 * 4096)
        f.write(random.Random(7).randbytes(4096))
    before = digest(db)
    for args in (("--site", "xicheng", "--no-alerts"), ("ingest", str(REAL_FILES[3]))):
        result = cli(*args, "--config", str(config))
        assert result.returncode == 2, result.stdout + result.stderr
        (line,) = result.stderr.splitlines()
        assert line.startswith("crawl: ") and "is damaged" in line and "nothing was written" in line
        assert digest(db) == before
    doctor = cli("doctor", "--config", str(config))
    assert doctor.returncode != 0 and "is damaged" in doctor.stderr


def test_doctor_says_a_sound_database_is_ok(tmp_path: Path) -> None:
    db = filled(tmp_path)
    result = cli("doctor", "--db", str(db))
    assert result.returncode == 0 and result.stdout.strip() == f"{db}: ok (integrity_check)"


@pytest.fixture
def read_only_copy(tmp_path: Path):
    source = filled(tmp_path)
    folder = tmp_path / "ro"
    folder.mkdir()
    try:
        shutil.copy(source, folder / "nianbao.db")
        config = folder / "config.toml"
        config.write_text(f'[storage]\npath = "nianbao.db"\n{SITE}', encoding="utf-8")
        for path in (folder / "nianbao.db", config):
            path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
        yield config
    finally:
        folder.chmod(stat.S_IRWXU)  # for pytest to remove it


def test_reading_commands_work_on_a_read_only_file_system(read_only_copy: Path) -> None:
    folder, config = read_only_copy.parent, str(read_only_copy)
    if os.geteuid() == 0 and cli("--help", read_only=folder).returncode != 0:
        pytest.skip("running as root without a mount namespace to make the folder read-only in")
    before = sorted(p.name for p in read_only_copy.parent.iterdir())
    for args, expect in (
        (("findings",), "open finding(s)"),
        (("status",), "xicheng"),
        (("search", "政府信息公开"), "report(s)"),
        (("export",), '"agency"'),
    ):
        result = cli(*args, "--config", config, read_only=folder)
        assert result.returncode == 0, (args, result.stderr)
        assert expect in result.stdout, (args, result.stdout[:300])
    assert sorted(p.name for p in read_only_copy.parent.iterdir()) == before
