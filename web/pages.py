"""The web view's pages (Datasette routes, registered in web/__init__.py): each reads through
web.read in Datasette's own database thread and renders a template of web/templates/."""

from __future__ import annotations

from typing import Any

from datasette import Forbidden, NotFound, Response

from checks.assess import JUDGE
from common import urls
from storage.findings import Findings
from web import read


def _db(datasette: Any) -> Any:
    """The store: the first database Datasette serves (`crawl browse` serves one)."""
    return datasette.get_database()


async def _page(datasette: Any, request: Any, template: str, context: dict[str, Any]) -> Response:
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html)


async def report(datasette: Any, request: Any) -> Response:
    report_id = int(request.url_vars["report_id"])
    context = await _db(datasette).execute_fn(lambda conn: read.report(conn, report_id))
    if context is None:
        raise NotFound(f"没有编号为 {report_id} 的报告")
    context["database"] = _db(datasette).name
    return await _page(datasette, request, "nianbao_report.html", context)


async def stored_copy(datasette: Any, request: Any) -> Response:
    """The page as it was fetched, in its own encoding (the text records when no page was kept)."""
    report_id = int(request.url_vars["report_id"])
    copy = await _db(datasette).execute_fn(lambda conn: read.stored_copy(conn, report_id))
    if copy is None:
        raise NotFound(f"没有编号为 {report_id} 的报告")
    raw, encoding, records = copy
    if raw:
        return Response(raw, content_type=f"text/html; charset={encoding or 'utf-8'}")
    return Response.text(records)


async def ack(datasette: Any, request: Any) -> Response:
    """GET: what would be acknowledged, and a button; POST: acknowledge it (as `crawl ack` does)."""
    fingerprint = request.url_vars["fingerprint"]
    db = _db(datasette)
    found = await db.execute_fn(lambda conn: read.findings_of(conn, "f.fingerprint = ?", [fingerprint]))
    if not found:
        raise NotFound(f"没有指纹为 {fingerprint} 的问题")
    if request.method == "POST":
        if not db.is_mutable:
            raise Forbidden("数据库为只读，无法确认")

        def acknowledge(conn: Any) -> int:
            import sqlite_utils

            return Findings(sqlite_utils.Database(conn)).acknowledge(fingerprint)

        await db.execute_write_fn(acknowledge, block=True)
        datasette.add_message(request, "已确认：此问题不再提醒", datasette.INFO)
        return Response.redirect(datasette.urls.path(urls.REPORT.format(report_id=found[0]["report_id"])))
    return await _page(datasette, request, "nianbao_ack.html", {"findings": found, "fingerprint": fingerprint})


async def confirm(datasette: Any, request: Any) -> Response:
    """GET: a report read by OCR, whether its numbers are confirmed, and a button; POST: confirm
    them, or take that back (`undo`), as `crawl confirm` does: the store records it on the current
    version and asks the rules (checks.assess, its Judge) to assess the report again."""
    report_id = int(request.url_vars["report_id"])
    db = _db(datasette)
    context = await db.execute_fn(lambda conn: read.report(conn, report_id))
    if context is None:
        raise NotFound(f"没有编号为 {report_id} 的报告")
    if context["ocr"] is None:
        raise NotFound(f"编号为 {report_id} 的报告不是 OCR 识别的，数字无需确认")
    if request.method == "POST":
        if not db.is_mutable:
            raise Forbidden("数据库为只读，无法确认")
        undo = (await request.post_vars()).get("undo") == "1"
        who = (request.actor or {}).get("id")

        def write(conn: Any) -> None:  # the store's own connection: one transaction, as the CLI's
            from storage.store import Store

            with Store(db.path) as store:
                store.confirm(report_id, JUDGE, by=None if undo else who, undo=undo)

        await db.execute_write_fn(write, block=True)
        done = "已撤销确认：OCR 数字的问题重新降为提醒" if undo else "已确认数字：其问题按错误处理并提醒"
        datasette.add_message(request, done, datasette.INFO)
        return Response.redirect(datasette.urls.path(urls.REPORT.format(report_id=report_id)))
    return await _page(datasette, request, "nianbao_confirm.html", context)


async def agency(datasette: Any, request: Any) -> Response:
    name = request.args.get("name")
    db = _db(datasette)
    if not name:
        q, after = request.args.get("q", ""), request.args.get("after", "")
        listing = await db.execute_fn(lambda conn: read.agencies(conn, q, after))
        return await _page(datasette, request, "nianbao_agencies.html", {**listing, "q": q, "after": after})
    context = await db.execute_fn(lambda conn: read.agency(conn, name))
    if context is None:
        raise NotFound(f"没有 {name} 的报告")
    return await _page(datasette, request, "nianbao_agency.html", context)


async def site(datasette: Any, request: Any) -> Response:
    key = request.url_vars["site"]
    year = request.args.get("year")
    context = await _db(datasette).execute_fn(
        lambda conn: read.site(conn, key, int(year) if year and year.isdigit() else None)
    )
    if context is None:
        raise NotFound(f"站点 {key} 没有报告")
    return await _page(datasette, request, "nianbao_site.html", context)


async def search(datasette: Any, request: Any) -> Response:
    """Search over the reports' text: a count, and each hit in its snippet."""
    q, site_key = (request.args.get("q") or "").strip(), request.args.get("site")
    db = _db(datasette)
    if q and db.is_mutable:
        await db.execute_write_fn(read.refresh_index, block=True)  # what the last crawl stored
    context = await db.execute_fn(lambda conn: read.search(conn, q, site_key))
    return await _page(datasette, request, "nianbao_search.html", context)
