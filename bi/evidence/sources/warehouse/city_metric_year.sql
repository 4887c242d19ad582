select city_metric_year_id, city_id, metric_id, year, value_type, value, comparator, unit,
       observation_count, source_count, preferred_observation_id
from fct_city_metric_year
