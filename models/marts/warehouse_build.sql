-- One row describing the build that produced this file. The run's settings are read as it
-- runs (macros/run_setting.sql), so that dbt need not parse this file again at every refresh.
with counts as (
    select
        (select count(*) from {{ ref('fct_metric_observation') }}) as observation_rows,
        (select count(*) from {{ ref('fct_firm_presence') }}) as presence_rows,
        (select count(*) from {{ ref('fct_city_metric_year') }}) as city_metric_year_rows,
        (select count(*) from {{ ref('fct_statement') }}) as statement_rows,
        (select count(*) from {{ ref('fct_fact_evidence') }}) as evidence_rows,
        (select count(*) from {{ ref('dim_place') }}) as place_rows,
        (select count(*) from {{ ref('dim_city') }}) as city_rows,
        (select count(*) from {{ ref('dim_province') }}) as province_rows,
        (select count(*) from {{ ref('dim_firm') }}) as firm_rows,
        (select count(*) from {{ ref('dim_metric') }}) as metric_rows,
        (select count(*) from {{ ref('dim_source') }}) as source_rows,
        (select count(*) from {{ ref('dq_corrections') }}) as correction_rows,
        (select count(*) from {{ ref('dq_conflicts') }}) as conflict_rows
),

final as (
    select
        '{{ run_setting("TECHHUBS_RUN_ID", "manual") }}' as build_id,
        cast(current_timestamp as timestamp) as built_at,
        '{{ run_setting("TECHHUBS_FINGERPRINT", "unknown") }}' as input_fingerprint,
        '{{ run_setting("TECHHUBS_PACKAGE_VERSION", "unknown") }}' as package_version,
        '{{ dbt_version }}' as dbt_version,
        version() as duckdb_version,
        '{{ env_var("TECHHUBS_STORAGE_VERSION", "v1.1.0") }}' as storage_version,
        '{{ var("techhubs_fx_series") }}' as fx_series,
        observation_rows,
        presence_rows,
        city_metric_year_rows,
        statement_rows,
        evidence_rows,
        place_rows,
        city_rows,
        province_rows,
        firm_rows,
        metric_rows,
        source_rows,
        correction_rows,
        conflict_rows
    from counts
)

select * from final
