"""The web view `crawl browse` serves: Datasette, extended by this plugin (registered as the
`datasette` entry point `nianbao` in pyproject.toml) with pages in Chinese: a report laid out
as the official tables, an agency over the years, a site's season, acknowledging a finding,
confirming the numbers OCR read.
Datasette finds the templates in web/templates/ because this package is the plugin."""

from __future__ import annotations

from datasette import hookimpl

from common import urls
from web import big, chart, counts, feed, pages


@hookimpl
def register_routes() -> list[tuple[str, object]]:
    return [
        (r"^/-/report/(?P<report_id>\d+)$", pages.report),
        (r"^/-/report/(?P<report_id>\d+)/copy$", pages.stored_copy),
        (r"^/-/report/(?P<report_id>\d+)/confirm$", pages.confirm),
        (r"^/-/ack/(?P<fingerprint>[0-9a-f]+)$", pages.ack),
        (rf"^{urls.AGENCY}$", pages.agency),
        (r"^/-/site/(?P<site>[a-z][a-z0-9_]*)$", pages.site),
        (r"^/-/search$", pages.search),
    ]


@hookimpl
def menu_links(datasette) -> list[dict[str, str]]:  # noqa: ANN001 - Datasette's hook signature
    return [
        {"href": datasette.urls.path(urls.AGENCY), "label": "机关一览"},
        {"href": datasette.urls.path("/-/search"), "label": "搜索报告"},
    ]


@hookimpl
def extra_template_vars(datasette) -> dict[str, object]:  # noqa: ANN001 - Datasette's hook signature
    """`site_name(key)`: a site as its readers know it (西城区), from the config `crawl browse`
    hands the plugin (metadata: plugins.nianbao.site_names); its key where none is given."""
    names = (datasette.plugin_config("nianbao") or {}).get("site_names") or {}
    return {"site_name": lambda key: names.get(key) or key}


@hookimpl
def canned_queries() -> dict[str, dict[str, str]]:
    return feed.queries()


@hookimpl
def startup(datasette) -> None:  # noqa: ANN001 - Datasette's hook signature
    """The database page's table counts within Datasette's time limit (web/counts.py); the chart's
    engine started before the first agency page asks for it (web/chart.py)."""
    counts.bound(datasette)
    chart.warm()


@hookimpl
def asgi_wrapper() -> object:
    """The long-form tables' pages without a count of 20 million rows (web/big.py)."""
    return big.wrap
