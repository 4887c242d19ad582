-- Exactly one preferred observation per metric, subject, period and value type.
select
    metric_id,
    place_id,
    firm_id,
    period_start,
    period_end,
    value_type,
    sum(case when is_preferred then 1 else 0 end) as preferred_rows
from {{ ref('fct_metric_observation') }}
group by metric_id, place_id, firm_id, period_start, period_end, value_type
having sum(case when is_preferred then 1 else 0 end) != 1
