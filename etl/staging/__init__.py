"""Stage 3, staging: the staging tables (SQLAlchemy models), their Alembic migrations and
the load of a validated corpus into them."""
