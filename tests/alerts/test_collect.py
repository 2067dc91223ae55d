"""alerts.collect: what a digest needs is read from the store here (the report tables too), and
the [monitors] thresholds decide when a failure streak or a silent site is news."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from alerts.collect import collect
from checks.assess import JUDGE, assessed
from crawler.config import load_config
from parsers.load import parse_path
from storage.store import Store

SEED_003 = Path(__file__).resolve().parents[1] / "fixtures" / "seeds" / "003_42b2e6b1a7d7c7c9.txt"


def setup(tmp_path: Path, monitors: str = ""):
    path = tmp_path / "config.toml"
    path.write_text(
        f'[storage]\npath = "nianbao.db"\n[alerts]\noutbox = "out"\n{monitors}\n'
        '[sites.xicheng]\nname = "西城区"\nstart_urls = ["http://127.0.0.1:1/"]\nallowed_domains = ["127.0.0.1"]\n',
        encoding="utf-8",
    )
    config = load_config(path)
    return config, Store(config.db_path)


def fail(store: Store, times: int) -> None:
    for _ in range(times):
        store.finish_run(store.runs.start("xicheng"), "failed", {}, ["no list page could be fetched (1 failed)"])


def test_the_digest_carries_the_tables_its_errors_mark(tmp_path: Path) -> None:
    config, store = setup(tmp_path)
    parsed = parse_path(SEED_003)
    store.save_report(
        "xicheng", "https://www.bjxch.gov.cn/r.html", assessed(parsed.report), parsed.records, judge=JUDGE
    )
    d = collect(store, config, "xicheng")
    assert d.site_name == "西城区" and len(d.new) == 1
    errors = [f for f in d.findings if f["severity"] == "error" and f["cells"]]
    assert errors and all(isinstance(f["cells"], list) for f in d.findings)
    assert list(d.reports) == [errors[0]["report_id"]]
    assert d.reports[errors[0]["report_id"]]["applications"]["carried_forward"]["total"] == 2782


def test_the_failure_streak_threshold_comes_from_config(tmp_path: Path) -> None:
    config, store = setup(tmp_path, "[monitors]\nfailure_streak = 2")
    fail(store, 1)
    assert collect(store, config, "xicheng").failing is None
    fail(store, 1)
    d = collect(store, config, "xicheng")
    assert d.failing.message == "crawl failed 2 times in a row"
    assert d.failing.last_error == "no list page could be fetched (1 failed)"
    assert d.covers["failures"] == [("xicheng", d.failing.runs[0]["id"])]


def test_the_stale_factor_comes_from_config(tmp_path: Path) -> None:
    config, store = setup(tmp_path, "[schedule]\ninterval_hours = 24\n[monitors]\nstale_factor = 4")
    store.finish_run(store.runs.start("xicheng"), "ok", {}, [])
    now = datetime.now(UTC)
    assert collect(store, config, "xicheng", now + timedelta(days=3)).stale is None
    d = collect(store, config, "xicheng", now + timedelta(days=5))
    assert d.stale.message == "no successful crawl recently" and d.stale.since
    assert d.covers["watchdog"] == ["xicheng"]


def test_interrupted_and_limited_runs_make_a_failure_streak(tmp_path: Path) -> None:
    config, store = setup(tmp_path, "[monitors]\nfailure_streak = 3")
    fail(store, 1)
    store.finish_run(store.runs.start("xicheng"), "interrupted", {}, ["stopped by a signal"])
    limit = "stopped after 500 list pages (max_list_pages): the list never ends?"
    store.finish_run(store.runs.start("xicheng"), "limited", {}, [limit])
    d = collect(store, config, "xicheng")
    assert d.failing.message == "crawl failed 3 times in a row"
    assert d.failing.last_error == limit


def test_the_digest_says_once_where_a_crawl_stopped(tmp_path: Path) -> None:
    from alerts.deliver import queue_digests
    from storage import alert_queue

    config, store = setup(tmp_path)
    limit = "stopped after 500 list pages (max_list_pages): the list never ends?"
    store.finish_run(store.runs.start("xicheng"), "limited", {}, [limit])
    d = collect(store, config, "xicheng")
    assert d.stopped == limit and not d.empty()
    assert queue_digests(store, config, ["xicheng"])
    (alert,) = alert_queue.unsent(store)
    assert alert["subject"] == "西城区：上次抓取提前停止"
    assert f"西城区（xicheng）上次抓取提前停止：{limit}" in alert["text"]
    assert collect(store, config, "xicheng").stopped is None  # alerted: not news again
    store.finish_run(store.runs.start("xicheng"), "ok", {}, [])
    assert collect(store, config, "xicheng").stopped is None
