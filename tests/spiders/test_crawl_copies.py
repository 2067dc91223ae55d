"""One report, many copies; who should publish (issue 14 items 4 and 5), crawled end to end: a
district fixture portal (房山) and the city portal republishing its government's reports
(fixture_portal.beijing.city_site), both crawled into one database with `crawl --site`."""

from __future__ import annotations

import email
import email.policy
import json
from dataclasses import replace
from pathlib import Path

import lxml.html

from fixture_portal import PortalServer
from fixture_portal.beijing import BEIJING, city_site
from fixture_portal.content import ReportContent
from fixture_portal.districts import district_site
from tests.spiders.crawling import crawl, query
from tests.web.test_web_pages import get

GOV = "北京市房山区人民政府"
BUREAU = "北京市房山区发展和改革委员会"


def two_sites(tmp: Path, district: PortalServer, city: PortalServer) -> Path:
    """fangshan (given by its home page, as shipped) and beijing (its list page), both on loopback."""
    path = tmp / "config.toml"
    path.write_text(
        f"""[storage]
path = "nianbao.db"

[crawl]
user_agent = "nianbao-test/0.1 (+https://example.org/nianbao)"
start_delay = 0
recheck_hours = 0
retries = 0

[alerts]
outbox = "outbox"
recipients = ["office@example.org"]

[sites.fangshan]
name = "{GOV}"
home = "{district.url("/")}"
allowed_domains = ["127.0.0.1"]

[sites.beijing]
name = "北京市人民政府 首都之窗"
start_urls = ["{city.url(city.fixture.start_path)}"]
allowed_domains = ["127.0.0.1"]
report_patterns = ['/gongkai/zfxxgk/zfxxgknb/\\d{{4}}nb/\\w+/\\d{{6}}/t\\d{{8}}_\\d+\\.html']
url_year = '/(\\d{{4}})nb/'
list_patterns = ['/gongkai/zfxxgk/zfxxgknb/(\\d{{4}}nb/(\\w+/)?)?(index(_\\d+)?\\.html)?$']
""",
        encoding="utf-8",
    )
    return path


def digests(tmp: Path) -> list[str]:
    """The plain-text part of every digest the crawls wrote to the outbox."""
    mails = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in (tmp / "outbox").glob("*.eml")
    ]
    return [m.get_body(("plain",)).get_content() for m in mails]


def crawl_both(tmp: Path, facts, alter=lambda c: None) -> tuple[str, str]:
    district = district_site(facts)
    with PortalServer(district) as d, PortalServer(city_site(district, alter=alter)) as c:
        config = two_sites(tmp, d, c)
        first = crawl(config, "--site", "fangshan")
        second = crawl(config, "--site", "beijing")
    assert first.returncode == 0, first.stdout + first.stderr
    assert second.returncode == 0, second.stdout + second.stderr
    return first.stdout, second.stdout


def test_a_report_on_the_district_and_the_city_is_one_report_with_two_urls(tmp_path: Path) -> None:
    _, city = crawl_both(tmp_path, BEIJING["fangshan"])
    assert "2 copies of reports stored from another site" in city
    db = tmp_path / "nianbao.db"
    govs = query(db, "select id, site, year from reports where agency = ? order by year", GOV)
    assert [(r["site"], r["year"]) for r in govs] == [("fangshan", 2023), ("fangshan", 2024)]
    for report in govs:
        copies = query(db, "select site, url from copies where report_id = ? order by site", report["id"])
        assert [c["site"] for c in copies] == ["beijing", "fangshan"]
        assert "/gongkai/zfxxgk/zfxxgknb/" in copies[0]["url"]
        page = query(db, "select status, report_id from pages where url = ?", copies[0]["url"])
        assert page == [{"status": "stored", "report_id": report["id"]}]  # asked for conditionally next time
    assert query(db, "select count(*) as n from findings where rule = 'copies_differ'") == [{"n": 0}]
    # alerted once: the new report is in the district's digest only; the city's crawl had no news
    texts = digests(tmp_path)
    assert len(texts) == 1 and texts[0].count(f"- {GOV} 2024年度") == 1, texts
    # each site's page counts it as published there; the report page lists both URLs
    for site in ("fangshan", "beijing"):
        page = lxml.html.fromstring(get(db, f"/-/site/{site}?year=2024").text)
        states = {
            tr.xpath("string(td[1])"): tr.xpath("string(td[2])") for tr in page.xpath("//table[@class='season']/tr[td]")
        }
        assert states[GOV] == "已发布", (site, states)
    report = lxml.html.fromstring(get(db, f"/-/report/{govs[1]['id']}").text)
    assert [a.get("href") for a in report.xpath("//ul[@class='copies']//a")] == [
        c["url"]
        for c in query(
            db, "select url from copies where report_id = ? order by site != 'fangshan', site", govs[1]["id"]
        )
    ]


def changed(content: ReportContent) -> ReportContent | None:
    """The city's copy of the 2024 report with one number changed."""
    if content.year != 2024:
        return None
    apps = {row: dict(cols) for row, cols in content.applications.items()}
    apps["granted"]["natural_person"] = (apps["granted"]["natural_person"] or 0) + 5
    return replace(content, applications=apps)


def test_a_copy_with_a_changed_number_is_copies_differ(tmp_path: Path) -> None:
    crawl_both(tmp_path, BEIJING["fangshan"], alter=changed)
    db = tmp_path / "nianbao.db"
    rows = query(
        db,
        "select f.where_, f.severity, f.cells, r.site, r.year from findings f join reports r on r.id = f.report_id "
        "where f.rule = 'copies_differ' and f.resolved_at is null",
    )
    assert [(r["where_"], r["severity"], r["site"], r["year"]) for r in rows] == [
        ("copy.beijing", "error", "fangshan", 2024)
    ]
    assert json.loads(rows[0]["cells"]) == ["applications.granted.natural_person"]
    texts = digests(tmp_path)
    said = [t for t in texts if "各网站转载的版本数据不一致" in t]
    assert len(said) == 1 and "同一份报告在beijing转载的版本与fangshan不一致" in said[0], texts


def test_a_unit_absent_from_this_year_s_lists_is_expected_and_missing(tmp_path: Path) -> None:
    facts = replace(BEIJING["fangshan"], years=(2022, 2023, 2024), absent=((BUREAU, 2024),))
    district = district_site(facts)
    assert not [c for c in district.reports.values() if c.agency == BUREAU and c.year == 2024]
    with PortalServer(district) as d, PortalServer(city_site(district)) as c:
        done = crawl(two_sites(tmp_path, d, c), "--site", "fangshan")
    assert done.returncode == 0, done.stdout + done.stderr
    db = tmp_path / "nianbao.db"
    missing = query(
        db,
        "select r.agency, r.year, f.message from findings f join reports r on r.id = f.report_id "
        "where f.rule = 'missing_report' and f.resolved_at is null and r.agency = ?",
        BUREAU,
    )
    # the deadline of the 2024 reports (31 January 2025) has passed: found on its 2023 report
    assert [(m["agency"], m["year"]) for m in missing] == [(BUREAU, 2023)]
    assert "no 2024 report" in missing[0]["message"]
    page = lxml.html.fromstring(get(db, "/-/site/fangshan?year=2024").text)
    assert page.xpath("string(//p[@class='expected'])") == "应发布 3 家，已发布 2 家"
    states = {
        tr.xpath("string(td[1])"): tr.xpath("string(td[2])") for tr in page.xpath("//table[@class='season']/tr[td]")
    }
    assert states[BUREAU] == "逾期未发布"
    assert "2024年度：应发布 3 家，已发布 2 家" in "\n".join(digests(tmp_path))


def test_the_city_s_views_link_its_copy_and_name_the_district_as_home(tmp_path: Path, capsys) -> None:
    """`crawl findings/export/search --site beijing`, beijing's feed and site page: a report the city
    carries is shown at the city's URL (the page its office knows), the district named as 首发."""
    import csv

    from crawler.cli import main
    from tests.web.test_feed import ATOM, feed

    crawl_both(tmp_path, BEIJING["fangshan"], alter=changed)  # a copies_differ on the 2024 report
    db = tmp_path / "nianbao.db"
    (gov,) = query(db, "select id, url from reports where agency = ? and year = 2024", GOV)
    (copy,) = query(db, "select url from copies where report_id = ? and site = 'beijing'", gov["id"])
    city_url, home_url = copy["url"], gov["url"]
    assert city_url != home_url and "/gongkai/zfxxgk/zfxxgknb/" in city_url

    assert main(["findings", "--db", str(db), "--site", "beijing"]) == 0
    out = capsys.readouterr().out
    assert f"copies_differ      {GOV} 2024 @ copy.beijing" in out
    assert f"        {city_url}  [" in out and f"        首发：fangshan {home_url}" in out
    assert main(["findings", "--db", str(db), "--site", "fangshan"]) == 0
    out = capsys.readouterr().out  # the district's own view: its own page, no 首发
    assert f"        {home_url}  [" in out and f"        {city_url}  [" not in out and "首发" not in out

    assert main(["export", "--db", str(db), "--site", "beijing", "--year", "2024"]) == 0
    items = {i["agency"]: i for i in json.loads(capsys.readouterr().out)}
    shown = items[GOV]
    assert (shown["report_id"], shown["site"], shown["url"]) == (gov["id"], "beijing", city_url)
    assert (shown["home_site"], shown["home_url"]) == ("fangshan", home_url)
    assert "copies_differ" in [f["rule"] for f in shown["findings"]]
    assert main(["export", "--db", str(db), "--site", "beijing", "--format", "csv", "--out", str(tmp_path / "csv")]) == 0
    capsys.readouterr()
    with (tmp_path / "csv" / "cells.csv").open(encoding="utf-8-sig", newline="") as fh:
        cells = [r for r in csv.DictReader(fh) if r["agency"] == GOV and r["year"] == "2024"]
    assert cells and {(r["site"], r["url"], r["home_site"], r["home_url"]) for r in cells} == {
        ("beijing", city_url, "fangshan", home_url)
    }
    with (tmp_path / "csv" / "findings.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["rule"] == "copies_differ"]
    assert [(r["url"], r["report_id"], r["home_site"], r["home_url"]) for r in rows] == [
        (city_url, str(gov["id"]), "fangshan", home_url)
    ]

    assert main(["search", GOV, "--db", str(db), "--site", "beijing"]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("beijing    2024 "))
    assert lines[at + 1].strip() == city_url and lines[at + 2].strip() == f"首发：fangshan {home_url}"

    entries = list(feed(db, "?site=beijing").iter(f"{ATOM}entry"))
    (new,) = [e for e in entries if e.findtext(f"{ATOM}title") == f"新发布：{GOV} 2024年度"]
    assert new.findtext(f"{ATOM}content").splitlines()[1:] == [f"原文：{city_url}", f"首发：fangshan {home_url}"]

    page = lxml.html.fromstring(get(db, "/-/site/beijing?year=2024").text)
    (row,) = [tr for tr in page.xpath("//table[@class='season']/tr[td]") if tr.xpath("string(td[1])") == GOV]
    assert row.xpath(".//small[@class='copy']//a/@href") == [city_url]
    assert "首发：fangshan" in row.xpath("string(.//small[@class='copy'])")
    own = lxml.html.fromstring(get(db, "/-/site/fangshan?year=2024").text)
    assert not own.xpath("//small[@class='copy']")  # the district's own reports are no copies there
