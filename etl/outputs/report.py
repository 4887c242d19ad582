"""A self-contained HTML dashboard of the published warehouse.

One file, no network: charts are inline SVG drawn here, the only script is inline.
Every number links to its quote and its article.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from pathlib import Path

import duckdb

from etl.sources.seed_files import PRESENCE_TYPES

COMPARATOR_SIGN = {
    "exact": "",
    "more_than": "> ",
    "at_least": "≥ ",
    "less_than": "< ",
    "at_most": "≤ ",
    "close_to": "nearly ",
    "approximately": "≈ ",
}
PRESENCE_ORDER = PRESENCE_TYPES  # the matrix columns, in the vocabulary's order


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value))


def human(value: float) -> str:
    """12 -> '12', 21192000 -> '21.19 million', 1e12 -> '1 trillion'."""
    for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= scale:
            return f"{value / scale:,.4g} {word}"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.4g}"


def format_value(value: float, unit: str, comparator: str, currency: str | None = None) -> str:
    sign = COMPARATOR_SIGN.get(comparator, "")
    if unit == "percent":
        return f"{sign}{value:.4g}%"
    if currency == "USD" or unit == "US dollars":
        return f"{sign}US${human(value)}"
    if currency == "CNY" or unit == "yuan":
        return f"{sign}{human(value)} yuan"
    if unit == "year":
        return f"{sign}{value:.0f}"
    return f"{sign}{human(value)} {unit}"


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _map_svg(cities: list[dict]) -> str:
    width, height = 620, 420
    lon0, lon1, lat0, lat1 = 97.0, 127.0, 20.0, 44.0

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (lon - lon0) / (lon1 - lon0) * width, (lat1 - lat) / (lat1 - lat0) * height

    parts = [
        f'<svg class="map" viewBox="0 0 {width} {height}" role="img" aria-label="Cities and their facts">'
    ]
    for lon in range(100, 127, 5):
        x, _ = xy(lon, lat0)
        parts.append(f'<line class="grid" x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height}"/>')
        parts.append(f'<text class="gridlabel" x="{x + 2:.1f}" y="{height - 4}">{lon}°E</text>')
    for lat in range(25, 44, 5):
        _, y = xy(lon0, lat)
        parts.append(f'<line class="grid" x1="0" y1="{y:.1f}" x2="{width}" y2="{y:.1f}"/>')
        parts.append(f'<text class="gridlabel" x="2" y="{y - 2:.1f}">{lat}°N</text>')
    for c in cities:
        if c["latitude"] is None or c["longitude"] is None:
            continue
        x, y = xy(c["longitude"], c["latitude"])
        facts = c["facts"] + c["presences"]
        r = 3 + 2.2 * math.sqrt(facts)
        cls = "city has-facts" if facts else "city"
        title = f"{c['city_name']} {c['city_name_zh'] or ''}: {c['facts']} numbers, {c['presences']} firm presences"
        parts.append(
            f'<a href="#city-{esc(c["city_id"])}"><circle class="{cls}" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}">'
            f"<title>{esc(title)}</title></circle>"
            f'<text class="citylabel" x="{x + r + 2:.1f}" y="{y + 4:.1f}">{esc(c["city_name"])}</text></a>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _bars_svg(rows: list[dict], label_key: str, value_key: str, fmt) -> str:
    if not rows:
        return "<p>None recorded.</p>"
    top = max(r[value_key] for r in rows) or 1
    bar_h, gap, label_w, width = 22, 8, 260, 640
    height = len(rows) * (bar_h + gap)
    parts = [f'<svg class="bars" viewBox="0 0 {width} {height}" role="img">']
    for i, r in enumerate(rows):
        y = i * (bar_h + gap)
        w = (width - label_w - 110) * r[value_key] / top
        parts.append(
            f'<text class="barlabel" x="{label_w - 6}" y="{y + 15}" text-anchor="end">{esc(r[label_key])}</text>'
            f'<a href="#ev-{esc(r["observation_id"])}"><rect class="bar" x="{label_w}" y="{y}" width="{w:.1f}" '
            f'height="{bar_h}"><title>{esc(fmt(r))}</title></rect></a>'
            f'<text class="barvalue" x="{label_w + w + 6:.1f}" y="{y + 15}">{esc(fmt(r))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _series_svg(points: list[dict]) -> str:
    """A small line chart of one metric over years for one city."""
    width, height, pad = 220, 70, 14
    years = [p["year"] for p in points]
    values = [p["value"] for p in points]
    y_lo, y_hi = min(values), max(values)
    span_y = (y_hi - y_lo) or 1
    span_x = (max(years) - min(years)) or 1

    def xy(p: dict) -> tuple[float, float]:
        x = pad + (p["year"] - min(years)) / span_x * (width - 2 * pad)
        y = height - pad - (p["value"] - y_lo) / span_y * (height - 2 * pad)
        return x, y

    coords = [xy(p) for p in points]
    path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(coords))
    dots = "".join(
        f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="3"><title>{p["year"]}: {esc(human(p["value"]))}</title></circle>'
        f'<text class="gridlabel" x="{x:.1f}" y="{height - 1}" text-anchor="middle">{p["year"]}</text>'
        for (x, y), p in zip(coords, points, strict=True)
    )
    return f'<svg class="series" viewBox="0 0 {width} {height}"><path class="line" d="{path}"/>{dots}</svg>'


def build_report(published: Path) -> str:
    con = duckdb.connect(str(published), read_only=True)
    try:
        build = _rows(con, "select * from warehouse_build")[0]
        cities = _rows(
            con,
            """
            select * from (select c.city_id, c.city_name, c.city_name_zh, c.province_name, c.region_name, c.latitude, c.longitude,
                   (select count(*) from fct_metric_observation o where o.city_id = c.city_id) as facts,
                   (select count(*) from fct_firm_presence p where p.city_id = c.city_id) as presences
            from dim_city c) order by facts + presences desc, city_name""",
        )
        years = _rows(
            con,
            """
            select y.city_id, m.metric_name, m.metric_id, y.year, y.value_type, y.value, y.comparator, y.unit,
                   y.preferred_observation_id as observation_id
            from fct_city_metric_year y join dim_metric m using (metric_id)
            order by y.city_id, m.metric_name, y.year""",
        )
        presences = _rows(
            con,
            """
            select coalesce(c.city_name, pl.place_name) as where_name, p.presence_type, count(*) as n,
                   string_agg(f.firm_name, ', ' order by f.firm_name) as firms
            from fct_firm_presence p
            join dim_firm f using (firm_id)
            join dim_place pl using (place_id)
            left join dim_city c on p.city_id = c.city_id
            group by all order by where_name""",
        )
        investments = _rows(
            con,
            """
            select o.observation_id, f.firm_name || ' in ' || pl.place_name || ' (' || o.value_type || ', '
                   || o.year || ')' as label, o.value_usd, o.value_cny, o.usd_stated, o.comparator, o.currency
            from fct_metric_observation o join dim_firm f using (firm_id) join dim_place pl using (place_id)
            where o.metric_id = 'investment' and o.is_preferred order by o.value_usd desc""",
        )
        facts = _rows(
            con,
            """
            select o.observation_id, m.metric_name, pl.place_name, f.firm_name, o.value, o.unit, o.currency,
                   o.comparator, o.year, o.period_start, o.period_end, o.value_type, o.source_id,
                   o.evidence_quote, o.evidence_start, o.evidence_end, o.period_resolution
            from fct_metric_observation o join dim_metric m using (metric_id)
            left join dim_place pl using (place_id) left join dim_firm f using (firm_id)
            order by pl.place_name, m.metric_name, o.period_start""",
        )
        relations = _rows(
            con,
            """
            select p.presence_id, f.firm_name, pl.place_name, p.presence_type, p.status, p.year, p.source_id,
                   p.evidence_quote, p.evidence_start, p.evidence_end
            from fct_firm_presence p join dim_firm f using (firm_id) join dim_place pl using (place_id)
            order by pl.place_name, f.firm_name""",
        )
        sources = _rows(con, "select * from dim_source order by published_on")
    finally:
        con.close()

    source_title = {s["source_id"]: s["title"] for s in sources}
    out: list[str] = []
    add = out.append
    add("<!doctype html><html lang='en'><head><meta charset='utf-8'>")
    add("<meta name='viewport' content='width=device-width, initial-scale=1'>")
    add("<title>China tech hubs: the warehouse at a glance</title>")
    add(f"<style>{CSS}</style></head><body>")
    add("<header><h1>China's emerging tech hubs</h1>")
    add(
        f"<p class='meta'>Built {esc(build['built_at'])} UTC from {build['source_rows']} articles: "
        f"{build['observation_rows']} numbers, {build['presence_rows']} firm presences. "
        f"Every number links to the sentence it comes from. Input fingerprint "
        f"<code>{esc(str(build['input_fingerprint'])[:12])}</code>, DuckDB {esc(build['duckdb_version'])}, "
        f"dbt {esc(build['dbt_version'])}.</p>"
    )
    add(
        "<nav><a href='#map'>Map</a> <a href='#years'>Metrics by year</a> <a href='#presence'>Firm presence</a> "
        "<a href='#money'>Investments</a> <a href='#facts'>All numbers</a> <a href='#sources'>Articles</a></nav>"
        "</header><main>"
    )

    add("<section id='map'><h2>Where the facts are</h2><div class='cols'>")
    add(_map_svg(cities))
    add(
        "<table class='compact'><tr><th>City</th><th>Region</th><th>Numbers</th><th>Presences</th></tr>"
    )
    for c in cities:
        if c["facts"] or c["presences"]:
            add(
                f"<tr><td><a href='#city-{esc(c['city_id'])}'>{esc(c['city_name'])}</a> "
                f"<span class='zh'>{esc(c['city_name_zh'])}</span></td><td>{esc(c['region_name'])}</td>"
                f"<td class='num'>{c['facts']}</td><td class='num'>{c['presences']}</td></tr>"
            )
    add("</table></div></section>")

    add("<section id='years'><h2>Metrics by year, per city</h2><div class='cards'>")
    by_city: dict[str, list[dict]] = {}
    for y in years:
        by_city.setdefault(y["city_id"], []).append(y)
    names = {c["city_id"]: c for c in cities}
    for city_id, rows in by_city.items():
        c = names[city_id]
        add(
            f"<div class='card' id='city-{esc(city_id)}'><h3>{esc(c['city_name'])} "
            f"<span class='zh'>{esc(c['city_name_zh'])}</span></h3><table class='compact'>"
        )
        series: dict[str, list[dict]] = {}
        for r in rows:
            series.setdefault(r["metric_id"], []).append(r)
            add(
                f"<tr><td>{r['year']}</td><td>{esc(r['metric_name'])}"
                f"{' <em>(' + esc(r['value_type']) + ')</em>' if r['value_type'] != 'actual' else ''}</td>"
                f"<td class='num'><a href='#ev-{esc(r['observation_id'])}'>"
                f"{esc(format_value(r['value'], r['unit'], r['comparator']))}</a></td></tr>"
            )
        add("</table>")
        for points in series.values():
            # Chart only exact values: a bound ("more than 20 million") beside an exact figure
            # would draw a change the articles do not state.
            if len(points) > 1 and all(p["comparator"] == "exact" for p in points):
                add(f"<p class='caption'>{esc(points[0]['metric_name'])}</p>{_series_svg(points)}")
        add("</div>")
    add("</div></section>")

    add(
        "<section id='presence'><h2>Firm presence by place and kind</h2><table class='matrix'><tr><th></th>"
    )
    kinds = [k for k in PRESENCE_ORDER if any(p["presence_type"] == k for p in presences)]
    add("".join(f"<th>{esc(k.replace('_', ' '))}</th>" for k in kinds) + "</tr>")
    cells: dict[str, dict[str, dict]] = {}
    for p in presences:
        cells.setdefault(p["where_name"], {})[p["presence_type"]] = p
    for where in sorted(cells, key=lambda w: -sum(p["n"] for p in cells[w].values())):
        add(f"<tr><th>{esc(where)}</th>")
        for k in kinds:
            p = cells[where].get(k)
            add(
                f"<td class='heat{min(p['n'], 4)}' title='{esc(p['firms'])}'>{p['n']}<br><small>{esc(p['firms'])}"
                "</small></td>"
                if p
                else "<td></td>"
            )
        add("</tr>")
    add("</table></section>")

    add("<section id='money'><h2>Investments, in US dollars</h2>")
    add(
        _bars_svg(
            investments,
            "label",
            "value_usd",
            lambda r: f"US${human(r['value_usd'])} ({human(r['value_cny'])} yuan)",
        )
    )
    add(
        "<p class='caption'>Amounts stated in yuan are converted with the annual series named in "
        "warehouse_build; where the article gives its own dollar figure it is kept beside it "
        "(usd_stated).</p></section>"
    )

    add("<section id='facts'><h2>Every number, with its evidence</h2>")
    add(
        "<input id='filter' type='search' placeholder='Filter: a city, a metric, a firm...' aria-label='Filter'>"
    )
    add(
        "<table id='facts-table'><tr><th>Place</th><th>Metric</th><th>Value</th><th>Period</th>"
        "<th>Type</th><th>Evidence</th></tr>"
    )
    for f in facts:
        period = str(f["year"]) if f["year"] else f"{f['period_start']} to {f['period_end']}"
        subject = esc(f["place_name"]) + (f" · {esc(f['firm_name'])}" if f["firm_name"] else "")
        add(
            f"<tr id='ev-{esc(f['observation_id'])}'><td>{subject}</td><td>{esc(f['metric_name'])}</td>"
            f"<td class='num'>{esc(format_value(f['value'], f['unit'], f['comparator'], f['currency']))}</td>"
            f"<td title='{esc(f['period_resolution'])}'>{esc(period)}</td><td>{esc(f['value_type'])}</td>"
            f"<td><q>{esc(f['evidence_quote'])}</q> <a class='src' href='#src-{esc(f['source_id'])}'>"
            f"{esc(source_title[f['source_id']])}, chars {f['evidence_start']}-{f['evidence_end']}</a></td></tr>"
        )
    add(
        "</table><h3>Firm-place relations</h3><table><tr><th>Firm</th><th>Place</th><th>Kind</th><th>Status</th>"
        "<th>Year</th><th>Evidence</th></tr>"
    )
    for r in relations:
        add(
            f"<tr><td>{esc(r['firm_name'])}</td><td>{esc(r['place_name'])}</td>"
            f"<td>{esc(r['presence_type'].replace('_', ' '))}</td><td>{esc(r['status'])}</td><td>{esc(r['year'])}</td>"
            f"<td><q>{esc(r['evidence_quote'])}</q> <a class='src' href='#src-{esc(r['source_id'])}'>"
            f"{esc(source_title[r['source_id']])}, chars {r['evidence_start']}-{r['evidence_end']}</a></td></tr>"
        )
    add("</table></section>")

    add("<section id='sources'><h2>Articles</h2><ul>")
    for s in sources:
        date = s["published_on"].year if s["published_precision"] == "year" else s["published_on"]
        add(
            f"<li id='src-{esc(s['source_id'])}'><strong>{esc(s['title'])}</strong>, "
            f"{esc(s['publisher'] or 'publisher not stated')}, {esc(date)} "
            f"({esc(s['published_basis'])}{': ' + esc(s['published_reason']) if s['published_basis'] == 'inferred' else ''})"
            f" <code>{esc(s['source_id'])}</code> sha256 <code>{esc(s['sha256'][:12])}</code></li>"
        )
    add("</ul></section></main>")
    add(
        f"<footer>Generated {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by techhubs report.</footer>"
    )
    add(f"<script>{SCRIPT}</script></body></html>")
    return "\n".join(out)


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


CSS = """
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1d2733;background:#f6f7f9}
header{background:#12344d;color:#fff;padding:18px 28px}header h1{margin:0 0 4px}header a{color:#cfe6ff;margin-right:14px}
.meta{margin:0 0 8px;opacity:.9}main{padding:0 28px 30px}section{background:#fff;border-radius:8px;
padding:14px 20px;margin:18px 0;box-shadow:0 1px 3px #0002}h2{margin-top:4px;color:#12344d}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e3e7ec;padding:4px 8px;text-align:left;
vertical-align:top}.num{text-align:right;white-space:nowrap}.compact td,.compact th{padding:2px 6px}
.cols{display:grid;grid-template-columns:minmax(320px,620px) 1fr;gap:18px;align-items:start}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:14px}
.card{border:1px solid #e3e7ec;border-radius:6px;padding:8px 10px}.card h3{margin:2px 0 6px}.zh{color:#667;font-weight:normal}
.map{width:100%;background:#eef4f8;border-radius:6px}.grid{stroke:#c9d6e0;stroke-width:.6}
.gridlabel{font-size:10px;fill:#7a8a99}.city{fill:#9fb3c4;opacity:.8}.has-facts{fill:#d9480f}
.citylabel{font-size:12px;fill:#1d2733}.bars{width:100%;max-width:760px}.bar{fill:#1971c2}
.barlabel,.barvalue{font-size:12px;fill:#1d2733}.series{width:220px;height:70px}.line{fill:none;stroke:#1971c2;
stroke-width:2}.dot{fill:#d9480f}.caption{color:#556;font-size:13px;margin:6px 0 0}
.matrix td{text-align:center}.matrix small{color:#445}.heat1{background:#e7f5ff}.heat2{background:#a5d8ff}
.heat3{background:#74c0fc}.heat4{background:#4dabf7}q{font-style:italic}.src{font-size:12px;color:#555}
#filter{width:100%;max-width:420px;padding:6px 8px;margin:4px 0 10px;font:inherit}
tr:target{background:#fff3bf}footer{padding:8px 28px 20px;color:#778;font-size:12px}
"""

SCRIPT = """
(function () {
  var input = document.getElementById('filter');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#facts-table tr')).slice(1);
  input.addEventListener('input', function () {
    var q = input.value.toLowerCase();
    rows.forEach(function (row) {
      row.style.display = row.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none';
    });
  });
  document.body.setAttribute('data-ready', String(rows.length));
})();
"""
