"""Run Alembic migrations on the staging database from Python."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from etl.staging.models import engine_for

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(staging_path: Path, migrations_dir: Path = MIGRATIONS_DIR) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option("sqlalchemy.url", f"duckdb:///{staging_path}")
    return cfg


def head_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config(Path("unused.duckdb")))
    return script.get_current_head()


def current_revision(staging_path: Path) -> str | None:
    if not staging_path.exists():
        return None
    engine = engine_for(staging_path, read_only=True)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def upgrade(
    staging_path: Path, migrations_dir: Path = MIGRATIONS_DIR, revision: str = "head"
) -> None:
    staging_path.parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(staging_path, migrations_dir), revision)


def downgrade(staging_path: Path, revision: str, migrations_dir: Path = MIGRATIONS_DIR) -> None:
    command.downgrade(alembic_config(staging_path, migrations_dir), revision)
