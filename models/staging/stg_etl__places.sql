with source as (
    select * from {{ source('etl', 'ref_place') }}
),

renamed as (
    select
        place_id,
        place_name,
        place_name_zh,
        place_type,
        parent_place_id,
        region_name,
        cast(latitude as double) as latitude,
        cast(longitude as double) as longitude,
        cast(is_provincial_capital as boolean) as is_provincial_capital,
        replace(aliases, '|', '; ') as aliases
    from source
)

select * from renamed
