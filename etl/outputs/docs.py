"""Documentation generated from the models' own descriptions, so it never drifts from them.

- ``data_dictionary``: Markdown of every public table and column (docs/data-dictionary.md;
  a test fails if the committed file differs from what the models say).
- ``dbt_docs``: dbt's docs site (lineage graph, every model and column) for the published build.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml

from etl.build.publish import EXTRA_TABLES, PUBLIC_TABLES
from etl.settings import DB_NAME, Settings


def mart_models(project_dir: Path) -> dict[str, dict]:
    models = {}
    for path in sorted((project_dir / "models" / "marts").glob("*.yml")):
        for model in yaml.safe_load(path.read_text(encoding="utf-8")).get("models", []):
            models[model["name"]] = model
    return models


def _duckdb_type(column: dict) -> str:
    """The type as DuckDB names it: contracts say ``string``, which Spark also reads (docs/spark.md)."""
    declared = column["data_type"]
    return "varchar" if declared == "string" else declared


def _keys(column: dict) -> str:
    marks = []
    for c in column.get("constraints", []):
        if c["type"] == "primary_key":
            marks.append("PK")
        elif c["type"] == "foreign_key":
            target = c["to"].removeprefix("ref('").removesuffix("')")
            marks.append(f"FK → {target}.{c['to_columns'][0]}")
    return ", ".join(marks)


def data_dictionary(project_dir: Path) -> str:
    models = mart_models(project_dir)
    lines = [
        "# Data dictionary",
        "",
        "Generated from the dbt models' descriptions (`models/marts/*.yml`) by `techhubs docs`;",
        "do not edit by hand. The same descriptions are stored in the warehouse file itself",
        "(`duckdb_tables().comment`, `duckdb_columns().comment`).",
        "",
    ]
    lines += [f"- [`{name}`](#{name})" for name in PUBLIC_TABLES + EXTRA_TABLES]
    for name in PUBLIC_TABLES + EXTRA_TABLES:
        model = models[name]
        lines += [
            "",
            f"## {name}",
            "",
            " ".join(model["description"].split()),
            "",
            "| column | type | keys | description |",
            "|---|---|---|---|",
        ]
        for col in model["columns"]:
            desc = " ".join(col["description"].split()).replace("|", "\\|")
            lines.append(f"| `{col['name']}` | {_duckdb_type(col)} | {_keys(col)} | {desc} |")
    return "\n".join(lines) + "\n"


def dbt_docs(settings: Settings, out_dir: Path) -> Path:
    """Run ``dbt docs generate --static`` against a copy of the published file; return index.html."""
    from dbt.cli.main import dbtRunner

    from etl.build.dbt import _env, _release_dbt_database

    if not settings.published_path.exists():
        raise FileNotFoundError(
            f"no published warehouse at {settings.published_path}; run `techhubs refresh` first"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.warehouse_dir) as tmp:
        copy = Path(tmp) / DB_NAME  # the same base name: dbt-duckdb names the catalog after it
        shutil.copy(settings.published_path, copy)
        env = {
            "TECHHUBS_BUILD_PATH": str(copy),
            "TECHHUBS_STAGING_PATH": str(settings.staging_path),
            "TECHHUBS_STORAGE_VERSION": settings.storage_version,
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
        args = [
            "docs",
            "generate",
            "--static",
            "--project-dir",
            str(settings.project_dir),
            "--profiles-dir",
            str(settings.project_dir),
            "--target-path",
            str(out_dir),
            "--log-path",
            str(settings.dbt_log_dir),
            "--quiet",
        ]
        with _env(env):
            try:
                result = dbtRunner().invoke(args)
            finally:
                _release_dbt_database()
        if not result.success:
            raise RuntimeError(f"dbt docs generate failed: {result.exception}")
    return out_dir / "static_index.html"
