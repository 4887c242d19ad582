"""What the report shows, read from the published warehouse, and how its numbers are written."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import duckdb

COMPARATOR_SIGN = {
    "exact": "",
    "more_than": "> ",
    "at_least": "≥ ",
    "less_than": "< ",
    "at_most": "≤ ",
    "close_to": "nearly ",
    "approximately": "≈ ",
}
LOWER_BOUNDS = ("more_than", "at_least")
UPPER_BOUNDS = ("less_than", "at_most")


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


def bound(comparator: str) -> str:
    """How a figure relates to the truth: exact (or about), a lower bound or an upper bound."""
    if comparator in LOWER_BOUNDS:
        return "lower bound"
    if comparator in UPPER_BOUNDS:
        return "upper bound"
    return "exact or about"


@dataclass(frozen=True)
class ReportData:
    build: dict
    cities: list[dict]
    provinces: list[dict]
    city_years: list[dict]
    city_facts: list[dict]
    presences: list[dict]
    investments: list[dict]
    facts: list[dict]
    relations: list[dict]
    sources: list[dict]


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


CITIES = """
select * from (select c.city_id, c.city_name, c.city_name_zh, c.province_id, c.province_name,
       c.region_name, c.latitude, c.longitude,
       (select count(*) from fct_metric_observation o where o.city_id = c.city_id) as facts,
       (select count(*) from fct_firm_presence p where p.city_id = c.city_id) as presences
from dim_city c) order by facts + presences desc, city_name"""

PROVINCES = """
select p.province_id, p.province_name, p.province_name_zh,
       (select count(*) from fct_metric_observation o where o.province_id = p.province_id) as facts
from dim_province p order by province_name"""

# metrics by year of the city itself (the mart), for comparing cities
CITY_YEARS = """
select y.city_id, c.city_name, m.metric_name, m.metric_id, y.year, y.value_type, y.value,
       y.comparator, y.unit, y.preferred_observation_id as observation_id
from fct_city_metric_year y join dim_metric m using (metric_id) join dim_city c using (city_id)
order by m.metric_name, c.city_name, y.year"""

# every preferred number inside a city (the city, its zones and districts, firms there), for its card
CITY_FACTS = """
select o.observation_id, o.city_id, m.metric_name, o.metric_id, pl.place_name, pl.place_type,
       f.firm_name, o.value, o.unit, o.currency, o.comparator, o.value_type, o.year,
       o.period_start, o.period_end, o.period_precision
from fct_metric_observation o join dim_metric m using (metric_id)
left join dim_place pl using (place_id) left join dim_firm f using (firm_id)
where o.city_id is not null and o.is_preferred
order by o.city_id, m.metric_name, o.period_start"""

PRESENCES = """
select coalesce(c.city_name, pl.place_name) as where_name, p.presence_type, count(*) as n,
       string_agg(f.firm_name, ', ' order by f.firm_name) as firms
from fct_firm_presence p
join dim_firm f using (firm_id)
join dim_place pl using (place_id)
left join dim_city c on p.city_id = c.city_id
group by all order by where_name"""

INVESTMENTS = """
select o.observation_id, f.firm_name, pl.place_name, o.value_type, o.year, o.value_usd,
       o.value_cny, o.usd_stated, o.comparator, o.currency
from fct_metric_observation o join dim_firm f using (firm_id) join dim_place pl using (place_id)
where o.metric_id = 'investment' and o.is_preferred order by o.value_usd desc"""

FACTS = """
select o.observation_id, m.metric_name, pl.place_name, f.firm_name, o.value, o.unit, o.currency,
       o.comparator, o.year, o.period_start, o.period_end, o.value_type, o.source_id,
       o.evidence_quote, o.evidence_start, o.evidence_end, o.period_resolution
from fct_metric_observation o join dim_metric m using (metric_id)
left join dim_place pl using (place_id) left join dim_firm f using (firm_id)
order by pl.place_name, m.metric_name, o.period_start"""

RELATIONS = """
select p.presence_id, f.firm_name, pl.place_name, p.presence_type, p.status, p.year, p.source_id,
       p.evidence_quote, p.evidence_start, p.evidence_end
from fct_firm_presence p join dim_firm f using (firm_id) join dim_place pl using (place_id)
order by pl.place_name, f.firm_name"""


def load(published: Path) -> ReportData:
    con = duckdb.connect(str(published), read_only=True)
    try:
        return ReportData(
            build=_rows(con, "select * from warehouse_build")[0],
            cities=_rows(con, CITIES),
            provinces=_rows(con, PROVINCES),
            city_years=_rows(con, CITY_YEARS),
            city_facts=_rows(con, CITY_FACTS),
            presences=_rows(con, PRESENCES),
            investments=_rows(con, INVESTMENTS),
            facts=_rows(con, FACTS),
            relations=_rows(con, RELATIONS),
            sources=_rows(con, "select * from dim_source order by published_on"),
        )
    finally:
        con.close()
