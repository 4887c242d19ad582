{{ incremental_mart_config('firm_id') }}
with firms as (
    select * from {{ ref('stg_etl__firms') }}
),

final as (
    select
        firm_id,
        firm_name,
        aliases,
        hq_place_id,
        hq_country,
        sector
    from firms
)

select * from final
