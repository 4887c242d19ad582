select observation_id, fact_id, metric_id, place_id, city_id, province_id, firm_id, source_id,
       period_start, period_end, period_precision, year, value, comparator, number_text, unit,
       value_type, currency, value_cny, value_usd, usd_stated, fx_rate, evidence_quote,
       evidence_start, evidence_end, is_preferred, reporting_sources
from fct_metric_observation
