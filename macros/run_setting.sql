{#- A setting of this run (its id, the input fingerprint, the package version: etl/build.py,
    dbt_env), read when the model runs, not when dbt parses it (execute is false then). dbt
    parses again every file whose environment variables changed since its last parse, and
    these change at every refresh: read at parse time, they cost warehouse_build a parse at
    every refresh (0.65 s at 20,000 articles, before its first model). -#}
{% macro run_setting(name, default) -%}
    {%- if execute -%}
        {{- env_var(name, default) -}}
    {%- else -%}
        {{- default -}}
    {%- endif -%}
{%- endmacro %}
