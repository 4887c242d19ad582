"""The report's HTML, section by section."""

from __future__ import annotations

import datetime as dt
import json

from etl.outputs.report import charts, mapchart
from etl.outputs.report.data import ReportData, esc, format_value
from etl.sources.seed_files import PRESENCE_TYPES

LEGEND = (
    "<div class='legend' aria-label='How figures are drawn'>"
    "<span><svg width='14' height='14'><circle cx='7' cy='7' r='5.5' fill='#4dabf7' stroke='#1864ab' "
    "stroke-width='1.8'/></svg>actual</span>"
    "<span><svg width='14' height='14'><circle cx='7' cy='7' r='5.5' fill='#fff' stroke='#d9480f' "
    "stroke-width='1.8'/></svg>target or plan (hollow; dashed bars)</span>"
    "<span><svg width='14' height='14'><path d='M7 1.5L12.5 12H1.5Z' fill='#fff' stroke='#3b4754' "
    "stroke-width='1.5'/></svg>lower bound: more than, at least</span>"
    "<span><svg width='14' height='14'><path d='M7 12.5L12.5 2H1.5Z' fill='#fff' stroke='#3b4754' "
    "stroke-width='1.5'/></svg>upper bound: less than, at most</span>"
    "<span><svg width='22' height='14'><line x1='3' y1='7' x2='19' y2='7' stroke='#1864ab' "
    "stroke-width='5' stroke-linecap='round' opacity='.6'/></svg>a figure for several years</span>"
    "</div>"
)


def json_script(element_id: str, payload: object) -> str:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    text = text.replace("</", "<\\/").replace("<!--", "<\\!--")
    return f"<script type='application/json' id='{element_id}'>{text}</script>"


def _header(d: ReportData) -> str:
    b = d.build
    return (
        "<header><div class='wrap'><h1>China's emerging tech hubs</h1>"
        f"<p class='meta'>Built {esc(b['built_at'])} UTC from {b['source_rows']} articles: "
        f"{b['observation_rows']} numbers, {b['presence_rows']} firm presences. "
        "Every number links to the sentence it comes from: click it in a chart or a table. "
        f"Input fingerprint <code>{esc(str(b['input_fingerprint'])[:12])}</code>, "
        f"DuckDB {esc(b['duckdb_version'])}, dbt {esc(b['dbt_version'])}.</p>"
        "<nav><a href='#map'>Map</a> <a href='#years'>Metrics by year</a> "
        "<a href='#presence'>Firm presence</a> <a href='#money'>Investments</a> "
        "<a href='#facts'>All numbers</a> <a href='#sources'>Articles</a></nav></div></header>"
    )


def _map(d: ReportData, attribution: str) -> list[str]:
    out = [
        "<section id='map'><h2>Where the facts are</h2>",
        "<p class='lede'>Each dot is a city; its size counts the numbers and firm presences the "
        "articles give for it (red: numbers; amber: firm presences only). Provinces with such a "
        "city are shaded. Click a city for its numbers.</p><div class='cols'>",
        "<div class='chart chart-map' data-chart='map' role='img' "
        "aria-label='Map of China with the cities and their facts'></div>",
        "<table class='compact'><tr><th>City</th><th>Province</th><th class='num'>Numbers</th>"
        "<th class='num'>Presences</th></tr>",
    ]
    for c in d.cities:
        if c["facts"] or c["presences"]:
            out.append(
                f"<tr><td><a href='#city-{esc(c['city_id'])}'>{esc(c['city_name'])}</a> "
                f"<span class='zh'>{esc(c['city_name_zh'])}</span></td>"
                f"<td>{esc(c['province_name'])}</td>"
                f"<td class='num'>{c['facts']}</td><td class='num'>{c['presences']}</td></tr>"
            )
    out.append(f"</table></div><p class='caption'>{esc(attribution)}</p></section>")
    return out


def _numbers_table(rows: list[dict], city_name: str) -> str:
    out = [
        "<details class='numbers'><summary>The numbers, each linked to its quote</summary>"
        "<table class='compact'>"
    ]
    for r in rows:
        period = str(r["year"]) if r["year"] else f"{r['period_start']} to {r['period_end']}"
        kind = f" <em>({esc(r['value_type'])})</em>" if r["value_type"] != "actual" else ""
        out.append(
            f"<tr><td>{esc(period)}</td><td>{esc(charts.row_label(r, city_name))}{kind}</td>"
            f"<td class='num'><a href='#ev-{esc(r['observation_id'])}'>"
            f"{esc(format_value(r['value'], r['unit'], r['comparator'], r['currency']))}</a></td></tr>"
        )
    out.append("</table></details>")
    return "".join(out)


def _years(d: ReportData, specs: dict) -> list[str]:
    out = [
        "<section id='years'><h2>Metrics by year</h2>",
        "<p class='lede'>The numbers the articles give, by the year they describe. A click on a "
        "number opens its quote.</p>",
        LEGEND,
    ]
    compared = charts.comparison_specs(d.city_years)
    if compared:
        out.append("<h3>The same metric in several cities</h3><div class='pair'>")
        for metric_id, spec in compared:
            key = f"compare-{metric_id}"
            specs[key] = spec
            out.append(f"<div class='chart' data-chart='{esc(key)}'></div>")
        out.append("</div>")
    out.append("<h3>City by city</h3><div class='cards'>")
    cities = {c["city_id"]: c for c in d.cities}
    by_city: dict[str, list[dict]] = {}
    for r in d.city_facts:
        by_city.setdefault(r["city_id"], []).append(r)
    for city_id in sorted(by_city, key=lambda c: (-len(by_city[c]), c)):
        c, rows = cities[city_id], by_city[city_id]
        # a year is a date, not an amount: "established 1988" is written, not charted
        dated = [r for r in rows if r["unit"] != "year"]
        years = [r for r in rows if r["unit"] == "year"]
        out.append(
            f"<div class='card' id='city-{esc(city_id)}'><h3><span>{esc(c['city_name'])} "
            f"<span class='zh'>{esc(c['city_name_zh'])}</span></span>"
            f"<span class='where'>{esc(c['province_name'])}, {esc(c['region_name'])}</span></h3>"
        )
        if years:
            notes = "; ".join(
                f"{esc(charts.row_label(r, c['city_name']))}: "
                f"<a href='#ev-{esc(r['observation_id'])}'>{r['value']:.0f}</a>"
                for r in years
            )
            out.append(f"<p class='notes'>{notes}</p>")
        if dated:
            key = f"city-{city_id}"
            specs[key] = charts.timeline_spec(dated, c["city_name"])
            out.append(
                f"<div class='chart' data-chart='{esc(key)}' role='img' "
                f"aria-label='{esc(c['city_name'])}: numbers by year'></div>"
            )
        out.append(_numbers_table(rows, c["city_name"]) + "</div>")
    out.append("</div></section>")
    return out


def _presence(d: ReportData) -> list[str]:
    kinds = [k for k in PRESENCE_TYPES if any(p["presence_type"] == k for p in d.presences)]
    out = [
        "<section id='presence'><h2>Firm presence by place and kind</h2>"
        "<table class='matrix'><tr><th></th>"
        + "".join(f"<th>{esc(k.replace('_', ' '))}</th>" for k in kinds)
        + "</tr>"
    ]
    cells: dict[str, dict[str, dict]] = {}
    for p in d.presences:
        cells.setdefault(p["where_name"], {})[p["presence_type"]] = p
    for where in sorted(cells, key=lambda w: -sum(p["n"] for p in cells[w].values())):
        out.append(f"<tr><th>{esc(where)}</th>")
        for k in kinds:
            p = cells[where].get(k)
            out.append(
                f"<td class='heat{min(p['n'], 4)}' title='{esc(p['firms'])}'>{p['n']}<br>"
                f"<small>{esc(p['firms'])}</small></td>"
                if p
                else "<td></td>"
            )
        out.append("</tr>")
    out.append("</table></section>")
    return out


def _money(d: ReportData, specs: dict) -> list[str]:
    out = ["<section id='money'><h2>Investments, in US dollars</h2>", LEGEND]
    if d.investments:
        specs["investments"] = charts.investment_spec(d.investments)
        out.append("<div class='chart' data-chart='investments'></div>")
    else:
        out.append("<p>None recorded.</p>")
    out.append(
        "<p class='caption'>Amounts stated in yuan are converted with the annual series named in "
        "warehouse_build; where the article gives its own dollar figure it is kept beside it "
        "(usd_stated).</p></section>"
    )
    return out


def _facts(d: ReportData) -> list[str]:
    title = {s["source_id"]: s["title"] for s in d.sources}
    out = [
        "<section id='facts'><h2>Every number, with its evidence</h2>"
        "<input id='filter' type='search' placeholder='Filter: a city, a metric, a firm...' "
        "aria-label='Filter'><table id='facts-table'><tr><th>Place</th><th>Metric</th>"
        "<th class='num'>Value</th><th>Period</th><th>Type</th><th>Evidence</th></tr>"
    ]
    for f in d.facts:
        period = str(f["year"]) if f["year"] else f"{f['period_start']} to {f['period_end']}"
        subject = esc(f["place_name"]) + (f" · {esc(f['firm_name'])}" if f["firm_name"] else "")
        value = format_value(f["value"], f["unit"], f["comparator"], f["currency"])
        out.append(
            f"<tr id='ev-{esc(f['observation_id'])}'><td>{subject}</td><td>{esc(f['metric_name'])}</td>"
            f"<td class='num'>{esc(value)}</td>"
            f"<td title='{esc(f['period_resolution'])}'>{esc(period)}</td><td>{esc(f['value_type'])}</td>"
            f"<td><q>{esc(f['evidence_quote'])}</q> <a class='src' href='#src-{esc(f['source_id'])}'>"
            f"{esc(title[f['source_id']])}, chars {f['evidence_start']}-{f['evidence_end']}</a></td></tr>"
        )
    out.append(
        "</table><h3>Firm-place relations</h3><table><tr><th>Firm</th><th>Place</th><th>Kind</th>"
        "<th>Status</th><th>Year</th><th>Evidence</th></tr>"
    )
    for r in d.relations:
        out.append(
            f"<tr><td>{esc(r['firm_name'])}</td><td>{esc(r['place_name'])}</td>"
            f"<td>{esc(r['presence_type'].replace('_', ' '))}</td><td>{esc(r['status'])}</td>"
            f"<td>{esc(r['year'])}</td><td><q>{esc(r['evidence_quote'])}</q> "
            f"<a class='src' href='#src-{esc(r['source_id'])}'>{esc(title[r['source_id']])}, "
            f"chars {r['evidence_start']}-{r['evidence_end']}</a></td></tr>"
        )
    out.append("</table></section>")
    return out


def _sources(d: ReportData) -> list[str]:
    out = ["<section id='sources'><h2>Articles</h2><ul>"]
    for s in d.sources:
        date = s["published_on"].year if s["published_precision"] == "year" else s["published_on"]
        why = ": " + esc(s["published_reason"]) if s["published_basis"] == "inferred" else ""
        out.append(
            f"<li id='src-{esc(s['source_id'])}'><strong>{esc(s['title'])}</strong>, "
            f"{esc(s['publisher'] or 'publisher not stated')}, {esc(date)} "
            f"({esc(s['published_basis'])}{why}) <code>{esc(s['source_id'])}</code> "
            f"sha256 <code>{esc(s['sha256'][:12])}</code></li>"
        )
    out.append("</ul></section>")
    return out


def body(d: ReportData, outlines: dict, attribution: str) -> tuple[list[str], dict]:
    """The page between <body> and its scripts, and the chart specifications it refers to."""
    specs: dict = {"map": mapchart.map_spec(outlines, d.cities, d.provinces)}
    parts = [_header(d), "<main class='wrap'>"]
    parts += _map(d, attribution)
    parts += _years(d, specs)
    parts += _presence(d)
    parts += _money(d, specs)
    parts += _facts(d)
    parts += _sources(d)
    parts.append(
        f"</main><footer class='wrap'>Generated {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by "
        "techhubs report. Charts: Vega-Lite, drawn by Vega-Embed.</footer>"
    )
    return parts, specs
