with corrections as (
    select * from {{ ref('stg_etl__corrections') }}
),

final as (
    select
        correction_id,
        source_id,
        place_id,
        field_name,
        stated_value,
        corrected_value,
        reason,
        status,
        evidence_quote,
        evidence_start,
        evidence_end
    from corrections
)

select * from final
