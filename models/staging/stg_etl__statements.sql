with source as (
    select * from {{ source('etl', 'fact_statement') }}
),

renamed as (
    select
        fact_id,
        speaker,
        speaker_role,
        firm_id,
        place_id,
        statement_text,
        notes,
        cast(revision as integer) as revision
    from source
)

select * from renamed
