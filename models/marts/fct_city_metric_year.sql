-- Metrics by year for each city, from the preferred observations of the city
-- itself (not of a zone or district inside it, and not of one firm). When a
-- city has several preferred observations of a metric in one year (say a stock
-- at the end of 2021 and one as of mid-2021), the latest period wins. Money is
-- given in CNY so that amounts stated in USD and in yuan add up.
{{ incremental_mart_config('city_metric_year_id') }}
-- Built incrementally on DuckDB: see macros/incremental.sql.
-- depends_on: {{ ref('int_delta_city_years') }}
with observations as (
    select * from {{ ref('fct_metric_observation') }} as o
    {% if is_incremental() %}where {{ changed_rows('fct_city_metric_year', 'o') }}{% endif %}
),

metrics as (
    select * from {{ ref('stg_etl__metrics') }}
),

city_level as (
    select
        observations.*,
        metrics.metric_kind
    from observations
    inner join metrics on observations.metric_id = metrics.metric_id
    where
        observations.place_id = observations.city_id
        and observations.firm_id is null
        and observations.year is not null
),

counted as (
    select
        city_id,
        metric_id,
        year,
        value_type,
        count(*) as observation_count,
        count(distinct source_id) as source_count
    from city_level
    group by city_id, metric_id, year, value_type
),

chosen as (
    select
        city_id,
        metric_id,
        year,
        value_type,
        case when metric_kind = 'money' then value_cny else value end as value,
        comparator,
        case when metric_kind = 'money' then 'yuan' else unit end as unit,
        observation_id as preferred_observation_id,
        row_number() over (
            partition by city_id, metric_id, year, value_type
            order by period_end desc, period_start desc, observation_id
        ) as pick
    from city_level
    where is_preferred
),

final as (
    select
        {{ stable_id(['chosen.city_id', 'chosen.metric_id', 'chosen.year', 'chosen.value_type']) }}
            as city_metric_year_id,
        chosen.city_id,
        chosen.metric_id,
        chosen.year,
        chosen.value_type,
        chosen.value,
        chosen.comparator,
        chosen.unit,
        counted.observation_count,
        counted.source_count,
        chosen.preferred_observation_id
    from chosen
    inner join counted
        on
            chosen.city_id = counted.city_id
            and chosen.metric_id = counted.metric_id
            and chosen.year = counted.year
            and chosen.value_type = counted.value_type
    where chosen.pick = 1
)

select * from final
