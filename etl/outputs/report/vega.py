"""What every chart of the report shares: its font, its look, and how kinds of figure are drawn.

Actual values are filled; targets, plans and estimates hollow, with a dashed outline on bars; a
lower bound ("more than") is a triangle pointing up, an upper bound ("less than") one pointing
down. Every mark that shows a number carries `ev`, its observation's id: a click on it goes to
the quote the number comes from (#ev-...).
"""

from __future__ import annotations

from etl.outputs.report.data import bound

FONT = (
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, "
    "'Techhubs CJK', 'Noto Sans CJK SC', sans-serif"
)
INK = "#1d2733"
KINDS = ["actual", "target", "plan", "estimate"]
STROKES = ["#1864ab", "#d9480f", "#d9480f", "#868e96"]
FILLS = ["#4dabf7", "#ffffff", "#ffffff", "#ffffff"]
DASHES = [[1, 0], [4, 2], [4, 2], [2, 2]]
BOUNDS = ["exact or about", "lower bound", "upper bound"]
SHAPES = ["circle", "triangle-up", "triangle-down"]

CONFIG = {
    "font": FONT,
    "background": None,
    "view": {"stroke": None},
    "axis": {
        "labelFont": FONT,
        "titleFont": FONT,
        "labelFontSize": 11,
        "titleFontSize": 11,
        "titleFontWeight": "normal",
        "labelColor": "#3b4754",
        "titleColor": "#3b4754",
        "domainColor": "#c5ccd3",
        "tickColor": "#c5ccd3",
        "gridColor": "#e9edf1",
    },
    "text": {"font": FONT, "fontSize": 11, "color": INK},
    "title": {"font": FONT, "fontSize": 13, "anchor": "start", "color": "#12344d", "offset": 8},
}


def scale(domain: list, values: list) -> dict:
    return {"domain": domain, "range": values}


KIND = {
    "fill": {"field": "kind", "type": "nominal", "scale": scale(KINDS, FILLS), "legend": None},
    "stroke": {"field": "kind", "type": "nominal", "scale": scale(KINDS, STROKES), "legend": None},
}
DASH = {"field": "kind", "type": "nominal", "scale": scale(KINDS, DASHES), "legend": None}
SHAPE = {"field": "bound", "type": "nominal", "scale": scale(BOUNDS, SHAPES), "legend": None}
TOOLTIP = [{"field": "tip", "type": "nominal", "title": None}]
# axis numbers in words, as the labels write them: 20 m, 1.5 bn
NUMBER_LABEL = (
    "abs(datum.value) >= 1e12 ? format(datum.value / 1e12, '~g') + ' tn' : "
    "abs(datum.value) >= 1e9 ? format(datum.value / 1e9, '~g') + ' bn' : "
    "abs(datum.value) >= 1e6 ? format(datum.value / 1e6, '~g') + ' m' : format(datum.value, ',~g')"
)


def spec(**parts) -> dict:
    """A Vega-Lite specification with the report's look."""
    return {"config": CONFIG, **parts}


def compile_spec(vega_lite: dict) -> dict:
    """Vega-Lite compiled to Vega here, so the page only runs Vega: {"vega": ..., "fit": [...]}.

    A size of "container" becomes a placeholder that the page replaces with its box's size
    ("fit"), and the fit is set after compiling: Vega-Lite 6 warns "Dropping fit-y" for a fit-x
    chart whose rows are sized by a step, though nothing is dropped (an upstream bug)."""
    import vl_convert

    fit = [dim for dim in ("width", "height") if vega_lite.get(dim) == "container"]
    given = {k: v for k, v in vega_lite.items() if k != "autosize"}
    given.update({dim: 600 if dim == "width" else 400 for dim in fit})
    out = vl_convert.vegalite_to_vega(given)
    if fit:
        kind = "fit" if len(fit) == 2 else {"width": "fit-x", "height": "fit-y"}[fit[0]]
        out["autosize"] = {"type": kind, "contains": "padding"}
    return {"vega": out, "fit": fit}


def datum(label: str, kind: str, comparator: str, ev: str, tip: str) -> dict:
    return {"label": label, "kind": kind, "bound": bound(comparator), "ev": ev, "tip": tip}


def wrap(text: str, width: int = 30) -> str:
    """'Output of high-tech industries above designated size' -> two lines joined by '|'
    (axis labels split on it)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "|".join(lines)
