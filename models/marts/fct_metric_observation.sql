{{ incremental_mart_config('observation_id', group_columns=['is_preferred', 'reporting_sources']) }}
-- Built incrementally on DuckDB: see macros/incremental.sql.
-- depends_on: {{ ref('int_delta_city_years') }}, {{ ref('int_delta_groups') }}, {{ ref('int_delta_facts') }}
with observations as (
    select * from {{ ref('int_observations_ranked') }}
),

final as (
    select
        observation_id,
        fact_id,
        metric_id,
        place_id,
        city_id,
        province_id,
        firm_id,
        source_id,
        period_start,
        period_end,
        period_precision,
        period_resolution,
        year,
        statement_date,
        value,
        value_as_stated,
        scale,
        number_text,
        comparator,
        value_low,
        value_high,
        unit,
        value_type,
        currency,
        value_cny,
        value_usd,
        usd_stated,
        usd_implied_rate,
        fx_series,
        fx_rate,
        fx_note,
        evidence_quote,
        evidence_start,
        evidence_end,
        is_preferred,
        reporting_sources,
        notes
    from observations
)

select * from final
