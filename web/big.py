"""Datasette's table page over the long-form tables (`cells`: ~200 rows a report, 20 million at
100,000 reports; the view `current_cells`) and the full-text ones: without a filter, its count(*)
reads the whole table (Datasette's time limit does not stop it: web/counts.py), and its facet
suggestions read it once per column. An ASGI wrapper asks for those pages without the count
(`_nocount`) when nothing filters them, and without suggestions (`_nosuggest`) always; the rows
themselves come by the primary key or an index, as fast as on a small database. A user's own
`_nocount`/`_nosuggest` stands. The tables of a row per report (PER_REPORT) are counted but get
no suggestions either."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

# versions too: each row holds a report's JSON form, so counting 100,000 of them reads ~GBs.
# The full-text tables as well: the text of every report (report_text, no index to count by), the
# FTS5 table (its count reads every text through it) and the index's blocks (report_text_fts_data).
LONG_FORM = ("cells", "current_cells", "versions", "report_text", "report_text_fts", "report_text_fts_data")
# A row per report (or more): counted (from an index) and faceted as metadata.json says, but their
# facet suggestions read the table once per column, most of their page's time at 100,000 reports.
PER_REPORT = ("reports", "findings", "copies", "pages")
App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def quick(scope: dict[str, Any]) -> dict[str, Any]:
    """The request, with _nocount/_nosuggest added when it asks for a long-form table's page."""
    parts = scope.get("path", "").strip("/").split("/")
    table = parts[1].partition(".")[0] if len(parts) == 2 else ""
    if scope.get("type") != "http" or table not in LONG_FORM + PER_REPORT:
        return scope
    args = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    names = {k for k, _ in args}
    extra = [("_nosuggest", "1")] if "_nosuggest" not in names else []
    if table in LONG_FORM and "_nocount" not in names and not any(not k.startswith("_") for k in names):
        extra.append(("_nocount", "1"))
    if not extra:
        return scope
    return {**scope, "query_string": urlencode([*args, *extra]).encode("latin-1")}


def wrap(app: App) -> App:
    async def quicker(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await app(quick(scope), receive, send)

    return quicker
