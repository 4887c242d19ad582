{{ incremental_mart_config('metric_id') }}
with metrics as (
    select * from {{ ref('stg_etl__metrics') }}
),

final as (
    select
        metric_id,
        metric_name,
        unit,
        unit_short,
        metric_kind,
        is_flow,
        description
    from metrics
)

select * from final
