"""Errors of the store (no imports: the command line catches them without loading sqlite-utils)."""


class StoreError(Exception):
    """A database this nianbao cannot use (a newer schema): one line for the user, no traceback."""


class SiteBusy(StoreError):
    """Another live process is crawling the site: a second crawl would double the traffic."""

    def __init__(self, site: str, pid: int, started: str) -> None:
        super().__init__(f"{site} is being crawled by process {pid} since {started}")
        self.site, self.pid, self.started = site, pid, started
