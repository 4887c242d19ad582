-- Every quote sits at its recorded offsets in its article (whitespace-normalised). In an
-- incremental build, the quotes of the changed facts: the others were checked when built.
-- depends_on: {{ ref('int_delta_facts') }}
with evidence as (
    select * from {{ ref('stg_etl__evidence') }}
    {% if is_delta_build() %}
    where fact_id in (select fact_id from {{ ref('int_delta_facts') }})
    {% endif %}
),

sources as (
    select * from {{ ref('stg_etl__sources') }}
),

checked as (
    select
        evidence.fact_id,
        evidence.source_id,
        evidence.evidence_quote,
        {{ regexp_replace_all('trim(evidence.evidence_quote)', '\\s+', ' ') }} as quote_normalised,
        {{ regexp_replace_all(
            'substr(sources.body, evidence.evidence_start + 1, evidence.evidence_end - evidence.evidence_start)',
            '\\s+', ' ',
        ) }} as text_at_offsets
    from evidence
    left join sources on evidence.source_id = sources.source_id
)

select *
from checked
where text_at_offsets is null or text_at_offsets != quote_normalised
