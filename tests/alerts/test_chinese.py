"""The digest in Chinese (the default; issue 11): what needs action first (不一致, 逾期未发布, 已修订),
then what is merely new, folded; each inconsistent report with its table laid out as the official
table and the failing cells marked; every item linked to the web view and the portal."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from alerts.chinese import MAX_NEW
from alerts.collect import collect
from alerts.deliver import deliver, queue_digests
from alerts.digest import Digest
from alerts.render import render
from crawler.config import ConfigError, load_config
from storage.store import Store
from tests.alerts.test_digests import SEED_000, SEED_003, SEED_004, ingest
from tests.browser import dump_dom, screenshot
from tests.common.test_official_tables import results_sum

BASE = "http://127.0.0.1:8001"
URL = "https://www.bjxch.gov.cn/r.html"


def write_config(tmp_path: Path, alerts: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[storage]\npath = "n.db"\n[alerts]\noutbox = "outbox"\nrecipients = ["office@example.org"]\n{alerts}\n'
        f'[web]\nbase_url = "{BASE}"\n[sites.xicheng]\nname = "西城区"\nstart_urls = ["http://127.0.0.1:1/"]\n'
        'allowed_domains = ["127.0.0.1"]\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def seeded(tmp_path: Path):
    config = load_config(write_config(tmp_path))
    store = Store(config.db_path)
    for seed in (SEED_003, SEED_004, SEED_000):
        ingest(store, seed)
    yield config, store
    store.close()


def test_action_first_then_what_is_new(seeded) -> None:
    config, store = seeded
    mail = render([collect(store, config, "xicheng")], "zh", BASE)
    assert mail.subject == "西城区：1 份报告数据不一致；新发布 3 份"
    lines = mail.text.split("\n")
    assert lines[2] == "需要处理：1 份报告数据不一致。"
    assert mail.text.index("【数据不一致】") < mail.text.index("【其他提示】") < mail.text.index("【新发布 3 份】")
    assert "一、本年新收 + 二、上年结转·自然人 = 1561，而（七）总计 + 四、结转下年度继续办理·自然人 = 4207" in mail.text
    assert "四、结转下年度继续办理：自然人 〔2701〕，商业企业 〔79〕，法律服务机构 〔2〕，总计 〔2782〕" in mail.text
    assert "new_received" not in mail.text and "applications." not in mail.text  # no internal keys
    assert "crawl ack" not in mail.text and "crawl ack" not in mail.html
    report_id = store.db.execute("select id from reports where year = 2020").fetchone()[0]
    assert f"网页：{BASE}/-/report/{report_id}" in mail.text
    assert "原文：https://www.bjxch.gov.cn/003_42b2e6b1a7d7c7c9.html" in mail.text
    fp = store.db.execute("select fingerprint from findings where where_ = 'applications.total'").fetchone()[0]
    assert f"确认无误、不再提醒：{BASE}/-/ack/{fp}" in mail.text


def test_the_html_table_is_the_official_table_with_marked_cells(seeded) -> None:
    config, store = seeded
    page = lxml.html.fromstring(render([collect(store, config, "xicheng")], "zh", BASE).html)
    (table,) = page.xpath("//table[contains(@class,'applications')]")
    assert table.xpath("string(caption)") == "三、收到和处理政府信息公开申请情况"
    heads = [th.text_content() for th in table.xpath(".//tr[position() <= 3]/th")]
    assert heads[:4] == ["", "申请人情况", "自然人", "法人或其他组织"] and "社会公益组织" in heads
    rows = [th.text_content() for th in table.xpath(".//tr/th[1]")]
    assert "（三）不予公开 1.属于国家秘密" in rows and "四、结转下年度继续办理" in rows
    total = [td.get("data-cell") for td in table.xpath(".//td[contains(@class,'total')]")]
    parts = [td.get("data-cell") for td in table.xpath(".//td[contains(@class,'part')]")]
    assert "applications.new_received.natural_person" in total
    assert "applications.carried_forward.natural_person" in parts
    assert not set(total) & set(parts)
    links = {a.get("href") for a in page.xpath("//h4//a")}
    assert f"{BASE}/-/report/1" in links and "https://www.bjxch.gov.cn/003_42b2e6b1a7d7c7c9.html" in links
    assert all(a.get("href").startswith(f"{BASE}/-/ack/") for a in page.xpath("//a[@class='ack']"))


def test_results_sum_tells_the_total_from_its_parts_and_table_3_is_drawn() -> None:
    report = {"template": "2021",
              "applications": {r: {"natural_person": v, "total": v} for r, v in
                               (("granted", 0), ("partially_granted", 0), ("total_processed", 20))},
              "review_litigation": {"review": {"upheld": 1, "corrected": 2, "other": 3, "pending": 0, "total": 7}}}  # fmt: skip
    review = {"id": 2, "report_id": 1, "severity": "error", "rule": "review_total", "fingerprint": "fp2",
              "where_": "review_litigation.review.total", "agency": "西城区外办", "year": 2021, "url": URL,
              "lhs": {"value": 7, "cells": {"review_litigation.review.total": 7}},
              "rhs": {"value": 6, "cells": {f"review_litigation.review.{f}": 1 for f in ("upheld", "corrected")}},
              "cells": ["review_litigation.review.total"]}  # fmt: skip
    first = {**results_sum(), "id": 1, "report_id": 1, "fingerprint": "fp1", "agency": "西城区外办", "year": 2021,
             "url": URL}  # fmt: skip
    mail = render([Digest("xicheng", "西城区", [], findings=[first, review], reports={1: report})], "zh", BASE)
    assert "（七）总计·自然人 = 20，而（一）至（六）之和 = 26" in mail.text
    page = lxml.html.fromstring(mail.html)
    assert [td.get("data-cell") for td in page.xpath("//td[contains(@class,'total')]")] == [
        "applications.total_processed.natural_person", "review_litigation.review.total"]  # fmt: skip
    assert len(page.xpath("//table[contains(@class,'review_litigation')]")) == 1
    assert "表中双框红色为总计，黄色为各分项。" in page.text_content()


def test_a_long_list_of_new_reports_is_folded() -> None:
    new = [{"id": i, "agency": f"局{i}", "year": 2021, "url": f"{URL}?{i}"} for i in range(25)]
    mail = render([Digest("xicheng", "西城区", [], new=new)], "zh", BASE)
    assert mail.subject == "西城区：新发布 25 份"
    assert mail.text.count("  - 局") == MAX_NEW and "局9 2021年度 等 25 份" in mail.text
    assert f"{BASE}/-/report/3" in mail.text


def test_english_by_config_and_a_wrong_language_is_one_line(tmp_path: Path, seeded) -> None:
    config, store = seeded
    (tmp_path / "en").mkdir()
    english = load_config(write_config(tmp_path / "en", 'language = "en"'))
    english.db_path = config.db_path
    assert english.alerts["language"] == "en"
    queue_digests(store, english, ["xicheng"])
    assert deliver(store, english) == (1, 0)
    (eml,) = (tmp_path / "en" / "outbox").glob("*.eml")
    assert "1 inconsistent" in eml.read_text(encoding="utf-8")
    (tmp_path / "bad").mkdir()
    with pytest.raises(ConfigError, match="alerts.language: must be one of zh, en"):
        load_config(write_config(tmp_path / "bad", 'language = "fr"'))


def test_chromium_shows_the_labels_and_the_marked_cells(seeded, tmp_path: Path) -> None:
    config, store = seeded
    html = tmp_path / "digest.html"
    html.write_text(render([collect(store, config, "xicheng")], "zh", BASE).html, encoding="utf-8")
    dom = lxml.html.fromstring(dump_dom(html.as_uri()))
    assert dom.xpath("//th[.='（七）总计']") and dom.xpath("//th[.='法人或其他组织']")
    marked = dom.xpath("//td[contains(@class,'bad')]")
    assert len(marked) == 16  # four columns: 一、二 (the total side) and （七）、四 (the parts side)
    png = screenshot(html.as_uri(), tmp_path / "digest.png")
    assert png.read_bytes().startswith(b"\x89PNG")
