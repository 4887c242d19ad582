{{ incremental_mart_config('city_id') }}
with places as (
    select * from {{ ref('int_places_resolved') }}
),

cities as (
    select * from places
    where place_type in ('city', 'municipality')
),

final as (
    select
        cities.place_id as city_id,
        cities.place_name as city_name,
        cities.place_name_zh as city_name_zh,
        cities.province_id,
        provinces.place_name as province_name,
        cities.region_name,
        cities.is_provincial_capital,
        cities.place_type = 'municipality' as is_municipality,
        cities.latitude,
        cities.longitude
    from cities
    left join places as provinces on cities.province_id = provinces.place_id
)

select * from final
