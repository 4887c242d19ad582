-- Where sources disagree: one row per metric, subject, period and value type that
-- two or more sources report with different values (or comparators). Equal values
-- from several sources are not a conflict: they corroborate each other. The
-- preferred value follows the rule of int_observations_ranked.
{{ incremental_mart_config('conflict_id') }}
-- Built incrementally on DuckDB: see macros/incremental.sql.
-- depends_on: {{ ref('int_delta_groups') }}
{% set group_keys = observation_group_keys() %}

-- the observations as published (the mart, not the ranking view: computing that again
-- cost as much as building the mart)
with observations as (
    select * from {{ ref('fct_metric_observation') }} as o
    {% if is_incremental() %}where {{ changed_rows('dq_conflicts', 'o') }}{% endif %}
),

groups as (
    select
        {{ group_keys | join(', ') }},
        count(*) as observation_count,
        count(distinct source_id) as source_count,
        count(distinct concat(cast(value as string), '|', comparator)) as distinct_values
    from observations
    group by {{ group_keys | join(', ') }}
),

-- apart from the counts: Spark 4 fails on an ordered listagg beside two distinct counts
reported as (
    select
        {{ group_keys | join(', ') }},
        {{ ordered_string_agg(
            "concat(source_id, ': ', comparator, ' ', " ~ number_as_text('value') ~ ")",
            '; ',
            'statement_date desc, source_id',
        ) }} as reported_values
    from observations
    group by {{ group_keys | join(', ') }}
),

preferred as (
    select * from observations where is_preferred
),

final as (
    select
        {{ stable_id(['groups.metric_id', 'groups.place_id', 'groups.firm_id', 'groups.period_start',
                      'groups.period_end', 'groups.value_type']) }} as conflict_id,
        groups.metric_id,
        groups.place_id,
        groups.firm_id,
        groups.period_start,
        groups.period_end,
        groups.value_type,
        groups.observation_count,
        groups.source_count,
        groups.distinct_values,
        reported.reported_values,
        preferred.observation_id as preferred_observation_id,
        preferred.source_id as preferred_source_id,
        preferred.value as preferred_value,
        preferred.comparator as preferred_comparator,
        'newer statement date, then more precise statement date, then exact over bounded over approximate'
            as preference_rule
    from groups
    inner join preferred
        on {{ keys_match('groups', 'preferred', group_keys) }}
    inner join reported
        on {{ keys_match('groups', 'reported', group_keys) }}
    where groups.distinct_values > 1
)

select * from final
