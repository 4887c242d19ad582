"""Stage 1, sources: read the seed folders (manifest, articles, facts files, reference data)
and parse what they state (number phrases, periods). Nothing here judges a fact."""
