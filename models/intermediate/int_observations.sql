-- One row per numeric fact and source (a fact stated in two articles gives two
-- observations), with the subject's city and province, the year the value
-- describes, and money normalised to CNY and USD with the named annual series.
-- In an incremental build, only the observations of the changed facts (int_delta_facts):
-- int_observations_ranked takes the other rows of their groups from the published mart.
-- depends_on: {{ ref('int_delta_facts') }}
with numbers as (
    select * from {{ ref('stg_etl__numbers') }} as n
    {% if is_delta_build() %}
    where {{ recomputed_rows('fct_metric_observation', 'n') }}
    {% endif %}
),

evidence as (
    select * from {{ ref('stg_etl__evidence') }}
),

sources as (
    select * from {{ ref('stg_etl__sources') }}
),

places as (
    select * from {{ ref('int_places_resolved') }}
),

fx_rates as (
    select * from {{ ref('stg_etl__fx_rates') }}
),

joined as (
    select
        numbers.*,
        evidence.source_id,
        evidence.evidence_quote,
        evidence.evidence_start,
        evidence.evidence_end,
        sources.statement_date,
        sources.published_precision as statement_precision,
        places.city_id,
        places.province_id
    from numbers
    inner join evidence on numbers.fact_id = evidence.fact_id
    inner join sources on evidence.source_id = sources.source_id
    left join places on numbers.place_id = places.place_id
),

normalised as (
    select
        joined.*,
        case
            when year(joined.period_start) = year(joined.period_end) then cast(year(joined.period_start) as integer)
        end as year,
        fx_rates.fx_series,
        fx_rates.cny_per_usd as fx_rate,
        case
            when joined.currency = 'CNY' then joined.value
            when joined.currency = 'USD' then joined.value * fx_rates.cny_per_usd
        end as value_cny,
        case
            when joined.currency = 'USD' then joined.value
            when joined.currency = 'CNY' then joined.value / fx_rates.cny_per_usd
        end as value_usd
    from joined
    left join fx_rates on joined.fx_year = fx_rates.year and joined.currency is not null
),

final as (
    select
        {{ stable_id(['source_id', 'metric_id', 'place_id', 'firm_id', 'period_start', 'period_end', 'value_type']) }}
            as observation_id,
        *
    from normalised
)

select * from final
