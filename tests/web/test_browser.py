"""The web view in a reader's browser (Debian's chromium, headless), served by `crawl browse`:
the report page shows the official Chinese labels and the marked cells, the agency page its chart,
and the digest's link to an inconsistent report opens that report's page."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest

from alerts.collect import collect
from alerts.render import render
from crawler.config import load_config
from storage.store import Store
from tests.browser import dump_dom, screenshot
from tests.crawler.smtp import free_port

SHOTS = os.environ.get("NIANBAO_SCREENSHOTS")  # a folder: keep the screenshots (docs/ is made so)


@pytest.fixture(scope="module")
def served(crawled: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    db = tmp_path_factory.mktemp("served") / "nianbao.db"
    db.write_bytes(crawled.read_bytes())
    port = free_port()
    proc = subprocess.Popen(  # crawl browse, as a reader starts it; it runs datasette serve as its child
        [sys.executable, "-m", "crawler.cli", "browse", "--db", str(db), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # its own process group: the datasette it starts is stopped with it
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield base, db
        assert "/-/agency" in proc.stdout.readline()  # it names the pages it adds
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


def test_chromium_shows_the_report_page_with_its_labels_and_marked_cells(served, tmp_path: Path) -> None:
    base, db = served
    with Store(db) as store:
        report_id = store.db.execute("select id from reports where status = 'error' order by year limit 1").fetchone()[
            0
        ]
    url = f"{base}/-/report/{report_id}"
    dom = lxml.html.fromstring(dump_dom(url))
    assert dom.xpath("//th[.='一、本年新收政府信息公开申请数量']") and dom.xpath("//th[.='法人或其他组织']")
    assert dom.xpath("//caption[.='三、收到和处理政府信息公开申请情况']")
    assert dom.xpath("//td[contains(@class,'total')]") and dom.xpath("//td[contains(@class,'part')]")
    png = screenshot(url, Path(SHOTS) / "report-page.png" if SHOTS else tmp_path / "report.png", "1200,2000")
    assert png.read_bytes().startswith(b"\x89PNG")


def test_the_digests_link_opens_the_right_report_page(served, tmp_path: Path) -> None:
    base, db = served
    config_path = tmp_path / "config.toml"
    config_path.write_text(
        f'[storage]\npath = "{db}"\n[alerts]\noutbox = "outbox"\n[web]\nbase_url = "{base}"\n'
        '[sites.xicheng]\nname = "西城区"\nstart_urls = ["http://127.0.0.1:1/"]\nallowed_domains = ["127.0.0.1"]\n',
        encoding="utf-8",
    )
    config = load_config(config_path)
    with Store(db) as store:
        mail = render([collect(store, config, "xicheng")], "zh", base)
        expected = store.db.execute(
            "select agency, year from reports where status = 'error' order by agency, year limit 1"
        ).fetchone()
    html = tmp_path / "digest.html"
    html.write_text(mail.html, encoding="utf-8")
    digest = lxml.html.fromstring(dump_dom(html.as_uri()))
    link = digest.xpath("//h3[.='数据不一致']/following::h4[1]/a[1]/@href")[0]
    assert link.startswith(f"{base}/-/report/")
    page = lxml.html.fromstring(dump_dom(link))
    assert page.xpath("string(//dl[@class='meta']/dd[1])").strip() == expected[0]
    assert page.xpath("string(//dl[@class='meta']/dd[2])").strip() == str(expected[1])
    if SHOTS:
        screenshot(html.as_uri(), Path(SHOTS) / "digest.png", "1000,1300")


def test_chromium_shows_the_agency_chart(served) -> None:
    base, _ = served
    dom = lxml.html.fromstring(
        dump_dom(
            f"{base}/-/agency?name=%E5%8C%97%E4%BA%AC%E5%B8%82%E8%A5%BF%E5%9F%8E%E5%8C%BA%E4%BA%BA%E6%B0%91%E6%94%BF%E5%BA%9C"
        )
    )
    assert dom.xpath("string(//h1)") == "北京市西城区人民政府"
    chart = dom.xpath("//figure[@class='chart']/*[local-name()='svg']")
    assert chart and {"予以公开", "不予公开", "结转下年度"} <= set(chart[0].xpath(".//*[local-name()='text']/text()"))
