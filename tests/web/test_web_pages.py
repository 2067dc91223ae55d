"""The web view's pages in Chinese (issue 11, item 2), driven through Datasette's own client over
a database built by crawling the fixture portal: the report page (official tables, marked cells,
findings explained, parts, versions and their diff), acknowledging by a link, the agency page
(reports by year, a Vega-Lite chart), the site's season, the agency list."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from urllib.parse import quote

import lxml.html
import pytest

import storage.search
from crawler.cli import main
from tests.web.conftest import REVISION, datasette
from web import chart


def get(db: Path, path: str):
    return asyncio.run(datasette(db).client.get(path))


def one(db: Path, sql: str, *args):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchone()
    finally:
        conn.close()


def test_the_report_page_lays_out_the_official_tables_and_marks_the_failing_cells(crawled: Path) -> None:
    report_id, url = one(crawled, "select id, url from reports where year = 2020 and agency = '北京市西城区人民政府'")
    response = get(crawled, f"/-/report/{report_id}")
    assert response.status_code == 200
    page = lxml.html.fromstring(response.text)
    assert page.xpath("string(//h1)") == "北京市西城区人民政府2020年政府信息公开工作年度报告"
    assert page.xpath("//a[@class='source']/@href") == [url]
    captions = [c.text_content() for c in page.xpath("//table[contains(@class,'official')]/caption")]
    assert captions == [
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ]
    table2 = page.xpath("//table[contains(@class,'applications')]")[0]
    assert "法人或其他组织" in [th.text_content() for th in table2.xpath(".//th")]
    assert table2.xpath(".//th[.='（三）不予公开 1.属于国家秘密']")
    total = table2.xpath(".//td[contains(@class,'total')]/@data-cell")
    parts = table2.xpath(".//td[contains(@class,'part')]/@data-cell")
    assert "applications.new_received.natural_person" in total
    assert "applications.carried_forward.natural_person" in parts
    findings = [li.text_content() for li in page.xpath("//ul[contains(@class,'open')]/li")]
    assert any("一、本年新收 + 二、上年结转·自然人 = 1561，而（七）总计 + 四、结转下年度继续办理·自然人 = 4207" in f
               for f in findings)  # fmt: skip
    assert [h.text_content() for h in page.xpath("//h3")][-3:] == [
        "一、总体情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]  # fmt: skip
    assert "new_received" not in page.text_content()


def test_the_stored_copy_and_the_versions_with_their_diff(crawled: Path) -> None:
    report_id = one(crawled, "select r.id from reports r where (select count(*) from versions v "
                             "where v.report_id = r.id) = 2")[0]  # fmt: skip
    page = lxml.html.fromstring(get(crawled, f"/-/report/{report_id}").text)
    versions = page.xpath("//ol[@class='versions']/li")
    assert len(versions) == 2
    added = versions[1].xpath(".//pre[@class='diff']/span[@class='add']/text()")
    assert any(REVISION in line for line in added)
    copy = get(crawled, f"/-/report/{report_id}/copy")
    assert copy.status_code == 200 and REVISION in copy.text


def test_acknowledging_is_a_link_and_a_button(crawled: Path, tmp_path: Path) -> None:
    db = tmp_path / "nianbao.db"
    db.write_bytes(crawled.read_bytes())
    fingerprint, report_id = one(db, "select fingerprint, report_id from findings where where_ = 'applications.total'")
    ds = datasette(db)

    async def run():
        form = await ds.client.get(f"/-/ack/{fingerprint}")
        assert form.status_code == 200 and "确认无误，不再提醒" in form.text
        token = lxml.html.fromstring(form.text).xpath("//input[@name='csrftoken']/@value")[0]
        return await ds.client.post(
            f"/-/ack/{fingerprint}", data={"csrftoken": token}, cookies={"ds_csrftoken": form.cookies["ds_csrftoken"]}
        )

    done = asyncio.run(run())
    assert done.status_code == 302 and done.headers["location"] == f"/-/report/{report_id}"
    assert one(db, "select acknowledged from findings where fingerprint = ?", fingerprint) == (1,)


def test_the_agency_page_has_its_years_a_chart_and_its_findings(crawled: Path) -> None:
    agency = "北京市西城区人民政府"
    response = get(crawled, f"/-/agency?name={quote(agency)}")
    assert response.status_code == 200
    page = lxml.html.fromstring(response.text)
    assert page.xpath("string(//h1)") == agency
    years = [int(td.text_content()) for td in page.xpath("//table[@class='reports']/tr/td[1]")]
    assert years == sorted(years, reverse=True) and 2020 in years
    svg = page.xpath("//figure[@class='chart']/*[local-name()='svg']")
    assert svg and "予以公开" in svg[0].xpath("string(.)")  # the legend of how applications were handled
    assert "勾稽关系不平衡" in page.text_content()
    listing = lxml.html.fromstring(get(crawled, "/-/agency?q=西城").text)
    assert agency in [a.text_content() for a in listing.xpath("//table//a")]


def test_the_site_page_is_the_seasons_to_do_list(crawled: Path) -> None:
    page = lxml.html.fromstring(get(crawled, "/-/site/xicheng?year=2020").text)
    states = {
        tr.xpath("string(td[1])"): tr.xpath("string(td[2])") for tr in page.xpath("//table[@class='season']/tr[td]")
    }
    assert states["北京市西城区人民政府"] == "不一致"
    assert set(states.values()) <= {"已发布", "逾期发布", "不一致", "逾期未发布", "未发布"}
    assert "不一致 1" in page.xpath("string(//p[@class='counts'])")


def test_the_pages_name_a_site_as_the_config_does(crawled: Path) -> None:
    from crawler.cli.reading import browse_metadata
    from crawler.config import load_config

    config = load_config(Path(__file__).resolve().parents[2] / "config.toml")  # the shipped profiles' names
    metadata = browse_metadata(config, crawled)
    name = config.sites["xicheng"].name
    assert metadata["plugins"]["nianbao"]["site_names"]["xicheng"] == name
    assert list(metadata["databases"]) == [crawled.stem]  # its canned queries under the database served

    report_id = one(crawled, "select id from reports where site = 'xicheng' order by id")[0]
    for named, shown in ((metadata, name), (None, "xicheng")):  # without names: the site's key
        ds = datasette(crawled, named)
        site = lxml.html.fromstring(asyncio.run(ds.client.get("/-/site/xicheng?year=2020")).text)
        assert site.xpath("string(//h1)") == f"{shown} · 2020年度报告发布情况"
        report = lxml.html.fromstring(asyncio.run(ds.client.get(f"/-/report/{report_id}")).text)
        assert report.xpath("string(//dt[.='站点']/following-sibling::dd[1])") == shown


def test_unknown_pages_are_404(crawled: Path) -> None:
    assert get(crawled, "/-/report/999999").status_code == 404
    assert get(crawled, "/-/agency?name=nobody").status_code == 404


def test_search_shows_a_count_and_the_hit_in_each_snippet(crawled: Path) -> None:
    expected = one(crawled, "select count(*) from report_text where instr(text, '行政复议') > 0")[0]
    assert expected > 0
    page = lxml.html.fromstring(get(crawled, f"/-/search?q={quote('行政复议')}").text)
    assert page.xpath("string(//p[@class='count'])").startswith(f"找到 {expected} 份报告")
    hits = page.xpath("//div[@class='hit']")
    assert len(hits) == min(expected, 50)
    assert all(h.xpath(".//mark/text()") == ["行政复议"] * len(h.xpath(".//mark")) and h.xpath(".//mark") for h in hits)
    assert all(h.xpath(".//a/@href")[0].startswith("/-/report/") for h in hits)
    short = lxml.html.fromstring(get(crawled, f"/-/search?q={quote('复议')}").text)  # under 3: not FTS5
    assert short.xpath("//mark[.='复议']")


def test_a_long_querys_hits_come_newest_stored_first_and_its_count_stops_at_the_cap(
    crawled: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture,
) -> None:  # fmt: skip
    """3+ characters: the hits in the index's order (report id, newest stored first: no sort of every
    hit), the page's count capped as a short query's is; `crawl search` still counts them all."""
    conn = sqlite3.connect(crawled)
    hits = [r[0] for r in conn.execute("select report_id from report_text where instr(text, ?) > 0 "
                                       "order by report_id desc", ["行政复议"])]  # fmt: skip
    conn.close()
    assert len(hits) > 2

    def listed(page: lxml.html.HtmlElement) -> list[int]:
        return [int(a.split("/")[-1]) for a in page.xpath("//div[@class='hit']/a/@href")]

    found = lxml.html.fromstring(get(crawled, f"/-/search?q={quote('行政复议')}").text)
    assert listed(found) == hits
    assert found.xpath("string(//p[@class='count'])") == f"找到 {len(hits)} 份报告"
    monkeypatch.setattr(storage.search, "COUNT_CAP", 2)
    capped = lxml.html.fromstring(get(crawled, f"/-/search?q={quote('行政复议')}").text)
    assert capped.xpath("string(//p[@class='count'])") == f"找到至少 2 份报告，显示最近收录的 {len(hits)} 份"
    assert listed(capped) == hits  # the hits are not capped, only their count
    assert main(["search", "行政复议", "--db", str(crawled), "--limit", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"reports 1-1 of {len(hits)}; --offset 1 for the next"


def test_the_agency_list_comes_in_pages_each_read_from_the_index(crawled: Path) -> None:
    from web import read

    conn = sqlite3.connect(crawled)
    every = [r[0] for r in conn.execute("select distinct agency from reports where agency is not null order by agency")]
    assert len(every) > 4
    seen, after = [], ""
    while True:  # pages of 2, each after the last name of the one before
        listing = read.agencies(conn, "", after, limit=2)
        assert listing["total"] == len(every) and 1 <= len(listing["agencies"]) <= 2
        seen += [a["agency"] for a in listing["agencies"]]
        if listing["next"] is None:
            break
        after = listing["next"]
    assert seen == every
    one_page = read.agencies(conn, "西城", limit=500)
    assert one_page["next"] is None and one_page["total"] == len([a for a in every if "西城" in a])
    conn.close()
    page = lxml.html.fromstring(get(crawled, "/-/agency").text)
    assert page.xpath("string(//p[@class='counts'])") == f"共 {len(every)} 个机关"
    assert [a.text_content() for a in page.xpath("//table//a")] == every and not page.xpath("//a[@class='next']")
    later = lxml.html.fromstring(get(crawled, f"/-/agency?after={quote(every[1])}").text)
    assert [a.text_content() for a in later.xpath("//table//a")] == every[2:]


def test_the_chart_engine_starts_with_the_server(crawled: Path) -> None:
    """vl-convert's first drawing in a process (its engine starting, most of a second, holding the GIL)
    is paid at Datasette's startup, not by the first agency page."""
    pytest.importorskip("vl_convert")
    chart.warm.cache_clear()
    asyncio.run(datasette(crawled).invoke_startup())
    assert chart.warm.cache_info().currsize == 1
