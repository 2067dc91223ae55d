"""Word 97 (.doc), Kingsoft WPS (.wps), .odt and .rtf -> .docx, by LibreOffice headless.

No Python library reads .doc/.wps tables faithfully (antiword and catdoc lose or garble
them), so LibreOffice converts the file to .docx and parsers.docx reads that. Each
conversion runs `soffice` in a subprocess of its own, in a new session (so a time-out kills
LibreOffice's whole process group, soffice.bin included), with a temporary profile
(-env:UserInstallation) that no other conversion shares: parallel conversions, by the parse
workers or by other programs of the same user, do not clash over a profile lock.

Where LibreOffice is not installed the file is refused with MissingTool ("needs LibreOffice to
read .wps"), never passed over silently (Debian: apt-get install libreoffice-writer-nogui).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from parsers.errors import MissingTool, ParseError
from parsers.filetype import LABELS

TIMEOUT = 120.0  # seconds; a report converts in 1-2.5 s, the first run of a fresh profile included
_SUFFIX = {"doc": ".doc", "wps": ".wps", "odt": ".odt", "rtf": ".rtf"}


def soffice() -> str | None:
    """The LibreOffice executable, or None. NIANBAO_SOFFICE names another one (a test sets it to
    nothing to see the message a machine without LibreOffice gives)."""
    if "NIANBAO_SOFFICE" in os.environ:
        return shutil.which(os.environ["NIANBAO_SOFFICE"]) if os.environ["NIANBAO_SOFFICE"] else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_docx(data: bytes, kind: str, timeout: float = TIMEOUT) -> bytes:
    """The file converted to .docx. MissingTool without LibreOffice; ParseError when LibreOffice
    cannot read it or takes longer than `timeout` seconds."""
    exe = soffice()
    if exe is None:
        raise MissingTool(
            f"needs LibreOffice to read {LABELS.get(kind, kind)} (apt-get install libreoffice-writer-nogui)"
        )
    with tempfile.TemporaryDirectory(prefix="nianbao-lo-") as tmp:
        work = Path(tmp)
        source = work / f"report{_SUFFIX.get(kind, '.doc')}"
        source.write_bytes(data)
        out = work / "out"
        cmd = [
            exe, "--headless", "--norestore", "--nologo", "--nolockcheck", "--nodefault",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(source),
        ]  # fmt: skip
        _run(cmd, timeout, kind)
        result = out / "report.docx"
        if not result.is_file() or not result.stat().st_size:
            raise ParseError(f"LibreOffice could not read this {LABELS.get(kind, kind)} file")
        return result.read_bytes()


def _run(cmd: list[str], timeout: float, kind: str) -> None:
    env = {**os.environ, "HOME": str(Path(cmd[-1]).parent)}  # LibreOffice writes under $HOME too
    proc = subprocess.Popen(
        cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True
    )
    try:
        proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise ParseError(
            f"LibreOffice took more than {timeout:.0f} s to convert this {LABELS.get(kind, kind)} file"
        ) from None
    except BaseException:  # KeyboardInterrupt, SystemExit in a worker: leave no LibreOffice behind
        _kill_group(proc)
        raise


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill the conversion's own process group (the session it was started in), then reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):  # it may have ended meanwhile
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
