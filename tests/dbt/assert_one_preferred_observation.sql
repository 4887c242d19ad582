-- Exactly one preferred observation per metric, subject, period and value type.
select
    metric_id,
    place_id,
    firm_id,
    period_start,
    period_end,
    value_type,
    count(*) filter (where is_preferred) as preferred_rows
from {{ ref('fct_metric_observation') }}
group by all
having count(*) filter (where is_preferred) != 1
