with source as (
    select * from {{ source('etl', 'ref_metric') }}
),

renamed as (
    select
        metric_id,
        metric_name,
        unit,
        unit_short,
        metric_kind,
        cast(is_flow as boolean) as is_flow,
        description
    from source
)

select * from renamed
