-- The build the pages were made from (one row).
select build_id, built_at, package_version, duckdb_version, storage_version, fx_series,
       observation_rows, presence_rows, city_metric_year_rows, evidence_rows, city_rows,
       firm_rows, source_rows
from warehouse_build
