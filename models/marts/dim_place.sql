{{ incremental_mart_config('place_id') }}
with places as (
    select * from {{ ref('int_places_resolved') }}
),

final as (
    select
        place_id,
        place_name,
        place_name_zh,
        place_type,
        parent_place_id,
        city_id,
        province_id,
        region_name,
        latitude,
        longitude,
        aliases
    from places
)

select * from final
