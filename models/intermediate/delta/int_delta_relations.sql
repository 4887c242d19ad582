-- Incremental builds only: the relations whose fct_firm_presence rows may change: changed
-- relations, and relations whose investment is a changed fact or in a changed group (its
-- preferred observation may now be another).
-- depends_on: {{ ref('int_delta_groups') }}, {{ ref('int_delta_facts') }}, {{ ref('stg_etl__numbers') }},
-- {{ ref('stg_etl__relations') }}
{{ config(materialized='table') }}
{% if is_delta_build() %}
with facts as (
    select fact_id from {{ ref('int_delta_facts') }}
),

investments as (
    select fact_id from facts
    union
    select n.fact_id from {{ ref('stg_etl__numbers') }} as n
    where {{ changed_rows('fct_metric_observation', 'n') }}
)

select fact_id from facts
union
select fact_id from {{ ref('stg_etl__relations') }}
where investment_fact_id in (select fact_id from investments)
{% else %}
{{ no_rows('fact_id') }}
{% endif %}
