with source as (
    select * from {{ source('etl', 'fact_relation') }}
),

renamed as (
    select
        fact_id,
        firm_id,
        place_id,
        presence_type,
        status,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        period_precision,
        period_resolution,
        investment_fact_id,
        notes,
        cast(revision as integer) as revision
    from source
)

select * from renamed
