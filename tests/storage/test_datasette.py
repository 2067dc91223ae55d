"""Browsing the store with Datasette: datasette/metadata.json's canned queries over a real
database (the seeds, the samples and the three-year series), through Datasette's own client."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import pytest

from checks.assess import JUDGE
from checks.dates import missing_report
from parsers.load import parse_path
from parsers.model import APPLICATION_ROWS_2019, APPLICATION_ROWS_2021
from storage.store import Store
from tests.storage.conftest import REAL_FILES, ingest
from tests.storage.series import AGENCY, SEEDS

datasette_app = pytest.importorskip("datasette.app")

ROOT = Path(__file__).resolve().parents[2]
METADATA = json.loads((ROOT / "datasette" / "metadata.json").read_text(encoding="utf-8"))
LONG_AGO = "2020-01-01T00:00:00+00:00"
COLUMNS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
KEYS = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
        "legal_service_org", "other_org", "total"]  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """nianbao.db: the real reports on xicheng (the Shanghai sample fetched long ago) and the series
    of one agency on demo: 2021, a broken 2022, and 2023 first fetched long ago and corrected now."""
    from tests.storage.series import YEARS, write_series

    folder = tmp_path_factory.mktemp("browse")
    series = write_series(folder / "series", tuple(YEARS))
    store = Store(folder / "nianbao.db")
    ids = {}
    for path in REAL_FILES:
        old = path.suffix == ".html"
        ids[path.name] = ingest(store, path, fetched_at=LONG_AGO if old else None).report_id
    for name in ("2021", "2022"):
        ids[name] = ingest(store, series[name], site="demo").report_id
    ids["2023"] = ingest(store, series["2023"], site="demo", fetched_at=LONG_AGO).report_id
    ingest(store, series["fixed_2023"], site="demo")
    today = date.today()
    store.check_missing_reports(today, JUDGE)
    agencies = store.db.execute("select agency, max(year) from reports group by report_key").fetchall()
    latest: dict[str, int] = {}
    for agency, year in agencies:
        latest[agency] = max(year, latest.get(agency, 0))
    store.close()
    return {"db": folder / "nianbao.db", "ids": ids, "today": today, "latest": latest}


def get(built: dict, path: str, **params) -> list[dict]:
    async def fetch():
        ds = datasette_app.Datasette([str(built["db"])], metadata=METADATA)
        await ds.invoke_startup()
        response = await ds.client.get(f"/nianbao/{path}.json?" + urlencode({"_shape": "array", **params}))
        assert response.status_code == 200, response.text
        return response.json()

    return asyncio.run(fetch())


def test_metadata_names_the_tables_and_queries() -> None:
    db = METADATA["databases"]["nianbao"]
    assert set(db["queries"]) == {
        "reports_with_errors", "new_this_week", "agency_years", "report_applications", "missing_reports",
    }  # fmt: skip
    assert all(q["title"] and q["description"] and q["sql"] for q in db["queries"].values())
    assert {"reports", "versions", "cells", "findings"} <= set(db["tables"])
    assert db["tables"]["reports"]["facets"] == ["site", "year", "template", "status"]


@pytest.mark.parametrize("name", sorted(METADATA["databases"]["nianbao"]["queries"]))
def test_no_canned_query_reads_every_version(built: dict, name: str) -> None:
    """cells is a view that parses versions.report_json: a query must reach versions by id, or
    it parses every report's JSON (seconds on a real database, past Datasette's time limit)."""
    sql = METADATA["databases"]["nianbao"]["queries"][name]["sql"]
    params = {p: "1" for p in re.findall(r":(\w+)", sql)}
    with sqlite3.connect(built["db"]) as conn:
        plan = [row[3] for row in conn.execute("explain query plan " + sql, params)]
    assert not [step for step in plan if re.fullmatch(r"SCAN (v|vv|versions)\b.*", step)], plan


def test_reports_with_errors(built: dict) -> None:
    rows = get(built, "reports_with_errors")
    assert [(r["site"], r["agency"], r["year"], r["errors"]) for r in rows] == [
        ("demo", AGENCY, 2022, 2),  # carry_continuity: natural persons and the total
        ("xicheng", "北京市西城区人民政府", 2020, 4),  # balance, four columns
        # the series' 2021 on demo is the same report (agency + year) with other numbers: a copy
        ("xicheng", AGENCY, 2021, 1),  # copies_differ
    ]
    assert rows[0]["findings"].count("carry_continuity") == 2
    assert rows[1]["findings"].count("balance @ applications.") == 4
    assert rows[2]["findings"].count("copies_differ @ copy.demo") == 1


def test_new_this_week(built: dict) -> None:
    rows = get(built, "new_this_week")
    seen = {(r["site"], r["year"], r["agency"]): r["what"] for r in rows}
    assert seen[("demo", 2023, AGENCY)] == "revised"  # first seen long ago, a new text now
    assert ("xicheng", 2019, "上海市人民政府办公厅") not in seen  # fetched long ago only
    # the series' 2021 is a copy of seed 000 (same agency and year, stored first on xicheng): not new
    assert sum(w == "new" for w in seen.values()) == len(REAL_FILES) - 1 + 1
    assert len(rows) == len(REAL_FILES) - 1 + 2


def test_one_agency_across_the_years(built: dict) -> None:
    rows = get(built, "agency_years", agency=AGENCY)
    # demo's 2021 is one more copy of xicheng's (one report, two URLs): the carry is checked against it
    assert [(r["year"], r["site"]) for r in rows] == [(2021, "xicheng"), (2022, "demo"), (2023, "demo")]
    demo = {r["year"]: r for r in rows if r["site"] == "demo"}
    assert demo[2022]["carried_over"] == 1  # the broken carry
    assert demo[2022]["open_errors"] == 2 and demo[2022]["open_findings"].count("carry_continuity") == 2
    assert demo[2023]["regulations_in_force"] == 6 and demo[2023]["versions"] == 2  # corrected: 6 + 0 - 0
    late = built["today"] > date(2025, 1, 31)  # then the 2024 report is missing (a finding on 2023)
    assert demo[2023]["open_findings"] == ("missing_report" if late else None)
    assert [r["report_id"] for r in rows if r["site"] == "xicheng"] == [built["ids"]["000_402f5e06dd06528b.txt"]]
    assert get(built, "agency_years", agency="北京市西城区人民政府外事办公室 2") == []


def test_one_agency_across_the_years_reads_its_reports_by_index(built: dict) -> None:
    """The agency's reports by the indexes on agency and report_key (a key's prefix as a range: a
    LIKE of a parameter reads every report), so the query costs the same at 100,000 reports."""
    sql = METADATA["databases"]["nianbao"]["queries"]["agency_years"]["sql"]
    with sqlite3.connect(built["db"]) as conn:
        plan = [row[3] for row in conn.execute("explain query plan " + sql, {"agency": AGENCY})]
    assert not [step for step in plan if step.startswith("SCAN")], plan


@pytest.mark.parametrize(
    ("name", "rows"),
    [("000_402f5e06dd06528b.txt", APPLICATION_ROWS_2021), ("003_42b2e6b1a7d7c7c9.txt", APPLICATION_ROWS_2019)],
)
def test_one_reports_table_2_as_the_official_table(built: dict, name: str, rows: tuple[str, ...]) -> None:
    got = get(built, "report_applications", report_id=built["ids"][name])
    assert [r["row_key"] for r in got] == list(rows)
    assert list(got[0]) == ["申请人情况", "row_key", *COLUMNS]
    assert got[0]["申请人情况"] == "一、本年新收政府信息公开申请数量"
    assert got[-1]["申请人情况"] == "四、结转下年度继续办理"
    applications = parse_path(SEEDS / name).report.applications
    assert [[r[c] for c in COLUMNS] for r in got] == [[applications[row][k] for k in KEYS] for row in rows]


def test_blank_cells_stay_blank_in_the_official_table(built: dict) -> None:
    got = get(built, "report_applications", report_id=built["ids"]["004_ecd6952428bd61a9.txt"])
    assert len(got) == len(APPLICATION_ROWS_2021)
    assert sum(r[c] is None for r in got for c in COLUMNS) == 173


def test_missing_reports(built: dict) -> None:
    rows = get(built, "missing_reports")
    expected = {
        (agency, year + 1)
        for agency, year in built["latest"].items()
        if missing_report(agency, year, built["today"]) is not None
    }
    assert {(r["agency"], r["missing_year"]) for r in rows} == expected
    assert (AGENCY, 2024) in expected or built["today"] <= date(2025, 1, 31)


def test_full_text_search_and_facets(built: dict) -> None:
    hits = get(built, "report_text", _search="西城外事", _col="agency")
    assert {r["agency"] for r in hits} == {AGENCY} and len(hits) == 3  # seed 000 and the series' 2022, 2023

    async def facets():
        ds = datasette_app.Datasette([str(built["db"])], metadata=METADATA)
        response = await ds.client.get("/nianbao/reports.json")
        return response.json()["facet_results"]

    results = asyncio.run(facets())
    results = results.get("results", results)  # Datasette 1.0 nests them
    assert set(results) == {"site", "year", "template", "status"}
    sites = {f["value"]: f["count"] for f in results["site"]["results"]}
    assert sites == {"xicheng": len(REAL_FILES), "demo": 2}  # demo's 2021 is a copy of xicheng's
