"""Alert digests over a real store and a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.html
import pytest

from alerts.deliver import after_crawl, deliver, queue_digests
from checks.assess import JUDGE, assessed
from crawler.config import load_config
from parsers.load import parse_path
from storage.store import Store
from tests.crawler.smtp import SMTPServer, free_port

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
SEED_003 = SEEDS / "003_42b2e6b1a7d7c7c9.txt"
SEED_004 = SEEDS / "004_ecd6952428bd61a9.txt"
SEED_000 = SEEDS / "000_402f5e06dd06528b.txt"


def write_config(tmp_path: Path, smtp_port: int | None, recipients=("office@example.org",)) -> Path:
    lines = [
        "[storage]",
        'path = "nianbao.db"',
        "[alerts]",
        'outbox = "outbox"',
        'language = "en"',  # these tests read the English variant; tests/alerts/test_chinese.py the Chinese
        f"recipients = {json.dumps(list(recipients))}",
    ]
    if smtp_port:
        lines += ['smtp_host = "127.0.0.1"', f"smtp_port = {smtp_port}", "smtp_timeout = 3"]
    lines += [
        "[sites.xicheng]",
        'name = "西城区"',
        'start_urls = ["http://127.0.0.1:1/"]',
        'allowed_domains = ["127.0.0.1"]',
    ]
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ingest(store: Store, path: Path, url: str | None = None) -> None:
    parsed = parse_path(path)
    url = url or f"https://www.bjxch.gov.cn/{path.stem}.html"
    store.save_report("xicheng", url, assessed(parsed.report), parsed.records, judge=JUDGE)


@pytest.fixture
def smtp():
    server = SMTPServer().start()
    yield server
    server.stop()


def test_first_digest_names_balance_failures_and_blank_table(tmp_path, smtp):
    config = load_config(write_config(tmp_path, smtp.port))
    store = Store(config.db_path)
    ingest(store, SEED_003)
    ingest(store, SEED_004)

    assert len(queue_digests(store, config, ["xicheng"])) == 1
    assert deliver(store, config) == (1, 0)
    assert len(smtp.messages) == 1
    msg = smtp.messages[0]
    assert msg["To"] == "office@example.org"
    assert msg["Subject"] == "西城区: 2 new reports, 1 inconsistent"
    text = msg.get_body(("plain",)).get_content()
    for column in ("natural_person", "commercial_enterprise", "legal_service_org", "total"):
        assert f"balance @ applications.{column}" in text
    assert "一+二 = 1621 but 三(七)+四 = 4348" in text
    # Seed 004's blank table 2 is named, and not as arithmetic failures.
    assert re.search(r"山西省人民政府外事办公室 2021 · missing_cells @ applications: 173 of 175 cells blank", text)
    assert "山西省人民政府外事办公室 2021 · balance" not in text

    # Nothing new: a second run sends nothing.
    assert queue_digests(store, config, ["xicheng"]) == []
    assert deliver(store, config) == (0, 0)
    assert len(smtp.messages) == 1


def test_html_part_marks_the_failing_cells(tmp_path, smtp):
    config = load_config(write_config(tmp_path, smtp.port))
    store = Store(config.db_path)
    ingest(store, SEED_003)
    queue_digests(store, config, ["xicheng"])
    deliver(store, config)
    page = lxml.html.fromstring(smtp.messages[0].get_body(("html",)).get_content())
    marked = page.xpath("//td[@class='bad']")
    # Four balance failures, four cells each: 16 marked cells, all of rows 一, 二, 三(七), 四.
    assert len(marked) == 16
    rows = {td.getparent().xpath("./th")[0].text_content() for td in marked}
    assert rows == {"new_received", "carried_over", "total_processed", "carried_forward"}
    values = sorted(
        int(td.text_content()) for td in marked if td.getparent().xpath("./th")[0].text == "carried_forward"
    )
    assert values == [2, 79, 2701, 2782]  # seed 003's impossible 四、结转下年度 row
    # The report text is escaped, and the report is linked.
    assert page.xpath("//a[contains(@href, 'bjxch.gov.cn')]")


def test_revised_report_sends_one_email_with_its_diff(tmp_path, smtp):
    config = load_config(write_config(tmp_path, smtp.port))
    store = Store(config.db_path)
    ingest(store, SEED_000)
    queue_digests(store, config, ["xicheng"])
    deliver(store, config)
    assert len(smtp.messages) == 1

    changed = tmp_path / SEED_000.name
    changed.write_text(
        SEED_000.read_text(encoding="utf-8").replace(
            "区政府外办2021年共收到信息公开申请1件", "区政府外办2021年共收到信息公开申请2件"
        ),
        encoding="utf-8",
    )
    ingest(store, changed, url="https://www.bjxch.gov.cn/000_402f5e06dd06528b.html")
    queue_digests(store, config, ["xicheng"])
    deliver(store, config)
    assert len(smtp.messages) == 2
    msg = smtp.messages[1]
    assert "1 revised report" in msg["Subject"]
    text = msg.get_body(("plain",)).get_content()
    assert "-区政府外办2021年共收到信息公开申请1件" in text
    assert "+区政府外办2021年共收到信息公开申请2件" in text
    # The overview now disagrees with table 2: that is a new finding, alerted once.
    assert "narrative_mismatch" in text


def test_smtp_down_loses_nothing_and_delivers_exactly_once(tmp_path):
    port = free_port()
    config = load_config(write_config(tmp_path, port))
    store = Store(config.db_path)
    ingest(store, SEED_003)
    queue_digests(store, config, ["xicheng"])
    assert deliver(store, config) == (0, 1)  # nobody listening
    ingest(store, SEED_004)
    queue_digests(store, config, ["xicheng"])
    assert deliver(store, config) == (0, 2)
    queued = list(store.db.query("select attempts, last_error from alerts where sent_at is null"))
    assert len(queued) == 2 and queued[0]["attempts"] == 2 and queued[0]["last_error"]

    server = SMTPServer(port).start()
    try:
        assert deliver(store, config) == (2, 0)
        assert deliver(store, config) == (0, 0)
        subjects = [m["Subject"] for m in server.messages]
        assert subjects == ["西城区: 1 new report, 1 inconsistent", "西城区: 1 new report"]
        assert len({m["Message-ID"] for m in server.messages}) == 2
    finally:
        server.stop()


def test_without_smtp_alerts_go_to_the_outbox(tmp_path):
    config = load_config(write_config(tmp_path, None))
    store = Store(config.db_path)
    ingest(store, SEED_003)
    queue_digests(store, config, ["xicheng"])
    assert deliver(store, config) == (1, 0)
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 1
    assert b"Subject:" in files[0].read_bytes()


def test_ack_silences_a_finding(tmp_path, smtp):
    config = load_config(write_config(tmp_path, smtp.port))
    store = Store(config.db_path)
    ingest(store, SEED_003)
    fp = store.db.execute("select fingerprint from findings where where_ = 'applications.total'").fetchone()[0]
    assert store.findings.acknowledge(fp) == 1
    queue_digests(store, config, ["xicheng"])
    deliver(store, config)
    text = smtp.messages[0].get_body(("plain",)).get_content()
    assert "balance @ applications.total:" not in text
    assert "balance @ applications.natural_person" in text


def test_fixed_findings_and_failure_streak_and_watchdog(tmp_path, smtp):
    config = load_config(write_config(tmp_path, smtp.port))
    store = Store(config.db_path)
    ingest(store, SEED_003, url="https://www.bjxch.gov.cn/x.html")
    queue_digests(store, config, ["xicheng"])
    deliver(store, config)

    fixed = tmp_path / SEED_003.name
    fixed.write_text(
        SEED_003.read_text(encoding="utf-8").replace(
            "四、结转下年度继续办理\t\t\t2701\t79\t0\t0\t2\t0\t2782",
            "四、结转下年度继续办理\t\t\t55\t0\t0\t0\t0\t0\t55",
        ),
        encoding="utf-8",
    )
    ingest(store, fixed, url="https://www.bjxch.gov.cn/x.html")
    queue_digests(store, config, ["xicheng"])
    deliver(store, config)
    text = smtp.messages[-1].get_body(("plain",)).get_content()
    assert "Fixed by a later version:" in text and "balance @ applications.total" in text

    # Three failed crawls in a row: one alert for the streak, not one per failure.
    for _ in range(4):
        run = store.runs.start("xicheng")
        store.finish_run(run, "failed", {}, ["no list page could be fetched"])
        queue_digests(store, config, ["xicheng"])
    deliver(store, config)
    failing = [m for m in smtp.messages if "failed" in m["Subject"]]
    assert len(failing) == 1 and "3 times in a row" in failing[0]["Subject"]

    # Watchdog: the last success is older than twice the interval (the default: daily at most).
    later = datetime.now(UTC) + timedelta(days=10)
    assert len(queue_digests(store, config, ["xicheng"], now=later)) == 1
    assert queue_digests(store, config, ["xicheng"], now=later) == []
    deliver(store, config)
    assert "no successful crawl recently" in smtp.messages[-1]["Subject"]


def test_a_missing_report_is_alerted_once_after_its_deadline(tmp_path, smtp):
    """An agency that published for 2021 and not for 2022 is overdue since 31 January 2023."""
    config = load_config(write_config(tmp_path, smtp.port))
    store = Store(config.db_path)
    ingest(store, SEED_000)  # 北京市西城区人民政府外事办公室, 2021: a department, due 31 January
    after_crawl(store, config, ["xicheng"])
    text = smtp.messages[-1].get_body(("plain",)).get_content()
    assert "missing_report" in text and "no 2022 report from 北京市西城区人民政府外事办公室" in text
    assert "1 missing report" in smtp.messages[-1]["Subject"]
    after_crawl(store, config, ["xicheng"])
    assert len(smtp.messages) == 1  # not again


def test_a_long_outage_is_alerted_once(tmp_path, smtp):
    config = load_config(write_config(tmp_path, smtp.port))
    store = Store(config.db_path)
    for _ in range(45):
        run = store.runs.start("xicheng")
        store.finish_run(run, "failed", {}, ["no list page could be fetched"])
        queue_digests(store, config, ["xicheng"])
    deliver(store, config)
    assert [m["Subject"] for m in smtp.messages].count("西城区: crawl failed 3 times in a row") == 1
    assert len(smtp.messages) == 1
    # A success ends the streak; the next streak is news again.
    run = store.runs.start("xicheng")
    store.finish_run(run, "ok", {}, [])
    for _ in range(3):
        run = store.runs.start("xicheng")
        store.finish_run(run, "failed", {}, ["no list page could be fetched"])
    queue_digests(store, config, ["xicheng"])
    deliver(store, config)
    assert len(smtp.messages) == 2


def test_a_digest_claimed_by_another_process_is_not_sent_twice(tmp_path, smtp):
    from storage.alert_queue import claim

    config = load_config(write_config(tmp_path, smtp.port))
    store = Store(config.db_path)
    ingest(store, SEED_003)
    (alert_id,) = queue_digests(store, config, ["xicheng"])
    other = Store(config.db_path)  # another process, sending right now
    assert claim(other, alert_id)
    assert deliver(store, config) == (0, 0)
    assert smtp.messages == []


def test_a_finding_that_comes_back_is_alerted_again(tmp_path, smtp):
    config = load_config(write_config(tmp_path, smtp.port))
    store = Store(config.db_path)
    url = "https://www.bjxch.gov.cn/x.html"
    fixed = tmp_path / "fixed.txt"
    fixed.write_text(
        SEED_003.read_text(encoding="utf-8").replace("2701\t79\t0\t0\t2\t0\t2782", "55\t0\t0\t0\t0\t0\t55"),
        encoding="utf-8",
    )
    for path in (SEED_003, fixed, SEED_003):
        ingest(store, path, url=url)
        after_crawl(store, config, ["xicheng"])
    subjects = [m["Subject"] for m in smtp.messages]
    assert subjects == [
        "西城区: 1 new report, 1 inconsistent, 1 missing report",
        "西城区: 1 revised report, 4 findings fixed",
        "西城区: 1 revised report, 1 inconsistent",
    ]
