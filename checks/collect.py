"""The collector every rule writes to: one finding per failed check, each with its severity,
fingerprint and cells; checks that blank cells kept from being evaluated become one info
finding per rule."""

from __future__ import annotations

from collections.abc import Iterable

from common.constants import Rule, Severity
from parsers.model import Finding, Number, Report, Side, fingerprint, report_key

SEVERITY: dict[str, Severity] = {
    Rule.BALANCE: Severity.ERROR,
    Rule.RESULTS_SUM: Severity.ERROR,
    Rule.ROW_TOTAL: Severity.ERROR,
    Rule.REVIEW_TOTAL: Severity.ERROR,
    Rule.MISSING_TABLE: Severity.ERROR,
    Rule.MISSING_CELLS: Severity.WARNING,
    Rule.TEMPLATE_MISMATCH: Severity.WARNING,
    Rule.CARRY_CONTINUITY: Severity.ERROR,
    Rule.NARRATIVE_MISMATCH: Severity.WARNING,
    Rule.IN_FORCE_CONTINUITY: Severity.WARNING,
    Rule.MISSING_SECTION: Severity.WARNING,
    Rule.LATE_PUBLICATION: Severity.WARNING,
    Rule.MISSING_REPORT: Severity.ERROR,
    Rule.URL_YEAR_MISMATCH: Severity.WARNING,  # docs/portals.md §9.7; needs the page's URL, so a crawl runs it
    Rule.COPIES_DIFFER: Severity.ERROR,  # two sites publish one report with different numbers: one is wrong
}


class Collector:
    """Gathers findings for one report; blank-cell skips are folded into one info per rule."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.key = report_key(report)
        self.findings: list[Finding] = []
        self.skipped: dict[str, tuple[list[str], dict[str, None]]] = {}  # rule -> wheres, cells (ordered set)

    def add(self, rule: Rule, where: str, message: str, lhs: Side | None = None, rhs: Side | None = None,
            cells: list[str] | None = None) -> None:  # fmt: skip
        if cells is None:
            cells = [*(lhs.cells if lhs else {}), *(rhs.cells if rhs else {})]
        severity = SEVERITY[rule]
        fp = fingerprint(self.key, rule, where, severity)
        self.findings.append(Finding(rule, severity, where, message, lhs, rhs, cells, fp))

    def skip(self, rule: Rule, where: str, blanks: list[str]) -> None:
        wheres, cells = self.skipped.setdefault(rule, ([], {}))
        wheres.append(where)
        cells.update(dict.fromkeys(blanks))

    def equation(self, rule: Rule, where: str, lhs: dict[str, Number | None], rhs: dict[str, Number | None],
                 lhs_expr: str, rhs_expr: str, minus: tuple[str, ...] = ()) -> None:  # fmt: skip
        """lhs = rhs, each the sum of its cells; the cells named in `minus` are subtracted (the
        finding still shows them as the table has them)."""
        blanks = [c for c, v in {**lhs, **rhs}.items() if v is None]
        if blanks:
            self.skip(rule, where, blanks)
            return
        lv, rv = _sum(lhs.values()), _sum(-v if c in minus else v for c, v in rhs.items())
        if abs(lv - rv) > 1e-6:
            self.add(rule, where, f"{lhs_expr} = {fmt(lv)} but {rhs_expr} = {fmt(rv)}",
                     Side(lhs_expr, lv, lhs), Side(rhs_expr, rv, rhs))  # fmt: skip

    def done(self) -> list[Finding]:
        for rule, (wheres, blank) in self.skipped.items():
            cells = list(blank)
            part = wheres[0].split(".", 1)[0]
            message = f"not evaluated for {len(wheres)} of its equations: blank cells ({shown(cells)})"
            fp = fingerprint(self.key, rule, part, Severity.INFO)
            self.findings.append(Finding(rule, Severity.INFO, part, message, cells=cells, fingerprint=fp))
        return self.findings


def shown(cells: list[str]) -> str:
    """The first few cells, without their part: 'new_received.total, carried_over.total …'."""
    return ", ".join(c.split(".", 1)[1] for c in cells[:4]) + (" …" if len(cells) > 4 else "")


def _sum(values: Iterable[Number]) -> Number:
    total = sum(values)
    return round(total, 6) if isinstance(total, float) else total


def fmt(v: Number) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def cells(report: Report, part: str, rows: tuple[str, ...] | list[str], col: str) -> dict[str, Number | None]:
    """{cell key: value} of one column over some rows of a table: one side of an equation."""
    table = getattr(report, part)
    return {f"{part}.{r}.{col}": table.get(r, {}).get(col) for r in rows}
