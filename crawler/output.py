"""The command line's output layer: where log records become the lines a user or the journal reads.

Every module logs through `logging.getLogger(__name__)` (Scrapy's convention) and prints
nothing; an entry point (crawler.cli, `scrapy crawl`) attaches these handlers once, first:

- on a terminal or a pipe, nianbao's own INFO and WARNING records (a crawl's progress:
  "[xicheng] new: 北京市西城区人民政府 2020") go to stdout as plain lines, as the user reads
  them; everything else that reaches LOG_LEVEL (Scrapy's, Twisted's, APScheduler's warnings,
  nianbao's errors) goes to stderr as one line "LEVEL logger: message", never a traceback;
- under systemd (JOURNAL_STREAM names our stderr), every record goes to stderr as one line
  "<N>LEVEL logger: message": the journal stores the level (`journalctl -p warning`) and the source.
"""

from __future__ import annotations

import io
import logging
import os
import re
import sys
from datetime import datetime
from typing import TextIO

from common.constants import CHINA

# nianbao's top-level packages: their records are the program's own lines.
PACKAGES = ("alerts", "checks", "common", "crawler", "fixture_portal", "parsers", "spiders", "storage")
LINE = "%(levelname)s %(name)s: %(message)s"
_SYSLOG = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3, logging.CRITICAL: 2}


# What a terminal would act on rather than show: C0 controls but tab and newline (ESC starts the
# sequences that retitle, clear or recolour the terminal, or write to the clipboard), DEL, C1
# controls, and the bidirectional overrides that reorder what is shown.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """Text from pages (titles, agencies, errors) as it may reach a terminal: controls removed."""
    return CONTROL.sub("", text)


class CleanStream(io.TextIOBase):
    """sys.stdout or sys.stderr with every write cleaned (`clean`): what the commands print
    holds page text, and a page's title must not drive the reader's terminal."""

    def __init__(self, raw: TextIO) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        self.raw.write(clean(text))
        return len(text)

    def flush(self) -> None:
        self.raw.flush()

    def fileno(self) -> int:
        return self.raw.fileno()

    def isatty(self) -> bool:
        return self.raw.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.raw.encoding


class OneLine(logging.Formatter):
    """Scrapy logs network errors with tracebacks; a reader sees the one line that matters.
    Times, when asked for, are ISO 8601 to the second in Beijing time, with the offset (+08:00)."""

    def format(self, record: logging.LogRecord) -> str:
        record.exc_info = record.exc_text = record.stack_info = None
        return clean(super().format(record).splitlines()[0])

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, CHINA).isoformat(timespec="seconds")


class _Journal(OneLine):
    """A syslog priority prefix, which journald reads as the line's level."""

    def format(self, record: logging.LogRecord) -> str:
        return f"<{_SYSLOG.get(record.levelno, 6)}>" + super().format(record)


class _Stream(logging.StreamHandler):
    """Writes to sys.stdout or sys.stderr as it is when a record comes, not when the handler was
    made (pytest's capture, a caller's redirect)."""

    def __init__(self, which: str) -> None:
        super().__init__()
        self._which = which

    @property
    def stream(self) -> TextIO:
        return getattr(sys, self._which)

    @stream.setter
    def stream(self, value: object) -> None:  # StreamHandler.__init__ sets it; the property decides
        pass


def _ours(record: logging.LogRecord) -> bool:
    return record.name.partition(".")[0] in PACKAGES


def _progress(record: logging.LogRecord) -> bool:
    """nianbao's own information and warnings: the lines stdout shows."""
    return _ours(record) and record.levelno < logging.ERROR


def in_journal() -> bool:
    """True when stderr is connected to the systemd journal (systemd.exec(5): JOURNAL_STREAM)."""
    stream = os.environ.get("JOURNAL_STREAM", "")
    try:
        st = os.fstat(sys.stderr.fileno())
    except (AttributeError, OSError, ValueError):  # no real file (pytest's capture)
        return False
    return stream == f"{st.st_dev}:{st.st_ino}"


def _install(handlers: list[logging.Handler]) -> None:
    """Replace the handlers this module installed before (a second main() in one process) and
    leave others alone (pytest's, Scrapy's own)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_nianbao", False)]:
        root.removeHandler(handler)
    for handler in handlers:
        handler._nianbao = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    for package in PACKAGES:  # their INFO lines are wanted whatever LOG_LEVEL keeps of the libraries'
        logging.getLogger(package).setLevel(logging.INFO)


def live() -> bool:
    """A live progress line is drawn: stdout is a terminal that can redraw a line (not TERM=dumb, as CI
    runners and Emacs shells set), not the journal, and NIANBAO_PLAIN is not set."""
    redraws = os.environ.get("TERM", "") not in ("dumb", "unknown")
    return sys.stdout.isatty() and redraws and not in_journal() and not os.environ.get("NIANBAO_PLAIN")


def _stdout_handler(timestamps: bool) -> logging.Handler:
    if live() and not timestamps:
        from crawler.live import LiveLine

        handler = LiveLine()
        handler.addFilter(lambda r: _progress(r) and (r.levelno >= logging.INFO or hasattr(r, "progress")))
        handler.setFormatter(OneLine("%(message)s"))
        logging.getLogger("crawler.progress").setLevel(logging.DEBUG)  # its records feed the line
        return handler
    out = _Stream("stdout")
    out.setLevel(logging.INFO)
    out.addFilter(_progress)
    out.setFormatter(OneLine("%(asctime)s %(message)s" if timestamps else "%(message)s"))
    return out


def configure(level: str | int = "WARNING", *, timestamps: bool = False) -> None:
    """The handlers of the `crawl` command. level: what stderr shows of the libraries' records
    (Scrapy's LOG_LEVEL); timestamps: each line starts with its time (`crawl schedule`, which
    runs for days)."""
    levelno = logging.getLevelName(level) if isinstance(level, str) else level
    if in_journal():
        journal = _Stream("stderr")
        journal.setLevel(logging.INFO)
        journal.addFilter(lambda r: _ours(r) or r.levelno >= levelno)
        journal.setFormatter(_Journal(LINE))
        _install([journal])
    else:
        err = _Stream("stderr")
        err.setLevel(levelno)
        err.addFilter(lambda r: not _progress(r))
        err.setFormatter(OneLine(("%(asctime)s " if timestamps else "") + LINE))
        _install([_stdout_handler(timestamps), err])
    logging.getLogger().setLevel(levelno)


def progress_to_stdout() -> None:
    """For `scrapy crawl`: Scrapy's own handler keeps the log (levels, sources, LOG_FILE under
    scrapyd); the crawl's progress lines also go to stdout, as `crawl --site` shows them."""
    if not in_journal():
        _install([_stdout_handler(False)])
