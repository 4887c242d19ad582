"""Create the staging schema: sources, reference data, facts with revisions, run log.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

TABLES = (
    "correction",
    "etl_run",
    "fact_evidence",
    "fact_number",
    "fact_relation",
    "fact_revision",
    "fact_statement",
    "ref_firm",
    "ref_fx_rate",
    "ref_fx_series",
    "ref_metric",
    "ref_place",
    "source",
)


def upgrade() -> None:
    op.create_table(
        "correction",
        sa.Column("correction_id", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Text(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("field_name", sa.Text(), nullable=False),
        sa.Column("place_id", sa.Text(), nullable=False),
        sa.Column("stated_value", sa.Text(), nullable=False),
        sa.Column("corrected_value", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("correction_id"),
    )
    op.create_table(
        "etl_run",
        sa.Column("run_id", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("stage", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("fingerprint", sa.Text(), nullable=True),
        sa.Column("row_counts", sa.Text(), nullable=True),
        sa.Column("changes", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("run_id"),
    )
    op.create_table(
        "fact_evidence",
        sa.Column("fact_id", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Text(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("facts_file", sa.Text(), nullable=False),
        sa.Column("facts_line", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("fact_id", "source_id"),
    )
    op.create_table(
        "fact_number",
        sa.Column("fact_id", sa.Text(), nullable=False),
        sa.Column("metric_id", sa.Text(), nullable=False),
        sa.Column("place_id", sa.Text(), nullable=True),
        sa.Column("firm_id", sa.Text(), nullable=True),
        sa.Column("number_text", sa.Text(), nullable=False),
        sa.Column("value_stated", sa.Float(precision=53), nullable=False),
        sa.Column("scale", sa.Text(), nullable=True),
        sa.Column("value", sa.Float(precision=53), nullable=False),
        sa.Column("comparator", sa.Text(), nullable=False),
        sa.Column("comparator_reason", sa.Text(), nullable=True),
        sa.Column("value_low", sa.Float(precision=53), nullable=True),
        sa.Column("value_high", sa.Float(precision=53), nullable=True),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=True),
        sa.Column("usd_stated", sa.Float(precision=53), nullable=True),
        sa.Column("usd_implied_rate", sa.Float(precision=53), nullable=True),
        sa.Column("fx_year", sa.Integer(), nullable=True),
        sa.Column("fx_note", sa.Text(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("period_precision", sa.Text(), nullable=False),
        sa.Column("period_resolution", sa.Text(), nullable=False),
        sa.Column("period_note", sa.Text(), nullable=True),
        sa.Column("value_type", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("fact_id"),
    )
    op.create_table(
        "fact_relation",
        sa.Column("fact_id", sa.Text(), nullable=False),
        sa.Column("firm_id", sa.Text(), nullable=False),
        sa.Column("place_id", sa.Text(), nullable=False),
        sa.Column("presence_type", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("period_precision", sa.Text(), nullable=True),
        sa.Column("period_resolution", sa.Text(), nullable=True),
        sa.Column("investment_fact_id", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("fact_id"),
    )
    op.create_table(
        "fact_revision",
        sa.Column("fact_id", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("fact_kind", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("loaded_run_id", sa.Text(), nullable=False),
        sa.Column("superseded_run_id", sa.Text(), nullable=True),
        sa.Column("change", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("fact_id", "revision"),
    )
    op.create_table(
        "fact_statement",
        sa.Column("fact_id", sa.Text(), nullable=False),
        sa.Column("speaker", sa.Text(), nullable=False),
        sa.Column("speaker_role", sa.Text(), nullable=True),
        sa.Column("firm_id", sa.Text(), nullable=True),
        sa.Column("place_id", sa.Text(), nullable=True),
        sa.Column("statement_text", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("fact_id"),
    )
    op.create_table(
        "ref_firm",
        sa.Column("firm_id", sa.Text(), nullable=False),
        sa.Column("firm_name", sa.Text(), nullable=False),
        sa.Column("aliases", sa.Text(), nullable=True),
        sa.Column("hq_place_id", sa.Text(), nullable=True),
        sa.Column("hq_country", sa.Text(), nullable=True),
        sa.Column("sector", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("firm_id"),
    )
    op.create_table(
        "ref_fx_rate",
        sa.Column("series_id", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("cny_per_usd", sa.Float(precision=53), nullable=False),
        sa.PrimaryKeyConstraint("series_id", "year"),
    )
    op.create_table(
        "ref_fx_series",
        sa.Column("series_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("producer", sa.Text(), nullable=True),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("series_id"),
    )
    op.create_table(
        "ref_metric",
        sa.Column("metric_id", sa.Text(), nullable=False),
        sa.Column("metric_name", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("unit_short", sa.Text(), nullable=True),
        sa.Column("metric_kind", sa.Text(), nullable=False),
        sa.Column("is_flow", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("metric_id"),
    )
    op.create_table(
        "ref_place",
        sa.Column("place_id", sa.Text(), nullable=False),
        sa.Column("place_name", sa.Text(), nullable=False),
        sa.Column("place_name_zh", sa.Text(), nullable=True),
        sa.Column("place_type", sa.Text(), nullable=False),
        sa.Column("parent_place_id", sa.Text(), nullable=True),
        sa.Column("region_name", sa.Text(), nullable=True),
        sa.Column("latitude", sa.Float(precision=53), nullable=True),
        sa.Column("longitude", sa.Float(precision=53), nullable=True),
        sa.Column("is_provincial_capital", sa.Boolean(), nullable=False),
        sa.Column("aliases", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("place_id"),
    )
    op.create_table(
        "source",
        sa.Column("source_id", sa.Text(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("origin_file", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_basis", sa.Text(), nullable=False),
        sa.Column("publisher", sa.Text(), nullable=True),
        sa.Column("publisher_basis", sa.Text(), nullable=False),
        sa.Column("published_on", sa.Text(), nullable=False),
        sa.Column("published_precision", sa.Text(), nullable=False),
        sa.Column("published_basis", sa.Text(), nullable=False),
        sa.Column("published_reason", sa.Text(), nullable=False),
        sa.Column("statement_date", sa.Date(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("licence", sa.Text(), nullable=True),
        sa.Column("licence_basis", sa.Text(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("char_count", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("source_id"),
    )


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
