-- The marts' not-null columns are contract constraints. DuckDB enforces them as rows are
-- written, so a null fails the model itself and this test is not needed (it could not fail).
-- Engines that only record constraints (Spark with Parquet) get this one test in their place:
-- a row per mart column that holds nulls. One node for every column, not one per column:
-- dbt's cost per node is most of a small build's time.
{{ config(enabled=(target.type != 'duckdb')) }}
-- depends_on: {{ ref('dim_city') }}
-- depends_on: {{ ref('dim_firm') }}
-- depends_on: {{ ref('dim_metric') }}
-- depends_on: {{ ref('dim_place') }}
-- depends_on: {{ ref('dim_province') }}
-- depends_on: {{ ref('dim_source') }}
-- depends_on: {{ ref('dq_conflicts') }}
-- depends_on: {{ ref('dq_corrections') }}
-- depends_on: {{ ref('fct_city_metric_year') }}
-- depends_on: {{ ref('fct_fact_evidence') }}
-- depends_on: {{ ref('fct_firm_presence') }}
-- depends_on: {{ ref('fct_metric_observation') }}
-- depends_on: {{ ref('fct_statement') }}
-- depends_on: {{ ref('warehouse_build') }}
{%- set checks = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.package_name == project_name -%}
        {%- for name, column in node.columns.items() -%}
            {%- if column.constraints | selectattr('type', 'equalto', 'not_null') | list -%}
                {%- if node.unique_id not in model.depends_on.nodes -%}
                    {{ exceptions.raise_compiler_error(
                        node.name ~ " has not-null constraints: add `-- depends_on: {{ ref('"
                        ~ node.name ~ "') }}` to assert_not_null_constraints_hold.sql") }}
                {%- endif -%}
                {%- do checks.append((node.name, node.relation_name, name)) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
{%- endif %}
{% for model_name, relation, column in checks -%}
    select '{{ model_name }}' as model_name, '{{ column }}' as column_name, count(*) as null_rows
    from {{ relation }}
    where {{ column }} is null
    having count(*) > 0
    {% if not loop.last %}union all{% endif %}
{% else -%}
    select 'none' as model_name, 'none' as column_name, 0 as null_rows where 1 = 0
{%- endfor %}
