select metric_id, metric_name, unit, unit_short, metric_kind, is_flow, description
from dim_metric
