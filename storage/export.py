"""Exports: JSON (report objects in the spec's JSON form plus site, url, versions) and CSV
(cells in long form, plus a file of findings)."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from storage.store import Store


def export(store: Store, fmt: str, out: str | None, site: str | None, year: int | None) -> list[str]:
    reports = store.reports(site, year)
    if fmt == "json":
        items = []
        for r in reports:
            obj = json.loads(r["report_json"])
            obj.update(site=r["site"], url=r["url"], versions=store.versions(r["id"]))
            open_findings = store.db.query(
                "select fingerprint from findings where report_id = ? and resolved_at is null", [r["id"]]
            )
            current = {f["fingerprint"] for f in open_findings}
            obj["findings"] = [f for f in obj["findings"] if f["fingerprint"] in current] or obj["findings"]
            items.append(obj)
        text = json.dumps(items, ensure_ascii=False, indent=1)
        if out:
            Path(out).write_text(text, encoding="utf-8")
            return [out]
        sys.stdout.write(text + "\n")
        return []
    folder = Path(out or ".")
    folder.mkdir(parents=True, exist_ok=True)
    ids = [r["current_version"] for r in reports]
    cells_path, findings_path = folder / "cells.csv", folder / "findings.csv"
    with cells_path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["site", "agency", "year", "url", "part", "row", "col", "value", "note"])
        by_version = {r["current_version"]: r for r in reports}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            q = f"select * from cells where version_id in ({','.join('?' * len(chunk))}) order by version_id, rowid"
            for c in store.db.query(q, chunk):
                r = by_version[c["version_id"]]
                value = c["value"]
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                w.writerow(
                    [r["site"], r["agency"], r["year"], r["url"], c["part"], c["row"], c["col"], value, c["note"]]
                )
    with findings_path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "site",
                "agency",
                "year",
                "rule",
                "severity",
                "where",
                "message",
                "fingerprint",
                "first_seen",
                "resolved_at",
            ]
        )
        for r in reports:
            for f in store.db.query("select * from findings where report_id = ? order by id", [r["id"]]):
                w.writerow([r["site"], r["agency"], r["year"], f["rule"], f["severity"], f["where_"], f["message"],
                            f["fingerprint"], f["first_seen"], f["resolved_at"]])  # fmt: skip
    return [str(cells_path), str(findings_path)]
