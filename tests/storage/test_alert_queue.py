"""storage.alert_queue keeps the queue and the marks of what was alerted, nothing else: what a
digest reads of findings, runs and versions is asked of the store's parts (issue 11, tidy)."""

from __future__ import annotations

import inspect

from storage import alert_queue

QUEUE = {
    "pending_reports", "failure_alerted_run", "watchdog_alerted", "clear_watchdog",
    "locked", "queued_since", "enqueue", "unsent", "claim", "mark_sent", "mark_failed",
}  # fmt: skip


def test_only_the_queue_is_left() -> None:
    functions = {
        name
        for name, obj in vars(alert_queue).items()
        if inspect.isfunction(obj) and obj.__module__ == alert_queue.__name__
    }
    assert functions == QUEUE


def test_no_sql_over_runs_or_findings_repeated() -> None:
    source = inspect.getsource(alert_queue)
    assert "crawl_runs" not in source
    assert "from findings" not in source
