with source as (
    select * from {{ source('etl', 'correction') }}
),

renamed as (
    select
        correction_id,
        source_id,
        quote as evidence_quote,
        cast(evidence_start as integer) as evidence_start,
        cast(evidence_end as integer) as evidence_end,
        field_name,
        place_id,
        stated_value,
        corrected_value,
        reason,
        status
    from source
)

select * from renamed
