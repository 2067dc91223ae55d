"""An agency's applications over the years as a Vega-Lite chart, drawn to SVG on the server by
vl-convert (the Vega-Lite compiler and renderer, bundled): the page needs no script and no
network, and a mail client or a screenshot shows it as well as a browser."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from functools import cache, lru_cache
from typing import Any

from common import labels as L

log = logging.getLogger(__name__)

# How the applications of a year were handled: 三、本年度办理结果's groups, and what was carried forward.
OUTCOMES = (
    ("予以公开", ("granted",)),
    ("部分公开", ("partially_granted",)),
    ("不予公开", ("withheld_",)),
    ("无法提供", ("unavailable_",)),
    ("不予处理", ("rejected_",)),
    ("其他处理", ("other",)),
    ("结转下年度", ("carried_forward",)),
)


def _total(apps: Mapping[str, Any], prefixes: tuple[str, ...]) -> float:
    return sum(
        (row.get("total") or 0)
        for key, row in apps.items()
        if any(
            key == p or (p.endswith("_") and key.startswith(p)) or (p == "other" and key.startswith("other_"))
            for p in prefixes
        )
    )


def series(reports: list[tuple[int, Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """(year, report JSON) -> the chart's rows: one per year and outcome, and the year's new applications."""
    rows = []
    for year, report in reports:
        apps = report.get("applications") or {}
        if not apps:
            continue
        received = (apps.get("new_received") or {}).get("total")
        for name, prefixes in OUTCOMES:
            rows.append({"年度": str(year), "办理情况": name, "件数": _total(apps, prefixes), "新收": received})
    return rows


def spec(rows: list[dict[str, Any]]) -> dict[str, Any]:
    received = {"field": "新收", "type": "quantitative", "title": None}  # the bars' axis title says it
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": "政府信息公开申请：本年新收与办理情况",
        "width": 480,
        "height": 260,
        "data": {"values": rows},
        "encoding": {"x": {"field": "年度", "type": "ordinal", "title": "年度"}},
        "resolve": {"axis": {"y": "shared"}},
        "layer": [
            {
                "mark": "bar",
                "encoding": {
                    "y": {"aggregate": "sum", "field": "件数", "type": "quantitative", "title": f"件数（柱：办理情况；黑线：{L.APPLICATION_SHORT['new_received']}）"},
                    "color": {"field": "办理情况", "type": "nominal", "sort": [n for n, _ in OUTCOMES],
                              "title": "办理情况"},
                    "order": {"field": "办理情况"},
                },
            },
            {
                "mark": {"type": "line", "point": {"filled": True, "size": 60, "color": "#000"}, "color": "#000"},
                "encoding": {"y": {**received, "aggregate": "max"}},
            },
        ],
        "config": {"font": "WenQuanYi Micro Hei, Noto Sans CJK SC, Microsoft YaHei, sans-serif"},
    }  # fmt: skip


def svg(rows: list[dict[str, Any]]) -> str:
    """The chart as SVG ('' when there is nothing to draw or vl-convert is missing)."""
    if not rows:
        return ""
    try:
        import vl_convert
    except ImportError:  # the [browse] extra brings it; the page still shows its tables without
        log.warning("vl-convert-python is not installed: the agency page shows no chart")
        return ""
    return _drawn(json.dumps(spec(rows), ensure_ascii=False, sort_keys=True), vl_convert)


@cache  # once a process
def warm() -> bool:
    """Start vl-convert's engine (V8, the Vega-Lite compiler, the CJK fonts) by drawing a chart of the
    page's shape; False when vl-convert is missing. Its first drawing in a process costs most of a
    second, more than the rest of the agency page read cold, and holds the GIL throughout, so the
    server pays it as it starts (the plugin's startup hook) rather than the first agency page."""
    try:
        import vl_convert
    except ImportError:
        return False
    vl_convert.vegalite_to_svg(spec(series([(2020, {"applications": {"new_received": {"total": 1}}})])))
    return True


@lru_cache(maxsize=256)  # drawing takes 0.1–0.4 s; an agency's chart changes only when a report does
def _drawn(spec_json: str, vl_convert: Any) -> str:
    return vl_convert.vegalite_to_svg(json.loads(spec_json))
