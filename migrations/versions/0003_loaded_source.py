"""Record which facts file each source was loaded from, under which key, and by which run.

A new table only: a refresh skips reading and loading a facts file whose key is the one
recorded here. An empty table (as after this upgrade) means every file is loaded once more.

Revision ID: 0003_loaded_source
Revises: 0002_fact_checks
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_loaded_source"
down_revision = "0002_fact_checks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "loaded_source",
        sa.Column("source_id", sa.Text(), primary_key=True),
        sa.Column("facts_file", sa.Text(), nullable=False),
        sa.Column("load_key", sa.Text(), nullable=False),
        sa.Column("loaded_run_id", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("loaded_source")
