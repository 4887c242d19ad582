{{ incremental_mart_config('presence_id') }}
-- Built incrementally on DuckDB: see macros/incremental.sql.
-- depends_on: {{ ref('int_delta_relations') }}
with relations as (
    select * from {{ ref('stg_etl__relations') }} as r
    {% if is_incremental() %}where {{ changed_rows('fct_firm_presence', 'r') }}{% endif %}
),

evidence as (
    select * from {{ ref('stg_etl__evidence') }}
),

places as (
    select * from {{ ref('int_places_resolved') }}
),

investments as (
    -- the preferred observation of each investment fact a relation points at
    select * from {{ ref('fct_metric_observation') }}
    where is_preferred
),

joined as (
    select
        {{ stable_id(['relations.firm_id', 'relations.place_id', 'relations.presence_type', 'evidence.source_id']) }}
            as presence_id,
        relations.fact_id,
        relations.firm_id,
        relations.place_id,
        places.city_id,
        places.province_id,
        relations.presence_type,
        relations.status,
        case
            when year(relations.period_start) = year(relations.period_end)
                then cast(year(relations.period_start) as integer)
        end as year,
        relations.period_start,
        relations.period_end,
        relations.period_precision,
        investments.value_cny as investment_cny,
        investments.value_usd as investment_usd,
        investments.usd_stated,
        investments.value_type as investment_value_type,
        evidence.source_id,
        evidence.evidence_quote,
        evidence.evidence_start,
        evidence.evidence_end,
        relations.notes
    from relations
    inner join evidence on relations.fact_id = evidence.fact_id
    left join places on relations.place_id = places.place_id
    left join investments on relations.investment_fact_id = investments.fact_id
),

final as (
    select
        presence_id,
        fact_id,
        firm_id,
        place_id,
        city_id,
        province_id,
        presence_type,
        status,
        year,
        period_start,
        period_end,
        period_precision,
        investment_cny,
        investment_usd,
        usd_stated,
        investment_value_type,
        source_id,
        evidence_quote,
        evidence_start,
        evidence_end,
        notes
    from joined
)

select * from final
