{#- A setting of this run (its id, the input fingerprint, the package version, the build mode:
    etl/build/dbt.py, dbt_env), read when the model runs, not when dbt parses it (execute is false
    then: the default is rendered). dbt parses again every file whose environment variables
    changed since its last parse, and these change from one refresh to the next: read at
    parse time, the run's id cost warehouse_build a parse at every refresh (0.65 s at 20,000
    articles, before its first model), the build mode seven files a parse at every change
    between full and incremental builds. -#}
{% macro run_setting(name, default) -%}
    {%- if execute -%}
        {{- env_var(name, default) -}}
    {%- else -%}
        {{- default -}}
    {%- endif -%}
{%- endmacro %}
