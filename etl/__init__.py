"""The China tech-hubs warehouse ETL: read, validate, load, build, publish."""
