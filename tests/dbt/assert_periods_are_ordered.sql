-- No period ends before it starts, and no actual value describes a period after its statement.
select observation_id, period_start, period_end, statement_date, value_type
from {{ ref('fct_metric_observation') }}
where
    period_end < period_start
    or (value_type = 'actual' and period_start > {{ dbt.dateadd('day', 366, 'statement_date') }})
