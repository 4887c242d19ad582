"""The staging schema: SQLAlchemy table models, owned by the ETL, migrated by Alembic.

``warehouse/staging.duckdb`` holds what the curators recorded, validated, with the
history of every fact revision and every run. dbt attaches it read-only.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.ddl.impl import DefaultImpl
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class DuckDBImpl(DefaultImpl):
    """Alembic has no built-in DuckDB dialect implementation; DuckDB speaks PostgreSQL-like DDL."""

    __dialect__ = "duckdb"
    transactional_ddl = True


class Base(DeclarativeBase):
    pass


Text = sa.Text
Date = sa.Date
Double = sa.Float(precision=53)


class Source(Base):
    __tablename__ = "source"
    source_id: Mapped[str] = mapped_column(Text, primary_key=True)
    file_name: Mapped[str] = mapped_column(Text)
    origin_file: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    title_basis: Mapped[str] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(Text)
    publisher_basis: Mapped[str] = mapped_column(Text)
    published_on: Mapped[str] = mapped_column(Text)
    published_precision: Mapped[str] = mapped_column(Text)
    published_basis: Mapped[str] = mapped_column(Text)
    published_reason: Mapped[str] = mapped_column(Text)
    statement_date: Mapped[sa.Date] = mapped_column(Date)
    url: Mapped[str | None] = mapped_column(Text)
    licence: Mapped[str | None] = mapped_column(Text)
    licence_basis: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(Text)
    char_count: Mapped[int] = mapped_column(sa.Integer)
    body: Mapped[str] = mapped_column(Text)


class RefPlace(Base):
    __tablename__ = "ref_place"
    place_id: Mapped[str] = mapped_column(Text, primary_key=True)
    place_name: Mapped[str] = mapped_column(Text)
    place_name_zh: Mapped[str | None] = mapped_column(Text)
    place_type: Mapped[str] = mapped_column(Text)
    parent_place_id: Mapped[str | None] = mapped_column(Text)
    region_name: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Double)
    longitude: Mapped[float | None] = mapped_column(Double)
    is_provincial_capital: Mapped[bool] = mapped_column(sa.Boolean)
    aliases: Mapped[str | None] = mapped_column(Text)


class RefFirm(Base):
    __tablename__ = "ref_firm"
    firm_id: Mapped[str] = mapped_column(Text, primary_key=True)
    firm_name: Mapped[str] = mapped_column(Text)
    aliases: Mapped[str | None] = mapped_column(Text)
    hq_place_id: Mapped[str | None] = mapped_column(Text)
    hq_country: Mapped[str | None] = mapped_column(Text)
    sector: Mapped[str | None] = mapped_column(Text)


class RefMetric(Base):
    __tablename__ = "ref_metric"
    metric_id: Mapped[str] = mapped_column(Text, primary_key=True)
    metric_name: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(Text)
    unit_short: Mapped[str | None] = mapped_column(Text)
    metric_kind: Mapped[str] = mapped_column(Text)
    is_flow: Mapped[bool] = mapped_column(sa.Boolean)
    description: Mapped[str] = mapped_column(Text)


class RefFxSeries(Base):
    __tablename__ = "ref_fx_series"
    series_id: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    producer: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)


class RefFxRate(Base):
    __tablename__ = "ref_fx_rate"
    series_id: Mapped[str] = mapped_column(Text, primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    cny_per_usd: Mapped[float] = mapped_column(Double)


class Correction(Base):
    __tablename__ = "correction"
    correction_id: Mapped[str] = mapped_column(Text, primary_key=True)
    source_id: Mapped[str] = mapped_column(Text)
    quote: Mapped[str] = mapped_column(Text)
    evidence_start: Mapped[int] = mapped_column(sa.Integer)
    evidence_end: Mapped[int] = mapped_column(sa.Integer)
    field_name: Mapped[str] = mapped_column(Text)
    place_id: Mapped[str] = mapped_column(Text)
    stated_value: Mapped[str] = mapped_column(Text)
    corrected_value: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)


COMPARATOR_CHECK = "comparator in ('exact', 'approximately', 'at_least', 'more_than', 'at_most', 'less_than', 'close_to')"
VALUE_TYPE_CHECK = "value_type in ('actual', 'target', 'plan', 'estimate')"
PERIOD_CHECK = "period_end >= period_start"


class FactNumber(Base):
    __tablename__ = "fact_number"
    # Added by migration 0002 (a table rebuild: DuckDB cannot add constraints with ALTER).
    __table_args__ = (
        sa.CheckConstraint(COMPARATOR_CHECK, name="ck_fact_number_comparator"),
        sa.CheckConstraint(VALUE_TYPE_CHECK, name="ck_fact_number_value_type"),
        sa.CheckConstraint(PERIOD_CHECK, name="ck_fact_number_period"),
    )
    fact_id: Mapped[str] = mapped_column(Text, primary_key=True)
    metric_id: Mapped[str] = mapped_column(Text)
    place_id: Mapped[str | None] = mapped_column(Text)
    firm_id: Mapped[str | None] = mapped_column(Text)
    number_text: Mapped[str] = mapped_column(Text)
    value_stated: Mapped[float] = mapped_column(Double)
    scale: Mapped[str | None] = mapped_column(Text)
    value: Mapped[float] = mapped_column(Double)
    comparator: Mapped[str] = mapped_column(Text)
    comparator_reason: Mapped[str | None] = mapped_column(Text)
    value_low: Mapped[float | None] = mapped_column(Double)
    value_high: Mapped[float | None] = mapped_column(Double)
    unit: Mapped[str] = mapped_column(Text)
    currency: Mapped[str | None] = mapped_column(Text)
    usd_stated: Mapped[float | None] = mapped_column(Double)
    usd_implied_rate: Mapped[float | None] = mapped_column(Double)
    fx_year: Mapped[int | None] = mapped_column(sa.Integer)
    fx_note: Mapped[str | None] = mapped_column(Text)
    period_start: Mapped[sa.Date] = mapped_column(Date)
    period_end: Mapped[sa.Date] = mapped_column(Date)
    period_precision: Mapped[str] = mapped_column(Text)
    period_resolution: Mapped[str] = mapped_column(Text)
    period_note: Mapped[str | None] = mapped_column(Text)
    value_type: Mapped[str] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(sa.Integer)


class FactRelation(Base):
    __tablename__ = "fact_relation"
    fact_id: Mapped[str] = mapped_column(Text, primary_key=True)
    firm_id: Mapped[str] = mapped_column(Text)
    place_id: Mapped[str] = mapped_column(Text)
    presence_type: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    period_start: Mapped[sa.Date | None] = mapped_column(Date)
    period_end: Mapped[sa.Date | None] = mapped_column(Date)
    period_precision: Mapped[str | None] = mapped_column(Text)
    period_resolution: Mapped[str | None] = mapped_column(Text)
    investment_fact_id: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(sa.Integer)


class FactStatement(Base):
    __tablename__ = "fact_statement"
    fact_id: Mapped[str] = mapped_column(Text, primary_key=True)
    speaker: Mapped[str] = mapped_column(Text)
    speaker_role: Mapped[str | None] = mapped_column(Text)
    firm_id: Mapped[str | None] = mapped_column(Text)
    place_id: Mapped[str | None] = mapped_column(Text)
    statement_text: Mapped[str] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(sa.Integer)


class FactEvidence(Base):
    """Where a fact is stated: one row per fact and source."""

    __tablename__ = "fact_evidence"
    fact_id: Mapped[str] = mapped_column(Text, primary_key=True)
    source_id: Mapped[str] = mapped_column(Text, primary_key=True)
    quote: Mapped[str] = mapped_column(Text)
    evidence_start: Mapped[int] = mapped_column(sa.Integer)
    evidence_end: Mapped[int] = mapped_column(sa.Integer)
    facts_file: Mapped[str] = mapped_column(Text)
    facts_line: Mapped[int] = mapped_column(sa.Integer)


class LoadedSource(Base):
    """The facts file each source's facts were loaded from, the key it was loaded under (its
    bytes, article, reference data and the validation and load code) and the run that loaded
    it: a refresh neither reads nor loads again a file whose key is unchanged, and rebuilds
    only what depends on the sources loaded since the published build. Added by migration 0003."""

    __tablename__ = "loaded_source"
    source_id: Mapped[str] = mapped_column(Text, primary_key=True)
    facts_file: Mapped[str] = mapped_column(Text)
    load_key: Mapped[str] = mapped_column(Text)
    loaded_run_id: Mapped[str] = mapped_column(Text)


class FactRevision(Base):
    """Every revision a fact has had; the current one has superseded_run_id null."""

    __tablename__ = "fact_revision"
    fact_id: Mapped[str] = mapped_column(Text, primary_key=True)
    revision: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    fact_kind: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)  # JSON of the fact's row at that revision
    loaded_run_id: Mapped[str] = mapped_column(Text)
    superseded_run_id: Mapped[str | None] = mapped_column(Text)
    change: Mapped[str] = mapped_column(Text)  # added | changed | removed


class EtlRun(Base):
    __tablename__ = "etl_run"
    run_id: Mapped[str] = mapped_column(Text, primary_key=True)
    started_at: Mapped[sa.DateTime] = mapped_column(sa.DateTime)
    finished_at: Mapped[sa.DateTime | None] = mapped_column(sa.DateTime)
    status: Mapped[str] = mapped_column(Text)  # running | success | up_to_date | failed
    stage: Mapped[str] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    fingerprint: Mapped[str | None] = mapped_column(Text)
    row_counts: Mapped[str | None] = mapped_column(Text)  # JSON
    changes: Mapped[str | None] = mapped_column(Text)  # JSON: facts added/changed/removed
    package_version: Mapped[str | None] = mapped_column(Text)  # added by migration 0002


def engine_for(path: Path, read_only: bool = False, memory_limit: str | None = None) -> sa.Engine:
    """An engine on the staging file; ``memory_limit`` caps DuckDB's memory (it spills to disk)."""
    args: dict = {"read_only": True} if read_only else {}
    if memory_limit:
        args["config"] = {"memory_limit": memory_limit}
    return sa.create_engine(f"duckdb:///{path}", connect_args=args, poolclass=sa.pool.NullPool)
