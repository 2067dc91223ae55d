"""Exports: JSON (report objects in the spec's JSON form plus report_id, site, url, home_site,
home_url, versions), CSV (cells in long form, plus a file of findings) and the same two tables as
sheets of one .xlsx workbook. A finding held by a page with no report (a unit known only from
reports published as files: its missing_report) is exported too, its page's URL where a report's
would be and report_id null."""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parsers.model import Report
from storage.store import Store

CHUNK = 500
# url: the report's page on `site` (with --site, a copy's for a report that site carries from another);
# home_site, home_url: the report's own. Added at the end, so that columns read by position stay.
FINDINGS_HEADER = [
    "site", "agency", "year", "rule", "severity", "where", "message", "fingerprint", "first_seen", "resolved_at",
    "url", "report_id", "home_site", "home_url",
]  # fmt: skip


@dataclass
class Selection:
    """What an export holds: the reports (of a site, of a year), and by the same site and year the
    findings held by pages with no report (a unit known only from reports published as files: its
    missing_report sits on its newest such page, findings.page_url), which are no report's."""

    reports: list[dict[str, Any]]
    site: str | None
    year: int | None


def export(store: Store, fmt: str, out: str | None, site: str | None, year: int | None) -> list[str]:
    """Write the current version of every report (of a site, of a year); returns the files written."""
    chosen = Selection(store.reports.current(site, year), site, year)
    if fmt == "json":
        return _json(store, chosen, out)
    if fmt == "csv":
        return _csv(store, chosen, Path(out or "."))
    if fmt == "xlsx":
        return _xlsx(store, chosen, Path(out or "."))
    raise ValueError(f"unknown export format {fmt!r} (json, csv or xlsx)")


def _json(store: Store, chosen: Selection, out: str | None) -> list[str]:
    items = _report_items(store, chosen.reports) + _page_items(store, chosen)
    text = json.dumps(items, ensure_ascii=False, indent=1)
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
        return [out]
    sys.stdout.write(text + "\n")
    return []


def _report_items(store: Store, reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids = [r["id"] for r in reports]
    versions: dict[int, list[dict[str, Any]]] = {}
    for v in _chunked(store, "select id, report_id, url, fetched_at, content_hash from versions", "report_id", ids):
        versions.setdefault(v.pop("report_id"), []).append(v)
    findings: dict[int, list[dict[str, Any]]] = {}
    open_only = "select * from findings where resolved_at is null and"
    for f in _chunked(store, open_only, "report_id", ids):
        findings.setdefault(f["report_id"], []).append(finding_json(f))
    items = []
    for r in reports:
        obj = json.loads(r["report_json"])
        # The findings as the store has them now: parse-time ones, the continuity checks against
        # the neighbouring years and missing_report, without those a later version resolved.
        obj["findings"] = findings.get(r["id"], [])
        obj.update(report_id=r["id"], site=r["site"], url=r["url"], home_site=r["home_site"], home_url=r["home_url"],
                   versions=versions.get(r["id"], []))  # fmt: skip
        items.append(obj)
    return items


def _page_items(store: Store, chosen: Selection) -> list[dict[str, Any]]:
    """A page with no report that holds open findings, in the shape of a report object: its agency
    and year, no tables, report_id null, its URL where a report's would be."""
    pages: dict[str, dict[str, Any]] = {}
    for f in store.findings.on_pages(chosen.site, chosen.year, open_only=True):
        if f["url"] not in pages:
            obj = Report(agency=f["agency"], year=f["year"]).to_json()
            obj.update(report_id=None, site=f["site"], url=f["url"], home_site=f["site"], home_url=f["url"],
                       versions=[])  # fmt: skip
            pages[f["url"]] = obj
        pages[f["url"]]["findings"].append(finding_json(f))
    return list(pages.values())


def finding_json(row: dict[str, Any]) -> dict[str, Any]:
    """A findings row in the JSON form of a finding (as parsers.model.Finding.to_json)."""
    out: dict[str, Any] = {"rule": row["rule"], "severity": row["severity"], "where": row["where_"]}
    out["message"] = row["message"]
    for side in ("lhs", "rhs"):
        value = json.loads(row[side]) if row[side] else None
        if value is not None:
            out[side] = value
    out["cells"] = json.loads(row["cells"]) if row["cells"] else []
    out["fingerprint"] = row["fingerprint"]
    return out


CELLS_HEADER = ["site", "agency", "year", "url", "part", "row", "col", "value", "note", "home_site", "home_url"]


def _cell_rows(store: Store, reports: list[dict[str, Any]]) -> Iterator[list[Any]]:
    """Every number of the reports' current versions, one row each (long form)."""
    by_version = {r["current_version"]: r for r in reports}
    for c in _chunked(store, "select * from cells where", "version_id", list(by_version), "version_id, seq"):
        r = by_version[c["version_id"]]
        value = c["value"]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        yield [r["site"], r["agency"], r["year"], r["url"], c["part"], c["row"], c["col"], value, c["note"],
               r["home_site"], r["home_url"]]  # fmt: skip


def _finding_rows(store: Store, chosen: Selection) -> Iterator[list[Any]]:
    """Every finding of the reports, then those of the pages with no report (report_id empty, the
    page's URL as url)."""
    by_report = {r["id"]: r for r in chosen.reports}
    for f in _chunked(store, "select * from findings where", "report_id", list(by_report), "report_id, id"):
        r = by_report[f["report_id"]]
        yield [r["site"], r["agency"], r["year"], *_finding_columns(f), r["url"], r["id"], r["home_site"], r["home_url"]]
    for f in store.findings.on_pages(chosen.site, chosen.year):
        yield [f["site"], f["agency"], f["year"], *_finding_columns(f), f["url"], None, f["site"], f["url"]]


def _finding_columns(f: dict[str, Any]) -> list[Any]:
    return [f["rule"], f["severity"], f["where_"], f["message"], f["fingerprint"], f["first_seen"], f["resolved_at"]]


def _csv(store: Store, chosen: Selection, folder: Path) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, header, rows in (("cells.csv", CELLS_HEADER, _cell_rows(store, chosen.reports)),
                               ("findings.csv", FINDINGS_HEADER, _finding_rows(store, chosen))):  # fmt: skip
        with (folder / name).open("w", newline="", encoding="utf-8-sig") as fh:  # a BOM: Excel reads UTF-8 by it
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(_cells(row) for row in rows)
        written.append(str(folder / name))
    return written


def _xlsx(store: Store, chosen: Selection, out: Path) -> list[str]:
    """One workbook, a sheet of cells and one of findings; text is written as text, never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if out.suffix.lower() != ".xlsx":
        out = out / "nianbao.xlsx"
    out.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook(write_only=True)  # rows streamed to the file, not held in memory
    for title, header, rows in (("cells", CELLS_HEADER, _cell_rows(store, chosen.reports)),
                                ("findings", FINDINGS_HEADER, _finding_rows(store, chosen))):  # fmt: skip
        sheet = book.create_sheet(title)
        sheet.append(header)
        for row in rows:
            line = []
            for v in row:
                cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v)
                if isinstance(v, str):
                    cell.data_type = "s"  # "=1+1" in a page stays text
                line.append(cell)
            sheet.append(line)
    book.save(out)
    return [str(out)]


# A text cell a spreadsheet would run as a formula (OWASP, CSV injection): it starts with one of
# these. A number written as one ("-5") is left as it is.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def _cells(row: list[Any]) -> list[Any]:
    """The row with every text cell that could start a formula prefixed with ', as OWASP advises."""
    return [
        f"'{v}" if isinstance(v, str) and v.startswith(_FORMULA_START) and not _NUMBER.fullmatch(v) else v for v in row
    ]


def _chunked(store: Store, select: str, column: str, ids: list[int], order: str = "id") -> Iterator[dict[str, Any]]:
    """`select ... [where ...] column in (ids)`, CHUNK ids at a time, in `order` within a chunk."""
    if " where" not in select and not select.endswith(" and"):
        select += " where"
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        yield from store.db.query(f"{select} {column} in ({','.join('?' * len(chunk))}) order by {order}", chunk)
