"""Installed like any Python tool: the wheel built from this checkout, installed into a fresh
virtualenv (no system site-packages, the checkout nowhere on its path), run from an empty folder:
`crawl --version`, `crawl init`, `crawl --demo` (no config needed: it writes under that folder,
its outbox beside its database) and `crawl parse` on a seed. About 40-60 s: pip installs the
dependencies from the local registry cache."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "fixtures" / "seeds" / "003_42b2e6b1a7d7c7c9.txt"

pytestmark = pytest.mark.install


def run(*cmd: str | Path, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_", "PYTHON", "VIRTUAL_ENV"))}
    env["HOME"] = str(cwd.parent / "home")  # no user config dir to find
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert done.returncode == 0 or cmd[1:2] == ("parse",), f"{cmd}: {done.stdout[-1500:]}{done.stderr[-1500:]}"
    return done


def test_the_wheel_installs_and_runs_from_an_empty_folder(tmp_path: Path) -> None:
    wheels, env_dir, work = tmp_path / "wheels", tmp_path / "venv", tmp_path / "work"
    work.mkdir()
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, ROOT, cwd=tmp_path)
    venv.create(env_dir, with_pip=True)
    (wheel,) = wheels.glob("nianbao-*.whl")
    run(env_dir / "bin" / "python", "-m", "pip", "install", "-q", wheel, cwd=tmp_path)
    crawl = env_dir / "bin" / "crawl"

    assert run(crawl, "--version", cwd=work).stdout.startswith("crawl (nianbao) ")
    assert not list(work.iterdir())
    run(crawl, "init", cwd=work)
    assert (work / "config.toml").read_text(encoding="utf-8") == (ROOT / "config.toml").read_text(encoding="utf-8")
    (work / "config.toml").unlink()  # the demo needs none

    demo = run(crawl, "--demo", "--demo-reports", "5", cwd=work)
    assert f"crawling it into {work / 'data' / 'demo.db'}" in demo.stdout
    assert f"1 sent to {work / 'data' / 'outbox'}" in demo.stdout
    assert len(list((work / "data" / "outbox").glob("*.eml"))) == 1

    parsed = run(crawl, "parse", SEED, cwd=work)
    assert "北京市西城区人民政府 · 2020" in parsed.stdout and "result: 4 error(s)" in parsed.stdout
    assert "Traceback" not in parsed.stderr

    missing = subprocess.run([crawl, "findings"], cwd=work, capture_output=True, text=True, timeout=60,
                             env={"PATH": os.environ["PATH"], "HOME": str(tmp_path / "home")})  # fmt: skip
    assert missing.returncode == 2 and missing.stderr.startswith("crawl: no config.toml found (looked in: ")
