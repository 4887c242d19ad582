with rates as (
    select * from {{ source('etl', 'ref_fx_rate') }}
),

series as (
    select * from {{ source('etl', 'ref_fx_series') }}
),

renamed as (
    select
        rates.series_id as fx_series,
        series.name as fx_series_name,
        cast(rates.year as integer) as year,
        cast(rates.cny_per_usd as double) as cny_per_usd
    from rates
    inner join series on rates.series_id = series.series_id
)

select * from renamed
