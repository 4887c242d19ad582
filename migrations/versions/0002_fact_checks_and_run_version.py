"""Check constraints on fact_number; record the package version of each load.

DuckDB cannot add a constraint to an existing table with ALTER, so fact_number is
rebuilt: a new table with the constraints, the rows copied across, the old table
dropped and the new one renamed. Existing rows are kept; a row that breaks a new
constraint stops the upgrade (the whole migration is one transaction).

Revision ID: 0002_fact_checks
Revises: 0001_initial
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_fact_checks"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

COMPARATOR_CHECK = "comparator in ('exact', 'approximately', 'at_least', 'more_than', 'at_most', 'less_than', 'close_to')"
VALUE_TYPE_CHECK = "value_type in ('actual', 'target', 'plan', 'estimate')"
PERIOD_CHECK = "period_end >= period_start"


def _fact_number_columns() -> list[sa.Column]:
    text, dbl, integer, date = sa.Text(), sa.Float(precision=53), sa.Integer(), sa.Date()
    spec = [
        ("fact_id", text, False),
        ("metric_id", text, False),
        ("place_id", text, True),
        ("firm_id", text, True),
        ("number_text", text, False),
        ("value_stated", dbl, False),
        ("scale", text, True),
        ("value", dbl, False),
        ("comparator", text, False),
        ("comparator_reason", text, True),
        ("value_low", dbl, True),
        ("value_high", dbl, True),
        ("unit", text, False),
        ("currency", text, True),
        ("usd_stated", dbl, True),
        ("usd_implied_rate", dbl, True),
        ("fx_year", integer, True),
        ("fx_note", text, True),
        ("period_start", date, False),
        ("period_end", date, False),
        ("period_precision", text, False),
        ("period_resolution", text, False),
        ("period_note", text, True),
        ("value_type", text, False),
        ("notes", text, True),
        ("content_hash", text, False),
        ("revision", integer, False),
    ]
    return [sa.Column(name, type_, nullable=nullable) for name, type_, nullable in spec]


def _rebuild_fact_number(with_checks: bool) -> None:
    constraints: list = [sa.PrimaryKeyConstraint("fact_id")]
    if with_checks:
        constraints += [
            sa.CheckConstraint(COMPARATOR_CHECK, name="ck_fact_number_comparator"),
            sa.CheckConstraint(VALUE_TYPE_CHECK, name="ck_fact_number_value_type"),
            sa.CheckConstraint(PERIOD_CHECK, name="ck_fact_number_period"),
        ]
    columns = _fact_number_columns()
    names = ", ".join(c.name for c in columns)
    op.create_table("fact_number_rebuilt", *columns, *constraints)
    op.execute(f"insert into fact_number_rebuilt ({names}) select {names} from fact_number")
    op.drop_table("fact_number")
    op.rename_table("fact_number_rebuilt", "fact_number")


def upgrade() -> None:
    _rebuild_fact_number(with_checks=True)
    op.add_column("etl_run", sa.Column("package_version", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("etl_run", "package_version")
    _rebuild_fact_number(with_checks=False)
