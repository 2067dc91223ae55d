"""How fast the store keeps reports: 10,000 distinct reports saved with their cells.

    .venv/bin/python bench/store.py [-n 10000] [--db FILE]

The reports are a parsed seed with its agency, year and table values varied (2,000
agencies x 5 years, stored in shuffled order, so the continuity checks run both ways:
against year N-1 when it is there, and again on year N+1 when N arrives after it). Only
Store.save_report is timed for the reports/s figure (making the reports is not), the
compression of the raw page it does included (timed apart as well, for its share); the
full-text index, brought up to date in batches by TextIndex.index, is timed apart.
Prints reports/s, what reading the cells costs (one version; one cell of every report, through
current_cells), and the database size per report, by table. bench/web.py does the same at 100,000.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checks.assess import JUDGE, assess_report  # noqa: E402
from parsers.load import parse_path  # noqa: E402
from parsers.model import report_from_json  # noqa: E402
from storage.reports import compress_page  # noqa: E402
from storage.store import Store  # noqa: E402

SEED = ROOT / "tests" / "fixtures" / "seeds" / "000_402f5e06dd06528b.txt"
YEARS = 5


def reports(n: int, seed: int = 1):
    """n distinct (report, records) pairs made from the seed, in shuffled order."""
    parsed = parse_path(SEED)
    base = parsed.report.to_json()
    title, rest = parsed.records[0], parsed.records[1:]
    rng = random.Random(seed)
    order = list(range(n))
    rng.shuffle(order)

    def values(agency_no: int, year: int) -> dict[str, int]:
        """The year's own numbers, the same whichever report asks (so year N+1's carried_over and
        in_force can follow from year N's): a consistent series, broken on purpose now and then."""
        r = random.Random(agency_no * 100 + year)
        v = {"new": r.randrange(0, 60), "forward": r.randrange(0, 5)}
        v["in_force_regulations"] = 10 + agency_no % 7
        v["in_force_normative_documents"] = 40 + agency_no % 11
        for y in range(2021, year + 1):
            ry = random.Random(agency_no * 1000 + y)
            for row in ("regulations", "normative_documents"):
                issued, repealed = ry.randrange(0, 9), ry.randrange(0, 3)
                v[f"in_force_{row}"] += issued - repealed
                v[f"issued_{row}"], v[f"repealed_{row}"] = issued, repealed
        return v

    for i in order:
        data = json.loads(json.dumps(base, ensure_ascii=False))
        agency_no, year = i // YEARS, 2021 + i % YEARS
        agency = f"北京市测试区第{agency_no:05d}办公室"
        data.update(
            agency=agency, year=year, title=title.replace(parsed.report.agency, agency).replace("2021", str(year))
        )
        v = values(agency_no, year)
        carried = values(agency_no, year - 1)["forward"] if year > 2021 else 0
        if rng.random() < 0.02:
            carried += 1  # breaks carry_continuity (and balance)
        new, forward = v["new"], v["forward"]
        granted = max(new + carried - forward, 0)
        forward = new + carried - granted
        apps = data["applications"]
        for row, value in (("new_received", new), ("carried_over", carried), ("granted", granted),
                           ("unavailable_not_held", 0), ("total_processed", granted), ("carried_forward", forward)):  # fmt: skip
            apps[row].update(natural_person=value, total=value)
        for row in ("regulations", "normative_documents"):
            data["active_disclosure"][row].update(
                issued=v[f"issued_{row}"], repealed=v[f"repealed_{row}"], in_force=v[f"in_force_{row}"]
            )
        overview = data["sections"]["overview"]
        data["sections"]["overview"] = overview.replace("共收到信息公开申请1件", f"共收到信息公开申请{new}件")
        data["findings"] = []
        report = report_from_json(data)
        report.tables, report.parts = parsed.report.tables, parsed.report.parts
        report.result_rows = parsed.report.result_rows
        report.findings = assess_report(report)
        records = [data["title"], *rest, f"{agency} {year} {new} {carried} {granted} {forward}"]
        yield report, records


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=10_000, help="reports to store (default 10000)")
    ap.add_argument("--db", help="database file (default: a temporary one)")
    args = ap.parse_args()
    tmp = None
    if args.db:
        path = Path(args.db)
        if path.exists():
            sys.exit(f"{path} exists: give a new file")
    else:
        tmp = tempfile.TemporaryDirectory()
        path = Path(tmp.name) / "bench.db"
    store = Store(path)
    saving = saving_cpu = 0.0
    statuses: dict[str, int] = {}
    started = time.perf_counter()
    compressing = 0.0
    for report, records in reports(args.n):
        raw = "\n".join(records).encode("utf-8")
        t = time.perf_counter()
        compress_page(raw)  # what save_report spends of its time on it
        t2, c2 = time.perf_counter(), time.process_time()
        saved = store.save_report(
            "bench", f"https://example.gov.cn/{report.agency}/{report.year}.html", report, records, judge=JUDGE, raw=raw
        )
        saving += time.perf_counter() - t2
        saving_cpu += time.process_time() - c2
        compressing += t2 - t
        statuses[str(saved.status)] = statuses.get(str(saved.status), 0) + 1
    t = time.perf_counter()
    indexed = store.text.index()
    indexing = time.perf_counter() - t
    wall = time.perf_counter() - started
    db = store.db
    n_reports = db.execute("select count(*) from reports").fetchone()[0]
    n_cells = db.execute("select count(*) from cells").fetchone()[0]
    n_findings = db.execute("select count(*) from findings").fetchone()[0]
    # cells: a table keyed by version (storage/cells.py); across reports through current_cells.
    t = time.perf_counter()
    one = db.execute("select count(*) from cells where version_id = (select max(id) from versions)").fetchone()[0]
    one_version = time.perf_counter() - t
    t = time.perf_counter()
    across = db.execute(
        "select count(value), sum(value) from current_cells "
        "where part = 'applications' and row = 'new_received' and col = 'total'"
    ).fetchone()[0]
    across_time = time.perf_counter() - t
    db.execute("pragma wal_checkpoint(truncate)")
    try:
        by_table = db.execute("select name, sum(pgsize) from dbstat group by name order by 2 desc").fetchall()
    except sqlite3.OperationalError:  # SQLite built without dbstat
        by_table = []
    store.close()
    size = path.stat().st_size + sum(p.stat().st_size for p in path.parent.glob(path.name + "-*"))

    print(f"stored {n_reports:,} reports ({statuses}), {n_cells:,} cells, {n_findings:,} findings")
    print(
        f"save_report:  {args.n / saving:,.0f} reports/s ({saving / args.n * 1000:.2f} ms per report, cells included; "
        f"{args.n / saving_cpu:,.0f}/s of this process's CPU time: the gap is waiting, or a busy machine)"
    )
    print(
        f"compress_page: {args.n / compressing:,.0f} pages/s of {len(raw) / 1024:.0f} KB (part of save_report "
        "above; a real Word page of ~230 KB takes ~1.2 ms)"
    )
    print(f"index_text:   {indexed / indexing:,.0f} reports/s (full-text trigram index, batched)")
    print(f"stored and searchable: {args.n / (saving + indexing):,.0f} reports/s; wall time {wall:.1f} s")
    print(
        f"cells:        one version's {one} cells in {one_version * 1000:.1f} ms; one cell of all {across:,} "
        f"reports in {across_time:.2f} s"
    )
    print(f"database:     {size / 1e6:.1f} MB, {size / n_reports / 1024:.1f} KiB per report")
    for name, bytes_ in by_table[:8]:
        print(f"  {name:38} {bytes_ / n_reports / 1024:6.1f} KiB per report")
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
