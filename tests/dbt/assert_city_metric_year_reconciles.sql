-- Each metric-by-year value is the value of a preferred observation of that city.
with years as (
    select * from {{ ref('fct_city_metric_year') }}
),

observations as (
    select * from {{ ref('fct_metric_observation') }}
),

metrics as (
    select * from {{ ref('dim_metric') }}
)

select years.*
from years
left join observations on years.preferred_observation_id = observations.observation_id
left join metrics on years.metric_id = metrics.metric_id
where
    observations.observation_id is null
    or not observations.is_preferred
    or observations.place_id != years.city_id
    or observations.year != years.year
    or years.value != case when metrics.metric_kind = 'money' then observations.value_cny else observations.value end
