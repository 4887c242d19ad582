"""Alembic environment for the staging database (warehouse/staging.duckdb).

The URL comes from the Alembic config (set by etl.staging.migrate) or, for the alembic
command line, from TECHHUBS_STAGING_URL.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import context

from etl.staging.models import Base  # noqa: F401 - registers the DuckDB impl with Alembic

config = context.config
url = config.get_main_option("sqlalchemy.url") or os.environ.get(
    "TECHHUBS_STAGING_URL", "duckdb:///warehouse/staging.duckdb"
)
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
