with source as (
    select * from {{ source('etl', 'ref_firm') }}
),

renamed as (
    select
        firm_id,
        firm_name,
        replace(aliases, '|', '; ') as aliases,
        hq_place_id,
        hq_country,
        sector
    from source
)

select * from renamed
