with source as (
    select * from {{ source('etl', 'fact_number') }}
),

renamed as (
    select
        fact_id,
        metric_id,
        place_id,
        firm_id,
        number_text,
        cast(value_stated as double) as value_as_stated,
        scale,
        cast(value as double) as value,
        comparator,
        comparator_reason,
        cast(value_low as double) as value_low,
        cast(value_high as double) as value_high,
        unit,
        currency,
        cast(usd_stated as double) as usd_stated,
        cast(usd_implied_rate as double) as usd_implied_rate,
        cast(fx_year as integer) as fx_year,
        fx_note,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        period_precision,
        period_resolution,
        period_note,
        value_type,
        notes,
        cast(revision as integer) as revision
    from source
)

select * from renamed
