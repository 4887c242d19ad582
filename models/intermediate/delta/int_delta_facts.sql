-- Incremental builds only (empty in a full build): the facts whose mart rows may change,
-- those a changed source states now or stated in the published build.
-- depends_on: {{ source('build_delta', 'changed_sources') }}, {{ ref('stg_etl__evidence') }}
{{ config(materialized='table') }}
{% if is_delta_build() %}
with changed as (
    select source_id from {{ source('build_delta', 'changed_sources') }}
)

select fact_id from {{ published('fct_fact_evidence') }}
where source_id in (select source_id from changed)
union
select fact_id from {{ ref('stg_etl__evidence') }}
where source_id in (select source_id from changed)
{% else %}
{{ no_rows('fact_id') }}
{% endif %}
