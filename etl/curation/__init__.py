"""Curation: help a curator grow the seeds (register an article, propose candidate facts,
generate synthetic corpora for benchmarks). Reads through ``etl.sources``; writes only seeds."""
