"""Stage 5, outputs: what is made from a published warehouse (exports, the HTML report, the
data dictionary and dbt docs, the Spark comparison)."""
