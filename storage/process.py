"""Who runs a crawl, and whether that process still runs: read from /proc, so a crawl that
starts can tell a live crawl of the same site from one that was killed."""

from __future__ import annotations

import os
import socket
from pathlib import Path


def run_owner(pid: int | None = None) -> str:
    """Who runs a crawl: host, boot, pid and the process's start time, so a later crawl can
    tell whether that process still runs (a pid alone is reused, e.g. after a container restart)."""
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}|{_boot_id()}|{pid}|{_start_time(_stat(pid))}"


def owner_pid(owner: str) -> int:
    return int(owner.split("|")[2])


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:  # not Linux: pids are compared without it
        return ""


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat after the command name: [state, ppid, ...] ([] where there is no /proc)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _start_time(stat: list[str]) -> str:
    return stat[19] if len(stat) > 19 else ""  # field 22 of /proc/PID/stat: start time, in ticks since boot


def same_process(owner: str | None, me: str) -> bool:
    """Whether a run's owner is this process (host, boot and pid; whatever else it records):
    a run this process left open is a leftover, never another crawl."""
    return bool(owner) and owner.split("|")[:3] == me.split("|")[:3]


def alive(owner: str | None) -> bool:
    """Whether the process that owns a run still runs. Another host, an earlier boot or no owner
    (a run from before schema 7): gone, as before."""
    if not owner or owner.count("|") < 2 or os.name != "posix":  # os.kill(pid, 0) would end it on Windows
        return False
    host, boot, pid, *started = owner.split("|")
    if host != socket.gethostname() or boot != _boot_id():
        return False
    try:
        os.kill(int(pid), 0)
    except PermissionError:  # it exists, under another user
        pass
    except (ProcessLookupError, ValueError, OverflowError, OSError):
        return False
    stat = _stat(int(pid))
    if stat and stat[0] in ("Z", "X"):  # killed, not yet reaped by its parent: gone
        return False
    return not (started and started[0] and stat and _start_time(stat) != started[0])  # pid reused
