"""The live progress line of a crawl on a terminal, drawn by rich: one line per site (list pages,
reports found / fetched / stored, failures, rate, time left), fed by crawler.progress's records.
Warnings print above it; the per-report lines a log keeps are not drawn one by one."""

from __future__ import annotations

import logging
import sys
from datetime import timedelta
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.text import Text

PER_REPORT = "crawler.pipelines"  # its INFO lines ("[xicheng] new: …") are what the line counts


def line(n: dict[str, Any]) -> str:
    left = f" · {timedelta(seconds=round(n['left']))} left" if n.get("left") is not None else ""
    return (f"{n['site']}: list pages {n['list_pages']} · reports found {n['found']} · fetched {n['fetched']} · "
            f"stored {n['stored']} · failed {n['failed']} · {n['rate']:.1f}/s{left}")  # fmt: skip


class LiveLine(logging.Handler):
    """A logging handler for stdout on a terminal: progress records redraw the line, other lines print above."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.sites: dict[str, dict[str, Any]] = {}
        self.live: Live | None = None

    def _console(self) -> Console:
        return self.live.console if self.live else Console(file=sys.stdout, highlight=False)

    def emit(self, record: logging.LogRecord) -> None:
        numbers = getattr(record, "progress", None)
        if numbers is None:
            if record.name == PER_REPORT and record.levelno < logging.WARNING:
                return  # counted in the line (also before its first drawing, which a fast crawl can outrun)
            if record.levelno >= logging.INFO:
                self._console().print(Text(self.format(record)))
            return
        self.sites[numbers["site"]] = numbers
        view = Group(*(Text(line(n)) for n in self.sites.values()))
        if self.live is None:
            self.live = Live(view, console=Console(file=sys.stdout, highlight=False), refresh_per_second=4)
            self.live.start()
        self.live.update(view, refresh=True)
        if all(n["final"] for n in self.sites.values()):
            self.live.stop()  # the last drawing stays on the screen
            self.live, self.sites = None, {}
