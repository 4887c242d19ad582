-- Built incrementally on DuckDB (macros/incremental.sql): the pre-hook brings every row
-- up to date in place (the facts' foreign keys point at them), then new sources are added.
{{ config(
    materialized=('incremental' if target.type == 'duckdb' else 'table'),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ update_in_place('source_id', ref('stg_etl__sources')) }}",
) }}
with sources as (
    select * from {{ ref('stg_etl__sources') }}
),

final as (
    select
        source_id,
        title,
        title_basis,
        publisher,
        published_on,
        published_precision,
        published_basis,
        published_reason,
        url,
        sha256,
        licence,
        file_name,
        char_count
    from sources
)

select * from final
{% if is_incremental() %}where source_id not in (select source_id from {{ this }}){% endif %}
