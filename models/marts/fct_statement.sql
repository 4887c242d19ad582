-- Attributed statements (quotes of people, not numbers). The same words in
-- several articles are one statement with several sources.
{{ incremental_mart_config('statement_id') }}
-- Built incrementally on DuckDB: see macros/incremental.sql.
-- depends_on: {{ ref('int_delta_facts') }}
with statements as (
    select * from {{ ref('stg_etl__statements') }}
    {% if is_incremental() %}where fact_id in (select fact_id from {{ ref('int_delta_facts') }}){% endif %}
),

evidence as (
    select * from {{ ref('stg_etl__evidence') }}
),

per_statement as (
    select
        fact_id,
        count(distinct source_id) as source_count,
        {{ ordered_string_agg('source_id', '; ', 'source_id') }} as source_ids
    from evidence
    where fact_id in (select fact_id from statements)
    group by fact_id
),

final as (
    select
        statements.fact_id as statement_id,
        statements.speaker,
        statements.speaker_role,
        statements.firm_id,
        statements.place_id,
        statements.statement_text,
        per_statement.source_count,
        per_statement.source_ids
    from statements
    inner join per_statement on statements.fact_id = per_statement.fact_id
)

select * from final
