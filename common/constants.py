"""The names every layer shares: page, run and save statuses, severities and rule names, and
the portals' time zone.

StrEnum members are their strings, so they go into SQL, JSON and the database as they are
(``PageStatus.STORED == "stored"``); the strings stored before these names existed still match.
"""

from __future__ import annotations

from enum import StrEnum
from zoneinfo import ZoneInfo

PORTAL_TZ = "Asia/Shanghai"  # the reports' deadlines, the portals' dates and what readers read are Beijing time
CHINA = ZoneInfo(PORTAL_TZ)
# Appended to the message of a finding that rests on numbers OCR read (checks.assess lowers it to a
# warning until a person confirms); readers are told so in Chinese (common.labels.OCR_UNCONFIRMED).
OCR_NOTE = " (numbers read by OCR, not yet confirmed)"


class PageStatus(StrEnum):
    """What became of a page a crawl met: the `pages.status` column and the item's status."""

    # Item states on the way through the pipeline (never stored as a page's status)
    FETCHED = "fetched"  # downloaded, to be parsed
    NOT_MODIFIED = "not_modified"  # 304 to a conditional request
    RECENTLY_CHECKED = "recently_checked"  # checked within recheck_hours: not asked for
    # Stored states
    STORED = "stored"  # holds a report, stored
    FAILED = "failed"  # could not be fetched or read
    NOT_REPORT = "not_report"  # a 解读, a notice: readable, no report
    NOT_PUBLISHED = "not_published"  # a probed URL with no report (yet)
    DROPPED = "dropped"  # redirected off the site
    ATTACHMENT_ONLY = "attachment_only"  # a report published as images or a file only


class RunStatus(StrEnum):
    """A crawl run's status (`crawl_runs.status`)."""

    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    BUSY = "busy"  # another live process crawls the site: not crawled (never stored)
    INTERRUPTED = "interrupted"  # its process died, or was stopped by a signal, before it finished
    FORBIDDEN = "forbidden"  # robots.txt forbids the site's list pages: not crawled, not a failure (no streak)
    LIMITED = "limited"  # stopped at one of the crawl's limits ([crawl] max_*): its errors name which


# Runs that did not end well: a streak of them is the failure_streak alarm (crawler.monitors).
UNSUCCESSFUL_RUNS = (RunStatus.FAILED, RunStatus.INTERRUPTED, RunStatus.LIMITED)


class SaveStatus(StrEnum):
    """What storing a parsed report did."""

    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    COPY = "copy"  # the same report (agency + year) already stored from another site: one more URL of it


class ReportStatus(StrEnum):
    """`reports.status`: whether the current version has an open error."""

    OK = "ok"
    ERROR = "error"


class Severity(StrEnum):
    ERROR = "error"  # the arithmetic is wrong, a table is missing, a report is missing
    WARNING = "warning"  # blank cells, a missing part, the wrong template, late …
    INFO = "info"  # a check that could not be evaluated because cells are blank


class Rule(StrEnum):
    """Every check of docs/report-model.md, and nianbao's own (url_year_mismatch)."""

    BALANCE = "balance"
    RESULTS_SUM = "results_sum"
    ROW_TOTAL = "row_total"
    REVIEW_TOTAL = "review_total"
    MISSING_TABLE = "missing_table"
    MISSING_CELLS = "missing_cells"
    TEMPLATE_MISMATCH = "template_mismatch"
    CARRY_CONTINUITY = "carry_continuity"
    NARRATIVE_MISMATCH = "narrative_mismatch"
    IN_FORCE_CONTINUITY = "in_force_continuity"
    MISSING_SECTION = "missing_section"
    LATE_PUBLICATION = "late_publication"
    MISSING_REPORT = "missing_report"
    URL_YEAR_MISMATCH = "url_year_mismatch"
    COPIES_DIFFER = "copies_differ"  # the same report on two sites with different tables


# Who should publish for year Y on a site: the units that published there for Y, or for one of
# the EXPECTED_YEARS years before it (a unit merged away stops being expected after that).
EXPECTED_YEARS = 3
