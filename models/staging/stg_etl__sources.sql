with source as (
    select * from {{ source('etl', 'source') }}
),

renamed as (
    select
        source_id,
        title,
        title_basis,
        publisher,
        publisher_basis,
        cast(statement_date as date) as published_on,
        published_on as published_on_text,
        published_precision,
        published_basis,
        published_reason,
        cast(statement_date as date) as statement_date,
        url,
        licence,
        licence_basis,
        sha256,
        file_name,
        origin_file,
        cast(char_count as integer) as char_count,
        body
    from source
)

select * from renamed
