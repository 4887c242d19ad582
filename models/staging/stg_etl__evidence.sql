with source as (
    select * from {{ source('etl', 'fact_evidence') }}
),

renamed as (
    select
        fact_id,
        source_id,
        quote as evidence_quote,
        cast(evidence_start as integer) as evidence_start,
        cast(evidence_end as integer) as evidence_end,
        facts_file,
        cast(facts_line as integer) as facts_line
    from source
)

select * from renamed
