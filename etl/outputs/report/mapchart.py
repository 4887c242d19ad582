"""The map: China's provinces, the cities as dots sized by their facts, each named beside it."""

from __future__ import annotations

import math

from etl.outputs.report.vega import INK, TOOLTIP, scale, spec

DOT_TOP, DOT_MIN, DOT_MAX = 30, 24, 900  # facts and presences -> the dot's area in px²
LABEL_SIDES = {  # align, baseline, and which way the label moves off its dot
    "right": ("left", "middle", 1, 0),
    "left": ("right", "middle", -1, 0),
    "above": ("center", "bottom", 0, -1),
    "below": ("center", "top", 0, 1),
}


POINTER = {"expr": "datum.target ? 'pointer' : 'default'"}  # a city with numbers has a card


def dot_area(n: int) -> float:
    return DOT_MIN + (DOT_MAX - DOT_MIN) * min(n, DOT_TOP) / DOT_TOP


def place_labels(cities: list[dict], px_per_degree: float = 9.0) -> None:
    """Give each city's label the side (right, left, above, below) where it covers the fewest
    other labels and dots; the busiest cities choose first. Boxes are estimated in pixels from
    degrees (the map draws China at about 9 px to the degree at its narrowest). A city with no
    facts keeps its label only where it covers nothing."""
    placed: list[tuple[float, float, float, float]] = []
    dots = [(c["lon"] * px_per_degree, -c["lat"] * px_per_degree * 1.15, c["r"]) for c in cities]

    def cost(box: tuple[float, float, float, float], own: int) -> int:
        x0, y0, x1, y1 = box
        labels = sum(x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1 for b in placed)
        covered = sum(
            i != own and x0 - r < x < x1 + r and y0 - r < y < y1 + r
            for i, (x, y, r) in enumerate(dots)
        )
        return 3 * labels + covered

    for i, c in enumerate(cities):
        x, y, r = dots[i]
        w, h = 6.8 * len(c["name"]) + 12.5 * len(c["zh"]) + 6, 15
        sides = {
            "right": (x + r + 3, y - h / 2, x + r + 3 + w, y + h / 2),
            "left": (x - r - 3 - w, y - h / 2, x - r - 3, y + h / 2),
            "above": (x - w / 2, y - r - 2 - h, x + w / 2, y - r - 2),
            "below": (x - w / 2, y + r + 2, x + w / 2, y + r + 2 + h),
        }
        side = min(sides, key=lambda s: cost(sides[s], i))
        if c["n"] == 0 and cost(sides[side], i):
            c["side"] = None
            continue
        c["side"] = side
        placed.append(sides[side])


def _provinces(outlines: dict, cities: list[dict], provinces: list[dict]) -> list[dict]:
    """The outlines, each with its English name where the warehouse has it and whether it holds
    facts (a city with numbers or firms, or numbers of its own)."""
    by_zh = {p["province_name_zh"]: p for p in provinces if p["province_name_zh"]}
    active = {c["province_id"] for c in cities if c["facts"] or c["presences"]}
    active |= {p["province_id"] for p in provinces if p["facts"]}
    features = []
    for f in outlines["features"]:
        zh = f["properties"]["name_zh"]
        known = next((p for short, p in by_zh.items() if zh.startswith(short)), None)
        props = {
            **f["properties"],
            "tip": f"{known['province_name']} {zh}" if known else zh,
            "active": bool(known and known["province_id"] in active),
        }
        features.append({**f, "properties": props})
    return features


def _cities(cities: list[dict]) -> list[dict]:
    points = []
    for c in cities:
        if c["latitude"] is None or c["longitude"] is None:
            continue
        n = c["facts"] + c["presences"]
        zh = c["city_name_zh"] or ""
        points.append(
            {
                "lon": c["longitude"],
                "lat": c["latitude"],
                "name": c["city_name"],
                "zh": zh,
                "label": f"{c['city_name']} {zh}".strip(),
                "n": n,
                "r": math.sqrt(dot_area(n) / math.pi),
                "has": "numbers" if c["facts"] else ("firms only" if n else "none"),
                "target": f"city-{c['city_id']}" if c["facts"] else None,
                "tip": f"{c['city_name']} {zh}: {c['facts']} numbers, "
                f"{c['presences']} firm presences",
            }
        )
    points.sort(key=lambda p: (-p["n"], p["name"]))
    place_labels(points)
    for p in points:
        if p["side"] is None:
            p.update(label="", align="left", baseline="middle", dx=0, dy=0)
            continue
        align, baseline, sx, sy = LABEL_SIDES[p["side"]]
        gap = p["r"] + 3
        p.update(align=align, baseline=baseline, dx=sx * gap, dy=sy * gap)
    return points


def map_spec(outlines: dict, cities: list[dict], provinces: list[dict]) -> dict:
    xy = {
        "longitude": {"field": "lon", "type": "quantitative"},
        "latitude": {"field": "lat", "type": "quantitative"},
    }
    muted = "datum.n == 0"
    dots = {
        "mark": {
            "type": "circle",
            "opacity": 0.9,
            "stroke": "#ffffff",
            "strokeWidth": 1,
            "cursor": POINTER,
        },
        "encoding": {
            **xy,
            "size": {
                "field": "n",
                "type": "quantitative",
                "scale": {"type": "linear", "domain": [0, DOT_TOP], "range": [DOT_MIN, DOT_MAX]},
                "legend": None,
            },
            "color": {
                "field": "has",
                "type": "nominal",
                "scale": scale(
                    ["numbers", "firms only", "none"], ["#d9480f", "#f59f00", "#9fb3c4"]
                ),
                "legend": None,
            },
            "tooltip": TOOLTIP,
        },
    }
    names = {
        "mark": {
            "type": "text",
            "cursor": POINTER,
            "align": {"expr": "datum.align"},
            "baseline": {"expr": "datum.baseline"},
            "dx": {"expr": "datum.dx"},
            "dy": {"expr": "datum.dy"},
        },
        "encoding": {
            **xy,
            "text": {"field": "label"},
            # a city without facts is named smaller, in grey
            "size": {"condition": {"test": muted, "value": 10}, "value": 12},
            "color": {"condition": {"test": muted, "value": "#6c7a89"}, "value": INK},
            "tooltip": TOOLTIP,
        },
    }
    shapes = {
        "data": {"values": _provinces(outlines, cities, provinces)},
        "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.9},
        "encoding": {
            "fill": {
                "field": "properties.active",
                "type": "nominal",
                "scale": scale([True, False], ["#c5d9e8", "#e6edf2"]),
                "legend": None,
            },
            "tooltip": [{"field": "properties.tip", "type": "nominal", "title": None}],
        },
    }
    return spec(
        width="container",
        height="container",  # the box's height is set in CSS, growing with the page's width
        projection={"type": "conicEqualArea", "parallels": [25, 47], "rotate": [-105, 0]},
        layer=[shapes, {"data": {"values": _cities(cities)}, "layer": [dots, names]}],
    )
