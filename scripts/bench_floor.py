"""The same-guarantees floor: the least work that gives what a refresh guarantees, done the
cheapest way DuckDB allows. A measurement beside scripts/bench.py, not a product path.

    .venv/bin/python scripts/bench_floor.py SEEDS WAREHOUSE

WAREHOUSE is a folder a full refresh of SEEDS built (its staging file, its published file and
dbt's target folder): the floor takes from it, untimed, what it builds to (the staging
tables' DDL, the marts' DDL with their primary, foreign and not-null keys, and the models'
compiled SQL). Then, timed, in a folder of its own:

1. read: the facts files with DuckDB's CSV reader (YAML facts files, the manifest and the
   YAML reference files with PyYAML's C loader: DuckDB has no YAML reader), the articles
   with ``read_text``, the reference CSVs with ``read_csv``;
2. check, set-based in SQL: every article's bytes against its sha256, every place, firm and
   metric a fact names, every quote's presence in its article (whitespace-normalised) and its
   offsets, every number's surface form (the phrase in the quote; its comparator, currency,
   percentage, scale and value as stated), the metric's kind, money's exchange rate and its
   dollar figure, statements in their quotes, investments. Periods are resolved by the
   product's resolver, once per distinct period and article date (a lookup table);
3. load: the staging tables the models read, with bulk inserts (``insert ... select``);
4. marts: the models' compiled SQL in dependency order, the staging and intermediate layers
   as views, each mart into a table created with the contract's DDL (its keys checked as the
   rows go in), then a checkpoint.

It checks that its marts have the published file's row counts, and raises if any check finds
a problem (the first few, by file, line and fact id). Not done, as no guarantee asks for it:
the history of fact revisions, dbt's data tests, column comments, the incremental bookkeeping.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import yaml

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from etl.checks.money import FX_TOLERANCE  # noqa: E402
from etl.sources.numbers import FRACTIONS, QUALIFIERS, WORD_NUMBERS  # noqa: E402
from etl.sources.periods import StatementDate, resolve_period  # noqa: E402
from etl.sources.seed_files import csv_period  # noqa: E402

# Python's str.split() whitespace, as RE2 writes it
WS = r"[\s\p{Z}\x{0b}\x{1c}-\x{1f}\x{85}]+"
STAGING_TABLES = (
    "source",
    "ref_place",
    "ref_firm",
    "ref_metric",
    "ref_fx_series",
    "ref_fx_rate",
    "correction",
    "fact_number",
    "fact_relation",
    "fact_statement",
    "fact_evidence",
)
FACT_COLUMNS = (
    "kind id metric place firm quote number value scale currency usd_number fx_note comparator "
    "comparator_reason period period_note value_type unit notes status presence_type "
    "investment review speaker speaker_role text"
).split()
MANIFEST_COLUMNS = (
    "source_id file origin_file sha256 title title_basis publisher publisher_basis published_on "
    "published_precision published_basis published_reason url licence licence_basis line"
).split()
# etl/sources/numbers.py's word numbers and fractions, as rows for DuckDB
WORD_VALUES = list(WORD_NUMBERS.items())
FRACTION_VALUES = list(FRACTIONS.items())


class FloorFailed(Exception):
    pass


class _Lines(yaml.CSafeLoader):
    """PyYAML's C loader; every mapping keeps its line; dates stay text."""


_Lines.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    lambda loader, node: {
        **loader.construct_mapping(node, deep=True),
        "__line__": node.start_mark.line + 1,
    },
)
_Lines.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _yaml(path: Path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Lines)  # noqa: S506 - safe loader


def _period_text(period) -> str | None:
    """A YAML facts file's period as its CSV cell (etl/sources/seed_files.py, csv_period)."""
    if period is None:
        return None
    if isinstance(period, dict):
        if "relative" in period:
            return f"relative: {period['relative']}"
        return f"{period.get('start')}..{period.get('end')} {period.get('precision')}"
    return str(period)


def _yaml_facts(paths: list[Path]) -> pd.DataFrame:
    rows = []
    for path in paths:
        data = _yaml(path) or {}
        for section, kind in (
            ("numbers", "number"),
            ("relations", "relation"),
            ("statements", "statement"),
        ):
            for item in data.get(section) or []:
                row = {c: None for c in FACT_COLUMNS}
                for k, v in item.items():
                    if k == "__line__":
                        continue
                    row[k] = v if v is None or isinstance(v, str) else str(v)
                row["kind"], row["period"] = kind, _period_text(item.get("period"))
                if isinstance(item.get("value"), int | float):
                    row["value"] = repr(float(item["value"]))
                rows.append(
                    {
                        **row,
                        "source_file": path.name,
                        "source_id": data.get("source_id"),
                        "line": item["__line__"],
                    }
                )
    return pd.DataFrame.from_records(
        rows, columns=[*FACT_COLUMNS, "source_file", "source_id", "line"]
    ).astype("string")


# text that normalising changes: whitespace other than single spaces between words
NEEDS_NORM = (
    r"[\t\n\x{0b}\f\r\x{1c}-\x{1f}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}"
    r"\x{2029}\x{202f}\x{205f}\x{3000}]|  |^ | $"
)


def _norm(expr: str) -> str:
    """etl/checks/quotes.py's normalise_ws in SQL (the regex only where it changes the text)."""
    return (
        f"case when regexp_matches({expr}, '{NEEDS_NORM}') "
        f"then trim(regexp_replace({expr}, '{WS}', ' ', 'g')) else {expr} end"
    )


def _offsets(body: str, body_n: str, quote_n: str) -> str:
    """[start, end) of the whitespace-normalised quote in the original body, as a struct:
    verbatim (strpos), else by a pattern that lets any whitespace run stand for a space.
    (The product takes the first whitespace-insensitive match: the two differ only for a
    quote stated twice in an article, the first time across a line break.)"""
    # regexp_escape writes a space as '\ '; RE2's rewrite string doubles a backslash
    rewrite = WS.replace("\\", "\\\\")
    pattern = f"regexp_replace(regexp_escape({quote_n}), '\\\\ ', '{rewrite}', 'g')"
    return f"""case
        when strpos({body}, {quote_n}) > 0 then struct_pack(
            s := strpos({body}, {quote_n}) - 1,
            e := strpos({body}, {quote_n}) - 1 + length({quote_n}))
        when strpos({body_n}, {quote_n}) > 0 then struct_pack(
            s := length(regexp_extract({body}, '(?s)^(.*?)' || {pattern}, 1)),
            e := length(regexp_extract({body}, '(?s)^(.*?)' || {pattern}, 1))
                 + length(regexp_extract({body}, {pattern})))
    end"""


def read(con, seeds: Path) -> None:
    articles = _yaml(seeds / "articles" / "manifest.yml")["articles"]
    manifest = pd.DataFrame.from_records(
        [
            {
                ("line" if k == "__line__" else k): (None if v is None else str(v))
                for k, v in a.items()
            }
            for a in articles
        ],
        columns=MANIFEST_COLUMNS,
    ).astype("string")
    con.register("manifest_df", manifest)
    con.execute("create temp table manifest as select * from manifest_df")
    folder = str(seeds / "articles").replace("'", "''")
    con.execute(f"""create temp table article as
        select parse_filename(filename) as file, content from read_text('{folder}/*.txt')""")
    ref = seeds / "reference"
    for name, table in (
        ("places", "ref_place_in"),
        ("firms", "ref_firm_in"),
        ("metrics", "ref_metric_in"),
        ("fx_rates", "ref_fx_rate_in"),
    ):
        con.execute(
            f"create temp table {table} as select * from read_csv('{ref / (name + '.csv')}', header = true)"
        )
    series = [
        {k: v for k, v in s.items() if k != "__line__"}
        for s in _yaml(ref / "fx_series.yml")["series"]
    ]
    con.register("series_df", pd.DataFrame.from_records(series))
    con.execute("create temp table ref_fx_series_in as select * from series_df")
    corrections = [
        {k: (str(v) if v is not None else None) for k, v in c.items() if k != "__line__"}
        for c in _yaml(ref / "corrections.yml")["corrections"]
    ]
    names = "correction_id source_id quote field place stated corrected reason status".split()
    con.execute(f"create temp table correction_in ({', '.join(n + ' text' for n in names)})")
    if corrections:
        con.executemany(
            f"insert into correction_in values ({', '.join('?' * len(names))})",
            [[c.get(n) for n in names] for c in corrections],
        )
    facts = sorted((seeds / "facts").iterdir())
    csv = [str(p) for p in facts if p.suffix == ".csv"]
    con.register("yaml_facts", _yaml_facts([p for p in facts if p.suffix in (".yml", ".yaml")]))
    parts = ["select *, null::bigint as rn from yaml_facts"]
    if csv:
        # one schema for all (DuckDB checks each file's header against the first's); by name,
        # when they differ, which costs a sniff of every file
        for by_name in ("false", "true"):
            try:
                con.execute(
                    f"""create or replace temp table csv_in as
                    select *, parse_filename(filename) as source_file,
                           parse_filename(filename, true) as source_id, row_number() over () as rn
                    from read_csv({csv!r}, header = true, all_varchar = true, filename = true,
                                  union_by_name = {by_name})"""
                )
                break
            except duckdb.Error:
                if by_name == "true":
                    raise
        have = {
            r[0] for r in con.execute("select name from pragma_table_info('csv_in')").fetchall()
        }
        columns = ", ".join(f"{c if c in have else 'null'}::varchar as {c}" for c in FACT_COLUMNS)
        parts.append(
            f"select {columns}, source_file, source_id, null::varchar as line, rn from csv_in"
        )
    normalised = ", ".join(
        f"{_norm(c)} as {c}_n" for c in ("quote", "number", "usd_number", "text")
    )
    con.execute(
        f"create temp table fact_in as select * exclude (rn, line), {normalised}, "
        "row_number() over () as fid, "
        "coalesce(line::integer, (rn - min(rn) over (partition by source_file) + 2)::integer) "
        "as line from (" + " union all by name ".join(parts) + ")"
    )
    con.execute("drop table if exists csv_in")


def resolve_periods(con) -> None:
    """Periods through the product's resolver, once per distinct period and article date."""
    pairs = con.execute("""
        select distinct f.period, case when f.period = 'as_of' or f.period like 'relative:%'
                                       then m.published_on end as published_on
        from fact_in f join manifest m using (source_id) where f.period is not null""").fetchall()
    rows = []
    for spec, published in pairs:
        try:
            stated = StatementDate.parse(published or "2000-01-01")
            p = resolve_period(csv_period(spec), stated)
            rows.append((spec, published, p.start, p.end, p.precision, p.resolution, None))
        except ValueError as exc:
            rows.append((spec, published, None, None, None, None, str(exc)))
    names = "period published_on period_start period_end period_precision period_resolution error"
    con.register("period_df", pd.DataFrame.from_records(rows, columns=names.split()))
    con.execute(
        "create temp table period_of as select period::text as period, published_on::text as "
        "published_on, period_start::date as period_start, period_end::date as period_end, "
        "period_precision::text as period_precision, period_resolution::text as "
        "period_resolution, error::text as error from period_df"
    )


def parse_numbers(con) -> None:
    """Every distinct number phrase read as etl/sources/numbers.py reads it, set-based."""
    con.execute("create temp table qualifier (ord int, phrase text, comparator text)")
    con.executemany(
        "insert into qualifier values (?, ?, ?)", [(i, p, c) for i, (p, c) in enumerate(QUALIFIERS)]
    )
    con.execute("create temp table word_value (word text, value double)")
    con.executemany("insert into word_value values (?, ?)", WORD_VALUES)
    con.execute("create temp table fraction (word text, share double)")
    con.executemany("insert into fraction values (?, ?)", FRACTION_VALUES)
    con.execute(f"""
    create temp table phrase as
    with texts as (
        select distinct t from (select number as t from fact_in union all select usd_number from fact_in) where t is not null
    ),
    s0 as (select t, {_norm("t")} as s from texts),
    q as (
        select s0.t, s0.s, arg_min(struct_pack(p := q.phrase, c := q.comparator), q.ord) as hit
        from s0 left join qualifier q on starts_with(lower(s0.s), q.phrase || ' ')
        group by all
    ),
    s1 as (
        select t, coalesce(hit.c, 'exact') as comparator,
               case when hit.p is null then s else s[length(hit.p) + 2:] end as s
        from q
    ),
    s2 as (
        select *, regexp_extract(s, '^(US\\$|USD\\s*|\\$|RMB\\s*|CNY\\s*|¥)', 1) as pre from s1
    ),
    s3 as (
        select t, comparator,
               case when pre = '' then null when trim(pre) in ('RMB', 'CNY', '¥') then 'CNY' else 'USD' end as cur_pre,
               ltrim(s[length(pre) + 1:]) as s
        from s2
    ),
    s4 as (
        select *, regexp_extract(s, '(?i)(\\s*(yuan|renminbi|US dollars|dollars))$', 2) as cur_word,
               regexp_extract(s, '(?i)(\\s*(yuan|renminbi|US dollars|dollars))$', 1) as cur_suffix
        from s3
    ),
    s5 as (
        select t, comparator, cur_pre,
               case when cur_word = '' then null when lower(cur_word) in ('yuan', 'renminbi') then 'CNY' else 'USD' end as cur_suf,
               s[:length(s) - length(cur_suffix)] as s
        from s4
    ),
    s6 as (
        select *, regexp_extract(s, '(?i)(\\s*(percent|per cent|%|percentage points?))$', 1) as pct from s5
    ),
    s7 as (
        select t, comparator, cur_pre, cur_suf, pct != '' as is_percent, s[:length(s) - length(pct)] as s from s6
    ),
    s8 as (
        select *, regexp_extract(s, '(?i)(\\s*(thousand|million|billion|trillion))$', 1) as sc from s7
    ),
    s9 as (
        select t, comparator, cur_pre, cur_suf, is_percent,
               nullif(lower(trim(sc)), '') as scale, trim(s[:length(s) - length(sc)]) as s
        from s8
    ),
    read as (
        select s9.*,
            regexp_extract(s, '(?i)^(one|1) (out )?of (every )?(\\S+)$', 4) as denom_token,
            regexp_extract(s, '(?i)^(a|one|two|three)[- ](half|third|quarter|fifth|tenth)s?$', 1) as frac_count,
            lower(regexp_extract(s, '(?i)^(a|one|two|three)[- ](half|third|quarter|fifth|tenth)s?$', 2)) as frac_word
        from s9
    ),
    valued as (
        select r.*,
            case when regexp_full_match(lower(trim(r.s)), '\\d{{1,3}}(,\\d{{3}})+(\\.\\d+)?|\\d+(\\.\\d+)?')
                 then replace(lower(trim(r.s)), ',', '')::double else w.value end as plain,
            case when regexp_full_match(lower(trim(r.denom_token)), '\\d{{1,3}}(,\\d{{3}})+(\\.\\d+)?|\\d+(\\.\\d+)?')
                 then replace(lower(trim(r.denom_token)), ',', '')::double else dw.value end as denom,
            cw.value as count, fr.share
        from read r
        left join word_value w on w.word = lower(trim(r.s))
        left join word_value dw on dw.word = lower(trim(r.denom_token))
        left join word_value cw on cw.word = lower(r.frac_count)
        left join fraction fr on fr.word = r.frac_word
    )
    select t, comparator, scale, coalesce(cur_pre, cur_suf) as currency,
        case when denom_token != '' or frac_word != '' then true else is_percent end as is_percent,
        case when denom_token != '' then 100.0 / denom when frac_word != '' then count * share else plain end as value,
        case
            when cur_pre is not null and cur_suf is not null and cur_pre != cur_suf then 'two different currencies'
            when (denom_token != '' or frac_word != '') and (is_percent or scale is not null or coalesce(cur_pre, cur_suf) is not null)
                then 'a share cannot carry a unit'
            when denom_token != '' and (denom is null or denom <= 0) then 'not a share'
            when denom_token = '' and frac_word = '' and plain is null then 'cannot read as a number phrase'
        end as error
    from valued""")


CHECKS = """
create temp table source_rows as
    select m.*, a.content, sha256(a.content) as actual
    from manifest m left join article a on a.file = m.file;
-- each quote's offsets where it stands verbatim in its article (one scan of the article)
create temp table quote_at as
    select f.fid, strpos(s.content, f.quote_n) - 1 as s, length(f.quote_n) as n
    from fact_in f join source_rows s using (source_id);
-- the normalised text, of the articles that some quote is not in verbatim
create temp table article_n as
    select source_id, {norm_content} as content_n from source_rows
    where source_id in (
        select source_id from quote_at where s < 0
        union select c.source_id from correction_in c join source_rows s using (source_id)
        where strpos(s.content, {norm_c_quote}) = 0);
-- those quotes: where a run of whitespace stands for each space
create temp table quote_moved as
    select f.fid, ({offsets}) as o
    from fact_in f join source_rows s using (source_id) join article_n n using (source_id)
    join quote_at q using (fid) where q.s < 0;
create temp table facts as (
    select f.*, s.file as article_file, s.published_on,
           case when s.content is null then null
                when q.s >= 0 then struct_pack(s := q.s, e := q.s + q.n) else mv.o end as o,
           metric.metric_kind, metric.unit as metric_unit,
           p.period_start, p.period_end, p.period_precision, p.period_resolution,
           p.error as period_error,
           n.value as n_value, n.scale as n_scale, n.comparator as n_comparator,
           n.currency as n_currency, n.is_percent as n_percent, n.error as n_error,
           u.value as u_value, u.scale as u_scale, u.currency as u_currency, u.error as u_error
    from fact_in f
    left join source_rows s using (source_id)
    left join quote_at q using (fid)
    left join quote_moved mv using (fid)
    left join ref_metric_in metric on metric.metric_id = f.metric
    left join period_of p on p.period = f.period
         and p.published_on is not distinct from (case when f.period = 'as_of' or f.period like 'relative:%' then s.published_on end)
    left join phrase n on n.t = f.number
    left join phrase u on u.t = f.usd_number
);
drop table quote_at;
drop table quote_moved;
create temp table problem as
select 'manifest.yml' as file, line::int as line, source_id as fact_id, 'article file missing' as what from source_rows where content is null
union all select file, 0, source_id, 'article bytes changed: sha256 differs from the manifest' from source_rows where content is not null and actual != sha256
union all select file, 0, null, 'article file is not in the manifest' from article where file not in (select file from manifest)
union all select source_file, line, id, 'source not in the manifest' from facts where article_file is null
union all select source_file, line, id, 'fact id must be lower case letters, digits, - and _' from facts where not regexp_full_match(id, '[a-z0-9][a-z0-9_-]*')
union all select source_file, line, id, 'quote not found in the article (whitespace-normalised)' from facts where article_file is not null and o is null
union all select source_file, line, id, 'unknown place' from facts where place is not null and place not in (select place_id from ref_place_in)
union all select source_file, line, id, 'unknown firm' from facts where firm is not null and firm not in (select firm_id from ref_firm_in)
union all select source_file, line, id, 'a fact needs a place, a firm or both' from facts where kind != 'statement' and place is null and firm is null
union all select source_file, line, id, 'unknown metric' from facts where kind = 'number' and metric_kind is null
union all select source_file, line, id, 'fact is not reviewed' from facts where kind = 'number' and coalesce(status, 'reviewed') != 'reviewed'
union all select source_file, line, id, 'relation is not reviewed' from facts where kind = 'relation' and coalesce(review, 'reviewed') != 'reviewed'
union all select source_file, line, id, 'period: ' || period_error from facts where period_error is not null
union all select source_file, line, id, 'period is missing' from facts where kind = 'number' and period is null
union all select source_file, line, id, 'period ends before it starts' from facts where period_end < period_start
union all select source_file, line, id, 'number does not occur in the quote' from facts where kind = 'number' and strpos({norm_quote}, {norm_number}) = 0
union all select source_file, line, id, 'number: ' || n_error from facts where kind = 'number' and n_error is not null
union all select source_file, line, id, 'value does not match the quote' from facts
    where kind = 'number' and n_error is null and abs(n_value - value::double) > (
        case when value::double::varchar like '%e%' then 1e-9
             else 0.5 * pow(10, -length(split_part(value::double::varchar, '.', 2))) end)
union all select source_file, line, id, 'scale does not match the quote' from facts where kind = 'number' and n_error is null and n_scale is distinct from scale
union all select source_file, line, id, 'comparator does not match the quote' from facts where kind = 'number' and n_error is null and n_comparator != comparator and comparator_reason is null
union all select source_file, line, id, 'currency does not match the quote' from facts where kind = 'number' and n_error is null and n_currency is distinct from currency
union all select source_file, line, id, 'unit is not the metric''s unit' from facts where kind = 'number' and unit is not null and unit != metric_unit
union all select source_file, line, id, 'money without a currency, or a currency on other than money' from facts
    where kind = 'number' and (metric_kind = 'money') != (currency is not null)
union all select source_file, line, id, 'percentage and metric kind disagree' from facts
    where kind = 'number' and n_error is null and (metric_kind in ('percent', 'share')) != n_percent
union all select source_file, line, id, 'no exchange rate for the year' from facts
    where kind = 'number' and (usd_number is not null or metric_kind = 'money')
      and (case when year(period_start) = year(period_end) then year(period_start) else year(period_end) end)
          not in (select year from ref_fx_rate_in)
union all select source_file, line, id, 'usd_number: not a USD figure of a CNY amount in the quote' from facts
    where usd_number is not null and (currency is distinct from 'CNY' or u_error is not null
          or u_currency is distinct from 'USD' or strpos({norm_quote}, {norm_usd}) = 0)
union all select source_file, line, id, 'the implied exchange rate is off the series by more than {tolerance}' from facts f
    join ref_fx_rate_in r on r.year = (case when year(f.period_start) = year(f.period_end) then year(f.period_start) else year(f.period_end) end)
    where f.usd_number is not null and f.u_error is null and f.fx_note is null
      and abs((f.value::double * coalesce({scale_of_n}, 1)) / (f.u_value * coalesce({scale_of_u}, 1)) / r.cny_per_usd - 1) > {tolerance}
union all select source_file, line, id, 'the statement''s text does not occur in its quote' from facts where kind = 'statement' and strpos({norm_quote}, {norm_text}) = 0
union all select r.source_file, r.line, r.id, 'investment is not an investment fact of the firm' from fact_in r
    left join fact_in n on n.id = r.investment and n.kind = 'number'
    where r.kind = 'relation' and r.investment is not null and (n.id is null or n.metric != 'investment' or n.firm is distinct from r.firm)
union all select min(source_file), min(line), id, 'fact id used with other content' from fact_in
    group by id having count(distinct md5(to_json(struct_pack(kind, metric, place, firm, number,
        value, scale, currency, usd_number, comparator, period, value_type, presence_type, status,
        investment, speaker, text)))) > 1
union all select c.source_id, 0, c.correction_id, 'the correction''s quote is not in the source' from correction_in c
    left join source_rows s using (source_id) left join article_n n using (source_id)
    where s.content is null or strpos(coalesce(n.content_n, s.content), {norm_c_quote}) = 0
"""

SCALE_CASE = "case {col} when 'thousand' then 1e3 when 'million' then 1e6 when 'billion' then 1e9 when 'trillion' then 1e12 end"


def check(con) -> None:
    con.execute(
        CHECKS.format(
            offsets=_offsets("s.content", "n.content_n", "f.quote_n"),
            norm_quote="quote_n",
            norm_number="number_n",
            norm_usd="usd_number_n",
            norm_text="text_n",
            norm_content=_norm("content"),
            norm_c_quote=_norm("c.quote"),
            scale_of_n=SCALE_CASE.format(col="f.scale"),
            scale_of_u=SCALE_CASE.format(col="f.u_scale"),
            tolerance=FX_TOLERANCE,
        )
    )
    problems = con.execute("select * from problem order by all limit 10").fetchall()
    if problems:
        total = con.execute("select count(*) from problem").fetchone()[0]
        raise FloorFailed(
            f"{total} problem(s), e.g. "
            + "; ".join(f"{f}:{line} {i}: {w}" for f, line, i, w in problems)
        )


def load(con) -> None:
    """The checked rows into the staging tables (created before, with staging's own DDL)."""
    n = _norm
    con.execute("begin")
    con.execute(f"""insert into source by name
        select m.source_id, m.file as file_name, m.origin_file, m.title, m.title_basis, m.publisher,
               m.publisher_basis, m.published_on, m.published_precision, m.published_basis,
               {n("m.published_reason")} as published_reason,
               case when length(m.published_on) = 4 then (m.published_on || '-01-01')::date
                    when length(m.published_on) = 7 then (m.published_on || '-01')::date
                    else m.published_on::date end as statement_date,
               m.url, m.licence, m.licence_basis, m.sha256, length(a.content) as char_count,
               a.content as body
        from manifest m join article a on a.file = m.file""")
    for table in ("ref_place", "ref_firm", "ref_metric", "ref_fx_rate", "ref_fx_series"):
        con.execute(f"insert into {table} by name select * from {table}_in")
    con.execute(f"""insert into correction by name
        select correction_id, source_id, quote, o.s as evidence_start, o.e as evidence_end,
               field as field_name, place as place_id, stated as stated_value,
               corrected as corrected_value, {n("reason")} as reason, status
        from (select c.*, {_offsets("s.body", "coalesce(n.content_n, s.body)", _norm("c.quote"))} as o
              from correction_in c join source s using (source_id)
              left join article_n n using (source_id))""")
    con.execute("""insert into fact_evidence by name
        select id as fact_id, source_id, quote, o.s as evidence_start, o.e as evidence_end,
               source_file as facts_file, line as facts_line from facts""")
    scale = SCALE_CASE.format(col="f.scale")
    con.execute(f"""insert into fact_number by name
        with f as (
            select f.*, f.value::double * coalesce({scale}, 1) as full_value,
                   f.u_value * coalesce({SCALE_CASE.format(col="f.u_scale")}, 1) as usd
            from facts f
            where f.kind = 'number'
            qualify row_number() over (partition by f.id order by f.source_file) = 1
        )
        select id as fact_id, metric as metric_id, place as place_id, firm as firm_id,
               number as number_text, value::double as value_stated, scale, full_value as value,
               comparator, comparator_reason,
               case when comparator in ('exact', 'more_than', 'at_least') then full_value end as value_low,
               case when comparator in ('exact', 'less_than', 'at_most', 'close_to') then full_value end as value_high,
               case currency when 'CNY' then 'yuan' when 'USD' then 'US dollars' else metric_unit end as unit,
               currency, usd as usd_stated, full_value / usd as usd_implied_rate,
               case when currency is not null then case when year(period_start) = year(period_end)
                    then year(period_start) else year(period_end) end end as fx_year,
               {n("fx_note")} as fx_note, period_start, period_end, period_precision,
               period_resolution, period_note, value_type, {n("notes")} as notes,
               md5(to_json(struct_pack(id, metric, place, firm, number, value, scale, currency,
                   usd_number, comparator, period, value_type, notes)))[:16] as content_hash,
               1 as revision
        from f""")
    con.execute(f"""insert into fact_relation by name
        select f.id as fact_id, f.firm as firm_id, f.place as place_id, f.presence_type, f.status,
               f.period_start, f.period_end, f.period_precision, f.period_resolution,
               f.investment as investment_fact_id, {n("f.notes")} as notes,
               md5(to_json(struct_pack(f.id, f.firm, f.place, f.presence_type, f.status, f.period,
                   f.investment, f.notes)))[:16] as content_hash, 1 as revision
        from facts f
        where f.kind = 'relation'
        qualify row_number() over (partition by f.id order by f.source_file) = 1""")
    con.execute(f"""insert into fact_statement by name
        select id as fact_id, speaker, speaker_role, firm as firm_id, place as place_id,
               text as statement_text, {n("notes")} as notes,
               md5(to_json(struct_pack(id, speaker, speaker_role, firm, place, text, notes)))[:16] as content_hash,
               1 as revision
        from facts where kind = 'statement'
        qualify row_number() over (partition by id order by source_file) = 1""")
    con.execute("commit")


def models_in_order(target: Path) -> list[dict]:
    manifest = json.loads((target / "manifest.json").read_text())
    models = {k: n for k, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    order, seen = [], set()

    def visit(key: str) -> None:
        if key in seen or key not in models:
            return
        seen.add(key)
        for parent in manifest["parent_map"].get(key, []):
            visit(parent)
        order.append(models[key])

    for key in sorted(models):
        visit(key)
    return order


def build_marts(con, target: Path, models: list[dict], ddl: dict[str, str]) -> None:
    con.execute("create schema if not exists staging; create schema if not exists intermediate")
    for node in models:
        sql = (target / "compiled" / "techhubs" / node["original_file_path"]).read_text()
        name = f'"tech_hubs"."{node["schema"]}"."{node["alias"]}"'
        if node["config"]["materialized"] == "view":
            con.execute(f"create view {name} as {sql}")
        elif node["schema"] != "main":  # a build-only table of an inner layer
            con.execute(f"create table {name} as {sql}")
        else:
            con.execute(ddl[node["alias"]])
            con.execute(f"insert into {name} by name {sql}")
    for schema in ("staging", "intermediate"):
        con.execute(f"drop schema {schema} cascade")
    con.execute("checkpoint")


def run_floor(seeds: Path, warehouse: Path, workdir: Path) -> dict[str, float]:
    """Seconds of each step of the floor (read, check, load, marts, total)."""
    target = warehouse / ".dbt" / "target"
    models = models_in_order(target)
    with duckdb.connect(str(warehouse / "tech_hubs.duckdb"), read_only=True) as pub:
        ddl = dict(
            pub.execute(
                "select table_name, sql from duckdb_tables() where schema_name = 'main'"
            ).fetchall()
        )
        counts = {t: pub.execute(f'select count(*) from "{t}"').fetchone()[0] for t in ddl}
    with duckdb.connect(str(warehouse / "staging.duckdb"), read_only=True) as stg:
        staging_ddl = dict(stg.execute("select table_name, sql from duckdb_tables()").fetchall())
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    seconds: dict[str, float] = {}
    start = last = time.perf_counter()

    def step(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        seconds[name], last = now - last, now

    con = duckdb.connect(str(workdir / "staging.duckdb"))
    try:
        for table in STAGING_TABLES:
            con.execute(staging_ddl[table])
        read(con, seeds)
        step("read")
        resolve_periods(con)
        parse_numbers(con)
        check(con)
        step("check")
        load(con)
        con.execute("checkpoint")
        step("load")
    finally:
        con.close()
    con = duckdb.connect(str(workdir / "tech_hubs.duckdb"))
    try:
        staging = str(workdir / "staging.duckdb").replace("'", "''")
        con.execute(f"attach '{staging}' as staging_db (read_only)")
        build_marts(con, target, models, ddl)
        step("marts")
        seconds["total"] = time.perf_counter() - start
        built = {t: con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in ddl}
    finally:
        con.close()
    differ = {t: (built.get(t), n) for t, n in counts.items() if built.get(t) != n}
    if differ:
        raise FloorFailed(
            f"the floor's marts differ from the published file's (floor, published): {differ}"
        )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seeds", type=Path)
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or args.warehouse / ".floor"
    try:
        seconds = run_floor(args.seeds, args.warehouse, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(", ".join(f"{k} {v:.2f} s" for k, v in seconds.items()))


if __name__ == "__main__":
    main()
