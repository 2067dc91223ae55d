"""Confirming the numbers OCR read, on the web view (issue 13, item 4): the report page says
whether they are confirmed, in Chinese, and links a page with a button that does what `crawl
confirm` does (and one that takes it back), through Datasette's own client."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import lxml.html

from storage.store import Store
from tests.storage.test_confirm import store_ocr
from tests.web.conftest import datasette


def severities(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {r[0] for r in conn.execute("select severity from findings where rule = 'balance'")}
    finally:
        conn.close()


def test_the_report_page_says_ocr_and_a_button_confirms_the_numbers(tmp_path: Path) -> None:
    db = tmp_path / "nianbao.db"
    with Store(db) as store:
        report_id = store_ocr(store).report_id
    ds = datasette(db)

    async def post(form_page: str) -> object:
        form = await ds.client.get(form_page)
        assert form.status_code == 200
        token = lxml.html.fromstring(form.text).xpath("//input[@name='csrftoken']/@value")[0]
        extra = {"undo": "1"} if "撤销确认" in form.text else {}
        return await ds.client.post(
            form_page, data={"csrftoken": token, **extra}, cookies={"ds_csrftoken": form.cookies["ds_csrftoken"]}
        )

    async def run() -> None:
        page = lxml.html.fromstring((await ds.client.get(f"/-/report/{report_id}")).text)
        assert page.xpath("string(//dd[contains(@class,'ocr')])").startswith("OCR 识别，未经人工确认")
        link = page.xpath("//a[@class='confirm']")[0]
        assert link.text == "核对后确认数字" and link.get("href") == f"/-/report/{report_id}/confirm"
        assert "核对无误，确认数字" in (await ds.client.get(link.get("href"))).text

        done = await post(link.get("href"))
        assert done.status_code == 302 and done.headers["location"] == f"/-/report/{report_id}"
        assert severities(db) == {"error"}
        page = lxml.html.fromstring((await ds.client.get(f"/-/report/{report_id}")).text)
        assert page.xpath("string(//dd[contains(@class,'confirmed')])").startswith("OCR 识别，已人工确认（")
        assert page.xpath("string(//a[@class='confirm'])") == "撤销确认"

        undone = await post(f"/-/report/{report_id}/confirm")
        assert undone.status_code == 302 and severities(db) == {"warning"}

    asyncio.run(run())


def test_a_report_not_read_by_ocr_has_no_confirm_page(crawled: Path) -> None:
    page = asyncio.run(datasette(crawled).client.get("/-/report/1/confirm"))
    assert page.status_code == 404
    assert "数字来源" not in asyncio.run(datasette(crawled).client.get("/-/report/1")).text
