"""Stage 4, build: run dbt on a build copy, fingerprint the inputs, refresh under a lock and
publish the finished file by an atomic swap."""
