-- Every place with the city and province it lies in, found by walking up the
-- parent chain. A municipality (Chongqing, Beijing, Shanghai) is its own city
-- and its own province. Places above city level (country, region, group) have
-- no city; places above province level have no province.
with recursive places as (
    select * from {{ ref('stg_etl__places') }}
),

ancestry as (
    select
        place_id,
        place_id as ancestor_id,
        0 as depth
    from places
    union all
    select
        ancestry.place_id,
        parent.parent_place_id as ancestor_id,
        ancestry.depth + 1 as depth
    from ancestry
    inner join places as parent on ancestry.ancestor_id = parent.place_id
    where parent.parent_place_id is not null and ancestry.depth < 20
),

ancestors_typed as (
    select
        ancestry.place_id,
        ancestry.ancestor_id,
        ancestry.depth,
        places.place_type as ancestor_type
    from ancestry
    inner join places on ancestry.ancestor_id = places.place_id
),

city_of as (
    select
        place_id,
        min_by(ancestor_id, depth) as city_id
    from ancestors_typed
    where ancestor_type in ('city', 'municipality')
    group by place_id
),

province_of as (
    select
        place_id,
        min_by(ancestor_id, depth) as province_id
    from ancestors_typed
    where ancestor_type in ('province', 'municipality')
    group by place_id
),

final as (
    select
        places.place_id,
        places.place_name,
        places.place_name_zh,
        places.place_type,
        places.parent_place_id,
        city_of.city_id,
        province_of.province_id,
        places.region_name,
        places.latitude,
        places.longitude,
        places.aliases,
        places.is_provincial_capital
    from places
    left join city_of on places.place_id = city_of.place_id
    left join province_of on places.place_id = province_of.place_id
)

select * from final
