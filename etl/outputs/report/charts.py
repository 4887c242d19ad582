"""The report's charts of numbers, as Vega-Lite specifications (drawn in the page by Vega-Embed):
one metric across cities, each city's numbers by year, the investments."""

from __future__ import annotations

import datetime as dt

from etl.outputs.report.data import format_value, human
from etl.outputs.report.vega import (
    BOUNDS,
    DASH,
    INK,
    KIND,
    KINDS,
    NUMBER_LABEL,
    SHAPE,
    STROKES,
    TOOLTIP,
    datum,
    scale,
    spec,
    wrap,
)

# row names of up to three lines ('|' breaks them), centred on their row
ROW_AXIS = {
    "labelLimit": 230,
    "ticks": False,
    "domain": False,
    "labelExpr": "split(datum.label, '|')",
    "labelOffset": {"expr": "-6.5 * (length(split(datum.label, '|')) - 1)"},
}


def bars_spec(values: list[dict], title: str, value_title: str) -> dict:
    """Horizontal bars with their values at the end; bounds marked, targets and plans hollow."""
    top = max((v["value"] for v in values), default=1) or 1
    x = {
        "field": "value",
        "type": "quantitative",
        "title": value_title,
        "scale": {"domain": [0, top * 1.5], "nice": False},  # room for the values at the end
        "axis": {"labelExpr": NUMBER_LABEL, "grid": True, "tickCount": 4},
    }
    y = {"field": "row", "type": "nominal", "sort": None, "title": None, "axis": ROW_AXIS}
    return spec(
        title=title,
        width="container",
        height={"step": 28},
        data={"values": values},
        encoding={"y": y},
        layer=[
            {
                "mark": {"type": "bar", "height": 16, "strokeWidth": 1.5, "cursor": "pointer"},
                "encoding": {"x": x, **KIND, "strokeDash": DASH, "tooltip": TOOLTIP},
            },
            {
                "transform": [{"filter": {"field": "bound", "oneOf": BOUNDS[1:]}}],
                "mark": {"type": "point", "filled": True, "size": 55, "color": INK, "xOffset": 8},
                "encoding": {"x": x, "shape": SHAPE, "tooltip": TOOLTIP},
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 16, "cursor": "pointer"},
                "encoding": {"x": x, "text": {"field": "label"}, "tooltip": TOOLTIP},
            },
        ],
    )


def comparison_specs(city_years: list[dict]) -> list[tuple[str, dict]]:
    """One bar chart per metric that two or more cities report, city by city and year by year
    (from fct_city_metric_year: the cities' own figures)."""
    by_metric: dict[str, list[dict]] = {}
    for r in city_years:
        by_metric.setdefault(r["metric_id"], []).append(r)
    out = []
    for metric_id, rows in by_metric.items():
        if len({r["city_id"] for r in rows}) < 2:
            continue
        values = []
        for r in rows:
            label = format_value(r["value"], r["unit"], r["comparator"])
            row = f"{r['city_name']} · {r['year']}"
            tip = f"{r['metric_name']}, {row} ({r['value_type']}): {label}"
            values.append(
                {
                    **datum(label, r["value_type"], r["comparator"], r["observation_id"], tip),
                    "row": row,
                    "value": r["value"],
                }
            )
        out.append((metric_id, bars_spec(values, rows[0]["metric_name"], rows[0]["unit"])))
    return out


def row_label(r: dict, city_name: str) -> str:
    """'Patent applications · Optics Valley': the metric, and the place inside the city and the
    firm it is about, where it is not the city itself."""
    where = (r["place_name"] or city_name).split(" (")[0]
    parts = [r["metric_name"]]
    if where != city_name:
        parts.append(where)
    if r["firm_name"]:
        parts.append(r["firm_name"])
    return " · ".join(parts)


def _year(day: dt.date) -> float:
    """2018-07-02 -> 2018.5"""
    start = dt.date(day.year, 1, 1)
    return day.year + (day - start).days / (dt.date(day.year + 1, 1, 1) - start).days


def timeline_spec(facts: list[dict], city_name: str) -> dict:
    """One row per metric, a mark at each period the articles give a figure for, its value
    written beside it: when each number is from, and what kind of number it is. A figure for a
    year sits in the middle of that year; one for several years is a bar across them."""
    first = min(_year(r["period_start"]) for r in facts)
    last = max(_year(r["period_end"] + dt.timedelta(days=1)) for r in facts)
    lo, hi = int(first) - 0.25, int(last - 1e-9) + 1.25
    values, seen = [], {}
    for r in facts:
        row = row_label(r, city_name)
        label = format_value(r["value"], r["unit"], r["comparator"], r["currency"])
        start, end = _year(r["period_start"]), _year(r["period_end"] + dt.timedelta(days=1))
        mid = (start + end) / 2
        nth = seen[row] = seen.get(row, -1) + 1
        where = (mid - lo) / (hi - lo)
        period = (
            str(r["year"]) if r["year"] else f"{r['period_start']:%b %Y} to {r['period_end']:%b %Y}"
        )
        tip = f"{row}, {period} ({r['value_type']}): {label}"
        values.append(
            {
                **datum(label, r["value_type"], r["comparator"], r["observation_id"], tip),
                "row": wrap(row),
                "start": start,
                "end": end,
                "mid": mid,
                "long": end - start > 1.1,
                "pos": "above" if nth % 2 == 0 else "below",
                # near an edge a label runs inwards, so it stays inside the chart
                "align": "right" if where > 0.78 else ("left" if where < 0.22 else "center"),
                "dx": 7 if where > 0.78 else (-7 if where < 0.22 else 0),
            }
        )
    step = 1 if hi - lo < 12 else 5
    ticks = [y + 0.5 for y in range(int(first), int(last - 1e-9) + 1) if y % step == 0]
    x = {
        "field": "mid",
        "type": "quantitative",
        "title": None,
        "scale": {"domain": [lo, hi], "nice": False, "zero": False},
        "axis": {"values": ticks, "labelExpr": "floor(datum.value)", "grid": True, "domain": False},
    }
    y = {"field": "row", "type": "nominal", "sort": None, "title": None, "axis": ROW_AXIS}
    label = {
        "type": "text",
        "cursor": "pointer",
        "align": {"expr": "datum.align"},
        "dx": {"expr": "datum.dx"},
    }
    text = {"x": x, "text": {"field": "label"}, "tooltip": TOOLTIP}
    return spec(
        width="container",
        height={"step": 46},
        data={"values": values},
        encoding={"y": y},
        layer=[
            {
                "transform": [{"filter": "datum.long"}],
                "mark": {"type": "rule", "strokeWidth": 5, "strokeCap": "round", "opacity": 0.55},
                "encoding": {
                    "x": {**x, "field": "start"},
                    "x2": {"field": "end"},
                    "color": {
                        "field": "kind",
                        "type": "nominal",
                        "scale": scale(KINDS, STROKES),
                        "legend": None,
                    },
                    "tooltip": TOOLTIP,
                },
            },
            {
                "mark": {
                    "type": "point",
                    "size": 110,
                    "strokeWidth": 2,
                    "opacity": 1,
                    "cursor": "pointer",
                },
                "encoding": {"x": x, **KIND, "shape": SHAPE, "tooltip": TOOLTIP},
            },
            {
                "transform": [{"filter": {"field": "pos", "equal": "above"}}],
                "mark": {**label, "baseline": "bottom", "dy": -9},
                "encoding": text,
            },
            {
                "transform": [{"filter": {"field": "pos", "equal": "below"}}],
                "mark": {**label, "baseline": "top", "dy": 9},
                "encoding": text,
            },
        ],
    )


def investment_spec(investments: list[dict]) -> dict:
    values = []
    for r in investments:
        sign = format_value(0, "percent", r["comparator"])[: -len("0%")]
        label = f"{sign}US${human(r['value_usd'])} ({human(r['value_cny'])} yuan)"
        row = f"{r['firm_name']} in {r['place_name'].split(' (')[0]}, {r['year']}"
        tip = f"{row} ({r['value_type']}): {label}"
        values.append(
            {
                **datum(label, r["value_type"], r["comparator"], r["observation_id"], tip),
                "row": wrap(row, 36),
                "value": r["value_usd"],
            }
        )
    return bars_spec(values, "", "US dollars")
