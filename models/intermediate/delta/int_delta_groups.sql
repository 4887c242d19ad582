-- Incremental builds only: the groups of observations (metric, subject, period, value type)
-- that a changed fact is in, now or in the published build. The preferred flags,
-- conflicts and metrics by year of these groups are computed again. One text key per group
-- (macros/incremental.sql).
-- depends_on: {{ ref('int_delta_facts') }}, {{ ref('stg_etl__numbers') }}
{{ config(materialized='table') }}
{% if is_delta_build() %}
with facts as (
    select fact_id from {{ ref('int_delta_facts') }}
)

select {{ observation_group_key('o') }} as group_key
from {{ published('fct_metric_observation') }} as o
where fact_id in (select fact_id from facts)
union
select {{ observation_group_key('n') }} as group_key
from {{ ref('stg_etl__numbers') }} as n
where fact_id in (select fact_id from facts)
{% else %}
{{ no_rows('group_key') }}
{% endif %}
