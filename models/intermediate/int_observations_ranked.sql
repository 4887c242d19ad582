-- Choose one preferred observation per metric, subject, period and value type
-- when several sources report it. The rule, in order:
--   1. the newer statement date
--   2. the more precise statement date (day over month over year)
--   3. an exact value over a bounded one (more than, close to, ...) over an approximate one
--   4. the source id, so the choice is deterministic
with observations as (
    select * from {{ ref('int_observations') }}
),

ranked as (
    select
        observations.*,
        row_number() over (
            partition by metric_id, place_id, firm_id, period_start, period_end, value_type
            order by
                statement_date desc,
                case statement_precision when 'day' then 0 when 'month' then 1 else 2 end,
                case comparator when 'exact' then 0 when 'approximately' then 2 else 1 end,
                source_id
        ) as preference_rank,
        count(*) over (
            partition by metric_id, place_id, firm_id, period_start, period_end, value_type
        ) as reporting_sources
    from observations
),

final as (
    select
        *,
        preference_rank = 1 as is_preferred
    from ranked
)

select * from final
