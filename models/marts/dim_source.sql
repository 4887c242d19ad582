{{ incremental_mart_config('source_id') }}
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
