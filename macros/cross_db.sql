{#-
  SQL that DuckDB and Spark spell differently, behind adapter.dispatch. Each macro has
  a default (ANSI SQL, which Spark 4 also accepts where noted) and a DuckDB version;
  models call these and stay one file per model for every engine.
-#}

{#- Concatenate text in a stated order: string_agg(... order by ...) in DuckDB,
    listagg(...) within group (order by ...) elsewhere (Spark 4, Databricks, Snowflake, Trino). -#}
{% macro ordered_string_agg(measure, delimiter, order_by) -%}
    {{ return(adapter.dispatch('ordered_string_agg', 'techhubs')(measure, delimiter, order_by)) }}
{%- endmacro %}

{% macro default__ordered_string_agg(measure, delimiter, order_by) -%}
    listagg({{ measure }}, '{{ delimiter }}') within group (order by {{ order_by }})
{%- endmacro %}

{% macro duckdb__ordered_string_agg(measure, delimiter, order_by) -%}
    string_agg({{ measure }}, '{{ delimiter }}' order by {{ order_by }})
{%- endmacro %}

{#- Replace every match of a regular expression. DuckDB replaces only the first
    unless given 'g'; Spark replaces all, and reads a backslash in a literal as an escape. -#}
{% macro regexp_replace_all(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'techhubs')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}

{% macro spark__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern | replace("\\", "\\\\") }}', '{{ replacement }}')
{%- endmacro %}

{% macro duckdb__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{#- A number as text for people, the same in every engine: up to six decimals, no
    trailing zeros, no exponent (casting a double to text gives 2.1192E7 in Spark). -#}
{% macro number_as_text(expression) -%}
    regexp_replace(cast(cast({{ expression }} as decimal(38, 6)) as string), '[.]?0+$', '')
{%- endmacro %}
