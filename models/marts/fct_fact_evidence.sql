-- Every piece of evidence: which fact, which article, the verbatim quote and its
-- character offsets in the article (start inclusive, end exclusive, 0-based).
{{ incremental_mart_config('evidence_id') }}
-- Built incrementally on DuckDB: see macros/incremental.sql.
-- depends_on: {{ ref('int_delta_facts') }}
with evidence as (
    select * from {{ ref('stg_etl__evidence') }} as e
    {% if is_incremental() %}where {{ changed_rows('fct_fact_evidence', 'e') }}{% endif %}
),

kinds as (
    select fact_id, 'number' as fact_kind from {{ ref('stg_etl__numbers') }}
    union all
    select fact_id, 'relation' as fact_kind from {{ ref('stg_etl__relations') }}
    union all
    select fact_id, 'statement' as fact_kind from {{ ref('stg_etl__statements') }}
),

final as (
    select
        {{ stable_id(['evidence.fact_id', 'evidence.source_id']) }} as evidence_id,
        evidence.fact_id,
        kinds.fact_kind,
        evidence.source_id,
        evidence.evidence_quote,
        evidence.evidence_start,
        evidence.evidence_end,
        evidence.facts_file,
        evidence.facts_line
    from evidence
    inner join kinds on evidence.fact_id = kinds.fact_id
)

select * from final
