"""A report found first on one site and copied on another (the city portal republishing a
district's report) is on both sites in every by-site view: `crawl findings --site`, `crawl export
--site`, `crawl search --site` and the per-site Atom feed; a report the other site does not carry
is not."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from crawler.cli import main
from storage.store import Store
from tests.storage.conftest import ingest
from tests.storage.series import SEEDS

SEED_003 = SEEDS / "003_42b2e6b1a7d7c7c9.txt"  # 北京市西城区人民政府 2020: four balance errors
SEED_004 = SEEDS / "004_ecd6952428bd61a9.txt"  # 山西省人民政府山西省 2021: two warnings; not copied
BALANCED = ("natural_person", "commercial_enterprise", "legal_service_org", "total")  # seed 003's failing columns
COPY_URL = "https://www.beijing.gov.cn/gongkai/zfxxgk/zfxxgknb/2020nb/xc/t20210201_1.html"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """xicheng holds two reports; beijing a copy of one of them (seed 003)."""
    path = tmp_path / "nianbao.db"
    store = Store(path)
    ingest(store, SEED_003, site="xicheng")
    ingest(store, SEED_004, site="xicheng")
    assert ingest(store, SEED_003, site="beijing", url=COPY_URL).status == "copy"
    store.close()
    return path


def test_findings_of_a_site_include_its_copies(db: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["findings", "--db", str(db), "--site", "beijing"]) == 0
    out = capsys.readouterr().out
    assert out.count("balance") == 4 and "北京市西城区人民政府 2020" in out
    assert "山西省" not in out  # not on beijing
    assert out.splitlines()[-1] == "4 open finding(s)"
    # each links beijing's copy, the page beijing's office knows, and names the home site and page
    home = SEED_003.resolve().as_uri()
    assert out.count(f"        {COPY_URL}  [") == 4 and home not in out.replace(f"首发：xicheng {home}", "")
    assert out.count(f"首发：xicheng {home}") == 4
    assert main(["findings", "--db", str(db), "--site", "xicheng"]) == 0
    out = capsys.readouterr().out  # the home site still sees both, at its own URLs
    assert "山西省" in out and out.splitlines()[-1] == "6 open finding(s)"
    assert COPY_URL not in out and "首发" not in out and out.count(f"        {home}  [") == 4


def test_export_of_a_site_includes_its_copies(db: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["export", "--db", str(db), "--site", "beijing"]) == 0
    items = json.loads(capsys.readouterr().out)
    # on beijing, at beijing's URL; its home site and URL named beside
    assert [(i["agency"], i["year"], i["site"], i["url"], i["home_site"]) for i in items] == [
        ("北京市西城区人民政府", 2020, "beijing", COPY_URL, "xicheng")
    ]
    assert items[0]["home_url"] == SEED_003.resolve().as_uri()
    assert [f["rule"] for f in items[0]["findings"]] == ["balance"] * 4
    assert main(["export", "--db", str(db), "--site", "xicheng"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert len(items) == 2 and {(i["site"], i["home_site"]) for i in items} == {("xicheng", "xicheng")}
    assert {i["url"] for i in items} == {i["home_url"] for i in items} == {
        s.resolve().as_uri() for s in (SEED_003, SEED_004)
    }


@pytest.mark.parametrize("text", ["行政复议", "复议"])  # FTS5 trigram, and LIKE under 3 characters
def test_search_of_a_site_includes_its_copies(db: Path, text: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["search", text, "--db", str(db), "--site", "beijing"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "1 report(s)" and "北京市西城区人民政府: " in out
    lines = out.splitlines()
    assert lines[0].startswith("beijing ") and lines[1].strip() == COPY_URL
    assert lines[2].strip() == f"首发：xicheng {SEED_003.resolve().as_uri()}"
    assert main(["search", text, "--db", str(db), "--site", "xicheng"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "2 report(s)" and COPY_URL not in out and "首发" not in out


def test_the_feed_of_a_site_includes_its_copies(db: Path) -> None:
    pytest.importorskip("datasette_atom")
    from tests.web.test_feed import ATOM, feed

    titles = [e.findtext(f"{ATOM}title") for e in feed(db, "?site=beijing").iter(f"{ATOM}entry")]
    assert sorted(titles) == [
        "数据不一致：北京市西城区人民政府 2020年度（4 个错误）",
        "新发布：北京市西城区人民政府 2020年度",
    ]
    assert len(list(feed(db, "?site=xicheng").iter(f"{ATOM}entry"))) == 3  # two new, one inconsistent
    # the new report's 原文 on beijing's feed is beijing's copy, its home site and page beside
    (new,) = [e for e in feed(db, "?site=beijing").iter(f"{ATOM}entry") if "新发布" in e.findtext(f"{ATOM}title")]
    home = SEED_003.resolve().as_uri()
    assert new.findtext(f"{ATOM}content").splitlines()[1:] == [f"原文：{COPY_URL}", f"首发：xicheng {home}"]
    on_home = [e.findtext(f"{ATOM}content") for e in feed(db, "?site=xicheng").iter(f"{ATOM}entry")]
    assert f"原文：{home}" in "\n".join(on_home) and COPY_URL not in "\n".join(on_home)


def test_a_site_s_reports_are_found_through_the_copies_index(db: Path) -> None:
    """The by-site filter is led by idx_copies_site, not a read through every report; the copy's URL
    is read by the copies' key."""
    from web.feed import SQL

    store = Store(db)
    asked: list[str] = []
    store.db.conn.set_trace_callback(asked.append)
    store.findings.open("beijing")
    store.reports.current("beijing")
    store.text.search("行政复议", "beijing")
    store.db.conn.set_trace_callback(None)
    store.close()
    conn = sqlite3.connect(db)
    by_site = [s for s in asked if s.lstrip().lower().startswith("select") and "copies" in s]
    assert len(by_site) >= 4  # findings, reports, the search's page and its snippets
    for sql in [*by_site, SQL.replace(":site", "'beijing'")]:
        plan = " | ".join(row[3] for row in conn.execute("explain query plan " + sql))
        assert "idx_copies_site" in plan, f"{sql}\n{plan}"
        # a row's URL on the site (its copy's) is found by the copies' key, one row each
        if "sc.url" in sql or "select url from copies" in sql:
            assert "USING INDEX sqlite_autoindex_copies_1 (report_id=? AND site=?)" in plan, f"{sql}\n{plan}"
        assert not [s for s in plan.split(" | ") if re.match(r"SCAN (copies|sc|c|reports|r)( |$)", s)], plan
    conn.close()


# --- the digest: a site's copies_differ findings, from an index (schema 12) ---------------------


def test_the_digest_finds_a_site_s_copies_differ_from_an_index(tmp_path: Path) -> None:
    store = Store(tmp_path / "nianbao.db")
    ingest(store, SEED_003, site="xicheng")
    changed = tmp_path / "003-copy.txt"
    changed.write_text(SEED_003.read_text(encoding="utf-8").replace("1518", "1519", 1), encoding="utf-8")
    ingest(store, changed, site="beijing", url=COPY_URL)  # the city's copy has one number changed
    asked: list[str] = []
    store.db.conn.set_trace_callback(asked.append)
    pending = {
        site: [(f["rule"], f["where_"]) for f in store.findings.pending(site)] for site in ("beijing", "xicheng")
    }
    store.findings.fixed("beijing")
    store.db.conn.set_trace_callback(None)
    # beijing's digest names its copy's finding only; the report's own findings are the home site's
    assert pending["beijing"] == [("copies_differ", "copy.beijing")]
    assert sorted(pending["xicheng"]) == [("balance", f"applications.{c}") for c in sorted(BALANCED)] + [
        ("copies_differ", "copy.beijing")
    ]
    queries = [s for s in asked if s.lstrip().startswith("select") and "copy." in s]
    assert len(queries) == 3
    for sql in queries:
        plan = [row[3] for row in store.db.conn.execute("explain query plan " + sql)]
        assert any("USING INDEX findings_copies_differ (where_=?)" in step for step in plan), plan
        assert not [step for step in plan if step.startswith("SCAN")], plan  # no finding read through
    store.close()


def test_a_schema_11_database_gets_the_index(tmp_path: Path) -> None:
    import sqlite_utils

    from storage.schema import MIGRATIONS, SCHEMA_VERSION, version

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    old["schema_meta"].create({"key": str, "value": str}, pk="key")
    for step in MIGRATIONS[:11]:
        step(old)
    old["schema_meta"].insert({"key": "schema_version", "value": "11"})
    assert "findings_copies_differ" not in [i.name for i in old["findings"].indexes]
    old.close()
    store = Store(path)
    assert version(store.db) == SCHEMA_VERSION
    assert "findings_copies_differ" in [i.name for i in store.db["findings"].indexes]
    store.close()
