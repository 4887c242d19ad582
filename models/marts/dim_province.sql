{{ incremental_mart_config('province_id') }}
with places as (
    select * from {{ ref('int_places_resolved') }}
),

final as (
    select
        place_id as province_id,
        place_name as province_name,
        place_name_zh as province_name_zh,
        case place_type
            when 'municipality' then 'municipality'
            else 'province'
        end as province_type,
        region_name
    from places
    where place_type in ('province', 'municipality')
)

select * from final
