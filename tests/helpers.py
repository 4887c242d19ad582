"""Small helpers shared by test modules."""

from __future__ import annotations

import hashlib
from pathlib import Path


def edit(seeds: Path, rel: str, old: str, new: str, count: int = 1) -> None:
    """Replace text in a seed file, failing loudly if the text is not there."""
    path = seeds / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def copy_project(dest: Path) -> Path:
    """A copy of the dbt project and migrations that a test may change (models, tests, migrations)."""
    import shutil

    from etl.settings import PROJECT_DIR

    for name in ("models", "macros", "tests/dbt", "migrations"):
        shutil.copytree(PROJECT_DIR / name, dest / name)
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(PROJECT_DIR / name, dest / name)
    return dest


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def table_rows(path: Path, table: str) -> list:
    """Every row of a table in a DuckDB file, sorted (opened read-only, then closed)."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(f"select * from {table} order by all").fetchall()
    finally:
        con.close()
