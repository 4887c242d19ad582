{#-
  Before a run on an engine other than DuckDB: make the ETL's staging tables visible
  as the `etl` sources. The ETL exports staging to Parquet (`techhubs export-staging`),
  one folder per table under TECHHUBS_SPARK_STAGING_URI (a local path, or s3://,
  abfss://, dbfs:/ on a cluster); this registers each folder as an external table.
  On DuckDB the staging file is attached by the profile and nothing is done.
-#}
{% macro register_staging_tables() -%}
    {{ return(adapter.dispatch('register_staging_tables', 'techhubs')()) }}
{%- endmacro %}

{% macro default__register_staging_tables() -%}
{%- endmacro %}

{% macro spark__register_staging_tables() -%}
    {%- if execute -%}
        {%- set location = env_var('TECHHUBS_SPARK_STAGING_URI') -%}
        {%- set sources = graph.sources.values() | selectattr('source_name', 'equalto', 'etl') | list -%}
        {%- do run_query('create schema if not exists ' ~ sources[0].schema) -%}
        {%- for source in sources -%}
            {%- set table = source.schema ~ '.' ~ source.identifier -%}
            {%- do run_query('drop table if exists ' ~ table) -%}
            {%- do run_query(
                'create table ' ~ table ~ " using parquet location '" ~ location ~ '/' ~ source.identifier ~ "'"
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
