-- Incremental builds only: the city, metric, year and value type rows of
-- fct_city_metric_year that a changed group of observations feeds, before or now.
-- Built before fct_metric_observation changes (which depends on this model).
{{ config(materialized='table') }}
-- depends_on: {{ ref('int_delta_groups') }}, {{ ref('int_observations') }}
{% if is_delta_build() %}
with before as (
    select o.city_id, o.metric_id, o.year, o.value_type
    from {{ published('fct_metric_observation') }} as o
    where {{ changed_rows('fct_metric_observation', 'o') }}
),

after as (
    -- int_observations holds only the changed facts' observations in an incremental build
    -- (the other rows of their groups keep their city, metric, year and value type: in before)
    select city_id, metric_id, year, value_type from {{ ref('int_observations') }}
),

touched as (
    select * from before
    union
    select * from after
)

select {{ city_year_key("touched") }} as city_year_key
from touched
where city_id is not null and year is not null
{% else %}
{{ no_rows('city_year_key') }}
{% endif %}
