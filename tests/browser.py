"""Debian's chromium, headless, as a reader's browser for the tests: the DOM it renders and a
screenshot. Tests that need it are skipped where it is not installed (.ci/run installs it)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run")


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return path


def _run(url: str, *args: str, timeout: float = 90) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="nianbao-chromium-") as profile:
        return subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", *args, url],
            capture_output=True,
            text=True,
            timeout=timeout,
        )


def dump_dom(url: str) -> str:
    """The DOM after the page's scripts ran, serialised."""
    out = _run(url, "--dump-dom", "--virtual-time-budget=5000")
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def screenshot(url: str, png: Path, size: str = "1200,1600") -> Path:
    out = _run(url, f"--screenshot={png}", f"--window-size={size}", "--hide-scrollbars", "--virtual-time-budget=5000")
    assert png.exists() and png.stat().st_size > 1000, out.stderr[-2000:]
    return png
