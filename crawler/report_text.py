"""Human-readable rendering of a parsed report for the terminal."""

from __future__ import annotations

from parsers.model import PARTS, TABLE_PARTS, Report

MARKS = {"error": "✗ ERROR", "warning": "! WARN ", "info": "· INFO "}


def summary(name: str, report: Report) -> str:
    lines = [name]
    lines.append(
        f"  {report.agency or '(agency unknown)'} · {report.year or '(year unknown)'} · "
        f"template {report.template or 'unknown'} · published {report.published or 'unknown'}"
    )
    if report.title:
        lines.append(f"  title: {report.title}")
    if report.source:
        lines.append(f"  read from: {_source(report.source)}")
        if report.source.get("method") == "ocr":
            lines.append(f"  {ocr_state(report.source)}")
    for n, part in TABLE_PARTS.items():
        table = getattr(report, part)
        if n in report.tables:
            cells = sum(len(row) for row in table.values())
            filled = sum(1 for row in table.values() for v in row.values() if v is not None)
            lines.append(f"  table {n} {part}: {len(table)} rows, {filled}/{cells} cells filled")
        else:
            lines.append(f"  table {n} {part}: not found")
    lines.append(f"  parts: {len(report.parts)} of {len(PARTS)} ({', '.join(report.parts) or 'none'})")
    order = {"error": 0, "warning": 1, "info": 2}
    for f in sorted(report.findings, key=lambda f: order[f.severity]):
        lines.append(f"  {MARKS[f.severity]} {f.rule} @ {f.where}: {f.message}")
    n_err = sum(f.severity == "error" for f in report.findings)
    n_warn = sum(f.severity == "warning" for f in report.findings)
    verdict = "OK" if not n_err and not n_warn else f"{n_err} error(s), {n_warn} warning(s)"
    lines.append(f"  result: {verdict}")
    return "\n".join(lines)


def ocr_state(source: dict) -> str:
    """Whether a person confirmed the numbers OCR read (a report whose source method is "ocr")."""
    from crawler.cli.show import local

    if not source.get("confirmed"):
        return "OCR 识别，未经人工确认 (its errors are warnings until a person confirms the numbers: crawl confirm)"
    who = [source["confirmed_by"]] if source.get("confirmed_by") else []
    when = [local(source["confirmed_at"])] if source.get("confirmed_at") else []
    return "OCR 识别，已人工确认" + (f" ({', '.join(who + when)})" if who or when else "")


def _source(source: dict) -> str:
    """'huaian.pdf (pdf, 6 pages); table 1: pages 3, 4; table 2: pages 4, 5; …' (a report read from a file)."""
    about = ", ".join(
        [str(source.get("type"))]
        + ([f"{source['pages']} pages"] if source.get("pages") else [])
        + ([f"converted by {source['converted_by']}"] if source.get("converted_by") else [])
        + (
            [f"read by OCR ({source.get('engine') or 'OCR'}): numbers unconfirmed"]
            if source.get("method") == "ocr"
            else []
        )
    )
    out = [f"{source.get('file') or '(file)'} ({about})"]
    for n, part in TABLE_PARTS.items():
        for place, where in (source.get("tables") or {}).get(part, {}).items():
            place = place.removesuffix("s") if len(where) == 1 else place  # page 5, pages 4, 5
            out.append(f"table {n}: {place} {', '.join(map(str, where))}")
    return "; ".join(out)
