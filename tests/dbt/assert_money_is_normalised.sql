-- Every money value has both a CNY and a USD figure, and an article's own USD
-- conversion is within 5 % of the series or carries a note saying why not.
with observations as (
    select * from {{ ref('fct_metric_observation') }}
)

select observation_id, currency, value_cny, value_usd, usd_implied_rate, fx_rate, fx_note
from observations
where
    currency is not null
    and (
        value_cny is null
        or value_usd is null
        or (usd_stated is not null and abs(usd_implied_rate / fx_rate - 1) > 0.05 and fx_note is null)
    )
