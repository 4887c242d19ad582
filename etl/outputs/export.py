"""Export every public table of the published warehouse to Parquet and CSV, with a manifest.

Other engines (Spark, pandas, polars, Arrow, a spreadsheet) read these without DuckDB.
The export is written to a new folder and swapped in at the end, so a reader of the
export folder never sees half of one export and half of another.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb
import yaml

from etl.build.publish import EXTRA_TABLES, PUBLIC_TABLES

FORMATS = ("parquet", "csv")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def export(published: Path, out_dir: Path, formats: tuple[str, ...] = FORMATS) -> dict:
    """Write each public table to ``out_dir/<format>/<table>.<ext>`` and ``out_dir/manifest.json``."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown export format(s): {sorted(unknown)}; choose from {FORMATS}")
    if not published.exists():
        raise FileNotFoundError(
            f"no published warehouse at {published}; run `techhubs refresh` first"
        )
    with _replacing(out_dir) as folder:
        con = duckdb.connect(str(published), read_only=True)
        try:
            build = (
                con.execute("select * from warehouse_build").fetchdf().to_dict(orient="records")[0]
            )
            manifest: dict = {
                "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "source": str(published),
                "build": {
                    k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in build.items()
                },
                "tables": {},
            }
            for table in PUBLIC_TABLES + EXTRA_TABLES:
                columns = con.execute(
                    "select column_name, data_type, comment from duckdb_columns() "
                    "where database_name = current_database() and schema_name = 'main' and table_name = ? "
                    "order by column_index",
                    [table],
                ).fetchall()
                order = ", ".join(str(i + 1) for i in range(len(columns)))
                entry: dict = {
                    "rows": con.execute(f'select count(*) from main."{table}"').fetchone()[0],
                    "description": con.execute(
                        "select comment from duckdb_tables() where database_name = current_database() "
                        "and table_name = ?",
                        [table],
                    ).fetchone()[0],
                    "columns": [{"name": n, "type": t, "description": c} for n, t, c in columns],
                    "files": {},
                }
                for fmt in formats:
                    target = folder / fmt / f"{table}.{fmt}"
                    target.parent.mkdir(exist_ok=True)
                    options = (
                        "(format parquet, compression zstd)"
                        if fmt == "parquet"
                        else "(format csv, header true)"
                    )
                    # A stable row order makes exports comparable run to run.
                    con.execute(
                        f"copy (select * from main.\"{table}\" order by {order}) to '{target}' {options}"
                    )
                    entry["files"][fmt] = {
                        "path": f"{fmt}/{table}.{fmt}",
                        "bytes": target.stat().st_size,
                        "sha256": _sha256(target),
                    }
                manifest["tables"][table] = entry
        finally:
            con.close()
        (folder / "manifest.json").write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        )
    return manifest


@contextlib.contextmanager
def _replacing(out_dir: Path) -> Iterator[Path]:
    """A new folder beside ``out_dir`` to write into. When the block succeeds, it replaces
    ``out_dir`` by renames, so a reader never sees half of one export and half of another;
    when it fails, it is removed and ``out_dir`` is left as it was."""
    out_dir = out_dir.resolve()
    tag = uuid.uuid4().hex[:8]
    new = out_dir.parent / f".{out_dir.name}.{tag}.tmp"
    new.mkdir(parents=True)
    try:
        yield new
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    old = out_dir.parent / f".{out_dir.name}.{tag}.old"
    if out_dir.exists():
        out_dir.rename(old)
    new.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)


def staging_source_tables(project_dir: Path) -> list[str]:
    """The staging tables dbt reads: the `etl` source in models/staging/__sources.yml."""
    spec = yaml.safe_load((project_dir / "models" / "staging" / "__sources.yml").read_text())
    (etl,) = [s for s in spec["sources"] if s["name"] == "etl"]
    return [t["name"] for t in etl["tables"]]


def export_staging(staging_path: Path, out_dir: Path, tables: list[str]) -> dict[str, int]:
    """Write each staging table dbt reads to ``out_dir/<table>/data.parquet``; return row counts.

    This is what an engine without the DuckDB file (Spark) reads as the `etl` sources: one
    folder per table, so it can be registered as an external table or copied to object storage.
    """
    if not staging_path.exists():
        raise FileNotFoundError(
            f"no staging database at {staging_path}; run `techhubs refresh` first"
        )
    counts: dict[str, int] = {}
    with _replacing(out_dir) as folder:
        con = duckdb.connect(str(staging_path), read_only=True)
        try:
            for table in tables:
                target = folder / table / "data.parquet"
                target.parent.mkdir()
                con.execute(
                    f"copy (select * from main.\"{table}\") to '{target}' (format parquet, compression zstd)"
                )
                counts[table] = con.execute(f'select count(*) from main."{table}"').fetchone()[0]
        finally:
            con.close()
    return counts
