"""Compare the public tables of two builds of the same models (DuckDB and Spark, say).

Rows are matched on each table's primary key (declared in models/marts/*.yml); every
other column must be equal, numbers within a relative tolerance (engines round sums
and divisions of doubles differently in the last bits), and the declared column types
must map to the same engine-neutral type.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from etl.outputs.docs import mart_models

# Columns that describe the engine or the moment of the build, not the data. (Given the
# same run id and fingerprint, the rest of warehouse_build must match too.)
BUILD_COLUMNS = {"warehouse_build": {"built_at", "duckdb_version"}}

# Engine type names that differ -> one neutral name (DuckDB's VARCHAR is Spark's string).
TYPE_ALIASES = {
    "varchar": "string",  # DuckDB
    "integer": "int",  # DuckDB
    "timestamp_ntz": "timestamp",  # Spark
}

MAX_EXAMPLES = 3


def neutral_type(name: str) -> str:
    base = name.strip().lower().split("(")[0]
    return TYPE_ALIASES.get(base, base)


def primary_keys(project_dir: Path) -> dict[str, list[str]]:
    """Each mart's primary-key columns, from the constraints in its YAML."""
    keys: dict[str, list[str]] = {}
    for name, model in mart_models(project_dir).items():
        cols = [
            c["name"]
            for c in model.get("columns", [])
            if any(k["type"] == "primary_key" for k in c.get("constraints", []))
        ]
        for k in model.get("constraints", []):
            if k["type"] == "primary_key":
                cols = list(k["columns"])
        keys[name] = cols
    return keys


@dataclass
class TableResult:
    table: str
    left_rows: int
    right_rows: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def values_equal(a: object, b: object, rel_tol: float = 1e-9) -> bool:
    """Equal as data: None only equals None; numbers within ``rel_tol``; dates by value."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float | Decimal) and isinstance(b, int | float | Decimal):
        fa, fb = float(a), float(b)
        if math.isnan(fa) or math.isnan(fb):
            return math.isnan(fa) and math.isnan(fb)
        return math.isclose(fa, fb, rel_tol=rel_tol, abs_tol=1e-12)
    if isinstance(a, dt.datetime) != isinstance(b, dt.datetime):
        return False  # a date is not a timestamp
    return a == b


def compare_table(
    table: str,
    left: list[Mapping[str, object]],
    right: list[Mapping[str, object]],
    keys: list[str],
    left_types: Mapping[str, str] | None = None,
    right_types: Mapping[str, str] | None = None,
    ignore: Iterable[str] = (),
    rel_tol: float = 1e-9,
) -> TableResult:
    """Compare two tables given as lists of rows (dicts); report every kind of difference."""
    result = TableResult(table, len(left), len(right))
    ignored = set(ignore)
    lcols = [c for c in (left_types or (left[0] if left else {})) if c not in ignored]
    rcols = [c for c in (right_types or (right[0] if right else {})) if c not in ignored]
    if lcols != rcols:
        result.problems.append(f"columns differ: {lcols} != {rcols}")
        return result
    if left_types is not None and right_types is not None:
        for c in lcols:
            lt, rt = neutral_type(left_types[c]), neutral_type(right_types[c])
            if lt != rt:
                result.problems.append(f"column {c}: type {left_types[c]} != {right_types[c]}")
    if len(left) != len(right):
        result.problems.append(f"row count {len(left)} != {len(right)}")
    if not keys:
        result.problems.append("no primary key declared: rows cannot be matched")
        return result

    def index(rows: list[Mapping[str, object]], side: str) -> dict[tuple, Mapping[str, object]]:
        out: dict[tuple, Mapping[str, object]] = {}
        for row in rows:
            key = tuple(row[k] for k in keys)
            if key in out:
                result.problems.append(f"{side}: key {key} is not unique")
            out[key] = row
        return out

    lrows, rrows = index(left, "left"), index(right, "right")
    only_left = sorted(set(lrows) - set(rrows), key=repr)
    only_right = sorted(set(rrows) - set(lrows), key=repr)
    if only_left:
        result.problems.append(
            f"{len(only_left)} key(s) only on the left, e.g. {only_left[:MAX_EXAMPLES]}"
        )
    if only_right:
        result.problems.append(
            f"{len(only_right)} key(s) only on the right, e.g. {only_right[:MAX_EXAMPLES]}"
        )
    common = sorted(set(lrows) & set(rrows), key=repr)
    for c in lcols:
        diffs = [
            (k, lrows[k][c], rrows[k][c])
            for k in common
            if not values_equal(lrows[k][c], rrows[k][c], rel_tol)
        ]
        if diffs:
            examples = "; ".join(f"{k}: {a!r} != {b!r}" for k, a, b in diffs[:MAX_EXAMPLES])
            result.problems.append(f"column {c}: {len(diffs)} row(s) differ, e.g. {examples}")
    return result


def duckdb_rows(con, table: str) -> tuple[list[dict], dict[str, str]]:
    """A table of a DuckDB connection's main schema: its rows as dicts, and its column types."""
    types = dict(
        con.execute(
            "select column_name, data_type from duckdb_columns() "
            "where schema_name = 'main' and table_name = ? order by column_index",
            [table],
        ).fetchall()
    )
    cur = con.execute(f'select * from main."{table}"')
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()], types


def compare_files(
    left: Path, right: Path, project_dir: Path, ignore: Mapping[str, Iterable[str]] | None = None
) -> list[TableResult]:
    """Compare every public table of two DuckDB builds (an incremental and a full one, say)."""
    import duckdb

    from etl.build.publish import EXTRA_TABLES, PUBLIC_TABLES

    keys = primary_keys(project_dir)
    ignore = ignore if ignore is not None else BUILD_COLUMNS
    results = []
    lcon = duckdb.connect(str(left), read_only=True)
    rcon = duckdb.connect(str(right), read_only=True)
    try:
        for table in PUBLIC_TABLES + EXTRA_TABLES:
            lrows, ltypes = duckdb_rows(lcon, table)
            rrows, rtypes = duckdb_rows(rcon, table)
            results.append(
                compare_table(
                    table, lrows, rrows, keys[table], ltypes, rtypes, ignore=ignore.get(table, ())
                )
            )
    finally:
        lcon.close()
        rcon.close()
    return results
