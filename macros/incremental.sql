{#-
  Incremental builds (docs/operations.md, "Incremental refreshes"). The ETL copies the
  published file into the build folder, writes the sources loaded since that build to
  delta.changed_sources, and sets TECHHUBS_BUILD_MODE=incremental. The int_delta_* models
  then name the rows each mart must compute again (its changed scope); each big mart
  computes that scope from staging as in a full build and brings its rows in line with it
  (the sync strategy below). A full build (a new, empty file) renders none of this.
-#}
{#- Read as a model runs, never as dbt parses it (macros/run_setting.sql): a refresh after a
    full build (or the other way round) would otherwise parse again every file that asks. So
    a model's refs in its incremental part are named in a depends_on comment as well (dbt
    fails a model that refs what its parse did not see). -#}
{% macro is_delta_build() -%}
    {{ return(run_setting('TECHHUBS_BUILD_MODE', 'full') == 'incremental') }}
{%- endmacro %}

{#- A mart as published (in the copied file), before this build changes it. -#}
{% macro published(name) -%}
    {{ target.database }}.{{ target.schema }}.{{ name }}
{%- endmacro %}

{#- The result of an int_delta_* model in a full build: no rows, one text column. -#}
{% macro no_rows(column) -%}
    select cast(null as string) as {{ column }}
    where 1 = 0
{%- endmacro %}

{#- The key of a group of observations that int_observations_ranked ranks together. -#}
{% macro observation_group_keys() -%}
    {{ return(['metric_id', 'place_id', 'firm_id', 'period_start', 'period_end', 'value_type']) }}
{%- endmacro %}

{#- The group of an observation as one text value (no id is empty): DuckDB joins on it by
    hashing, where a correlated match of six columns, nulls equal, ran for minutes. -#}
{% macro observation_group_key(alias) -%}
    concat_ws('|'{% for key in observation_group_keys() %}, coalesce(cast({{ alias }}.{{ key }} as string), ''){% endfor %})
{%- endmacro %}

{#- A row of fct_city_metric_year as one text value (its key columns are never null). -#}
{% macro city_year_key(alias) -%}
    concat_ws('|', {{ alias }}.city_id, {{ alias }}.metric_id, cast({{ alias }}.year as string), {{ alias }}.value_type)
{%- endmacro %}

{#- Which of a mart's rows an incremental build rebuilds, as a condition on the mart's columns.
    A dimension's query computes all its rows (they are few): its rows that are gone are
    deleted, those that differ updated. In an incremental build the reference data is the
    published build's (etl/build/dbt.py), so only dim_source changes: the marts tagged
    reference_data (dbt_project.yml) are not built at all. -#}
{% macro changed_rows(model_name, alias) -%}
    {%- if model_name.startswith('dim_') -%}
        true
    {%- elif model_name in ('fct_metric_observation', 'dq_conflicts') -%}
        {{ observation_group_key(alias) }} in (select group_key from {{ ref('int_delta_groups') }})
    {%- elif model_name == 'fct_fact_evidence' -%}
        {{ alias }}.fact_id in (select fact_id from {{ ref('int_delta_facts') }})
    {%- elif model_name == 'fct_statement' -%}
        {{ alias }}.statement_id in (select fact_id from {{ ref('int_delta_facts') }})
    {%- elif model_name == 'fct_firm_presence' -%}
        {{ alias }}.fact_id in (select fact_id from {{ ref('int_delta_relations') }})
    {%- elif model_name == 'fct_city_metric_year' -%}
        {{ city_year_key(alias) }} in (select city_year_key from {{ ref('int_delta_city_years') }})
    {%- else -%}
        {{ exceptions.raise_compiler_error('no incremental rule for ' ~ model_name) }}
    {%- endif -%}
{%- endmacro %}

{#- Of a mart's changed scope, the rows its model computes from staging, as a condition; empty
    when it computes them all. fct_metric_observation computes only the changed facts' rows
    (int_observations): the other rows of their groups come from the published mart as they
    were but for the group columns (int_observations_ranked), so only the changed facts' rows
    can go or change in their other columns. -#}
{% macro recomputed_rows(model_name, alias) -%}
    {%- if model_name == 'fct_metric_observation' -%}
        {{ alias }}.fact_id in (select fact_id from {{ ref('int_delta_facts') }})
    {%- endif -%}
{%- endmacro %}

{#- An incremental strategy: make the mart's rows in the changed scope (changed_rows) equal
    to the model's query, which gives exactly that scope. Rows that are gone are deleted,
    rows whose values differ are updated in place, new rows inserted; where the model carries
    rows from the published mart (recomputed_rows), only the others are looked at for deletion
    or for changes outside the group columns. Deleting and inserting
    every row of the scope instead is far slower: DuckDB checks each deleted key against the
    marts whose foreign keys point at it (about 0.3 ms a row), and a new article changes the
    reporting counts of every observation in its groups. -#}
{% macro get_incremental_sync_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set key = arg_dict['unique_key'] -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='name') | list -%}
    {#- DuckDB updates a column under a foreign key by deleting and inserting the row, with
        the same per-row check: a row whose foreign key columns change is replaced instead. -#}
    {%- set fk_query -%}
        select distinct unnest(constraint_column_names) from duckdb_constraints()
        where database_name = '{{ target.database }}' and schema_name = '{{ target.schema }}'
          and table_name = '{{ target.identifier }}' and constraint_type = 'FOREIGN KEY'
    {%- endset -%}
    {%- set linked = run_query(fk_query).columns[0].values() | list -%}
    {#- Columns that change when a neighbour row changes (group_columns) are updated by their
        own statement: DuckDB writes (and logs, and checkpoints) every column an UPDATE sets,
        and 200 new articles change the reporting count of half of all observations, but
        nothing else of them. -#}
    {%- set group_columns = config.get('group_columns', []) -%}
    {%- set others = columns | reject('equalto', key) | reject('in', linked) | list -%}
    {%- set apart = others | select('in', group_columns) | list -%}
    {%- set rest = others | reject('in', group_columns) | list -%}
    {#- A key twice in the query's rows is a bug of the model: a new key would break the
        primary key, but an UPDATE with two matches takes one of them silently. -#}
    select error('{{ target.identifier }}: ' || rows || ' rows of this build have {{ key }} '
                 || {{ key }} || ', which is its primary key')
    from (
        select {{ key }}, count(*) as rows from {{ source }}
        group by {{ key }} having count(*) > 1 limit 1
    ) as duplicate;
    {%- set recomputed = recomputed_rows(target.identifier, 't') | trim %}
    delete from {{ target }} as t
    where {{ recomputed or changed_rows(target.identifier, 't') }}
      and not exists (
          select 1 from {{ source }} as s
          where s.{{ key }} = t.{{ key }}
          {%- for c in linked %}
            and s.{{ c }} is not distinct from t.{{ c }}
          {%- endfor %}
      );
    {%- for set_columns in [apart, rest] if set_columns %}
    update {{ target }} as t set
    {%- for c in set_columns %}
        {{ c }} = s.{{ c }}{% if not loop.last %},{% endif %}
    {%- endfor %}
    from {{ source }} as s
    where t.{{ key }} = s.{{ key }}
      {%- if recomputed and set_columns == rest %}
      and {{ recomputed }}
      {%- endif %}
      and ({% for c in set_columns %}t.{{ c }} is distinct from s.{{ c }}{% if not loop.last %} or {% endif %}{% endfor %});
    {%- endfor %}
    insert into {{ target }} ({{ columns | join(', ') }})
    select {{ columns | join(', ') }} from {{ source }}
    where {{ key }} not in (select {{ key }} from {{ target }})
{%- endmacro %}

{#- The pre-hook of an incremental mart: delete the changed scope of the marts whose foreign
    keys point at this one (they are built later in this run, and compute it again), so that
    rows of this mart can go. Committed first: DuckDB checks keys against rows deleted earlier
    in the same transaction (its docs: "foreign key limitations"). -#}
{% macro delete_dependent_rows() -%}
    {%- set dependents = {
        'fct_metric_observation': ['fct_city_metric_year', 'dq_conflicts'],
    }.get(this.identifier, []) if is_incremental() else [] -%}
    {%- for name in dependents %}
    delete from {{ this.incorporate(path={'identifier': name}) }} as {{ name }}
    where {{ changed_rows(name, name) }};
    {%- endfor %}
    select 1
{%- endmacro %}

{#- The config of a mart built incrementally on DuckDB (on other engines: a table). A
    dimension is one too: the facts' foreign keys point at it, so it cannot be replaced. -#}
{% macro incremental_mart_config(unique_key, group_columns=[]) -%}
    {{ config(
        materialized=('incremental' if target.type == 'duckdb' else 'table'),
        incremental_strategy='sync',
        unique_key=unique_key,
        group_columns=group_columns,
        on_schema_change='fail',
        pre_hook=[{"sql": "{{ delete_dependent_rows() }}", "transaction": False}],
    ) }}
{%- endmacro %}

{#- An on-run-start hook. An incremental build writes little, but DuckDB checkpoints at a
    commit once the write-ahead log passes 16 MB, and each checkpoint writes again the key
    indexes of every table changed since the last (a mart of 900,000 rows has seven: its
    primary key and one per foreign key): at 20,000 articles the marts' commits took
    seconds each. One checkpoint, as the build's file is closed, writes them once. A full
    build keeps the default: its data would otherwise stay in memory until the end. -#}
{% macro defer_checkpoints() -%}
    {%- if target.type == 'duckdb' and is_delta_build() -%}
    set global checkpoint_threshold = '16GB'
    {%- endif -%}
{%- endmacro %}
