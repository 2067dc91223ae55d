"""One report on several sites (the city portal republishes the districts' reports): a copy
whose tables differ from the stored report's is a finding, copies_differ, on that report."""

from __future__ import annotations

from checks.collect import Collector
from common.constants import Rule
from parsers.model import TABLE_PARTS, Finding, Number, Report, Side


def table_cells(report: Report) -> dict[str, Number | None]:
    """Every cell of the three tables: 'part.row.col' -> value."""
    return {
        f"{part}.{row}.{col}": value
        for part in TABLE_PARTS.values()
        for row, cols in getattr(report, part).items()
        for col, value in cols.items()
    }


def check_copy(report: Report, copy: Report, home: str, site: str, url: str) -> list[Finding]:
    """copies_differ when the copy on `site` (at `url`) holds other tables than the report stored
    from `home`: the cells that differ, or that one of them lacks, with the value on each side."""
    ours, theirs = table_cells(report), table_cells(copy)
    differ = [key for key in {**ours, **theirs} if ours.get(key) != theirs.get(key)]
    if not differ:
        return []
    out = Collector(report)
    shown = ", ".join(f"{key} {ours.get(key)} / {theirs.get(key)}" for key in differ[:4])
    out.add(
        Rule.COPIES_DIFFER, f"copy.{site}",
        f"the copy on {site} ({url}) differs from the one on {home} in {len(differ)} cell(s): {shown}"
        + (" …" if len(differ) > 4 else ""),
        Side(home, ours.get(differ[0]), {key: ours.get(key) for key in differ}),
        Side(site, theirs.get(differ[0]), {key: theirs.get(key) for key in differ}),
        cells=differ,
    )  # fmt: skip
    return out.findings
