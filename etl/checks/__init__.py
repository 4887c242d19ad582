"""Stage 2, checks: validate every fact against its article and the reference data.

One module per rule family (quotes and offsets, number surface form, reference resolution,
periods, money and exchange rates, duplicates, corrections); ``validate`` drives them and
returns a ``Corpus`` of rows ready for staging, or raises ``ValidationFailed``."""
