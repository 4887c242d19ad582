"""Build the marts on Apache Spark and on DuckDB from the same staging; compare every public table.

    make spark-check            # (its own venv: .venv-spark, with dbt-spark and PySpark)
    .venv-spark/bin/python scripts/spark_check.py [--synth 300] [--workdir DIR] [--keep]

For each corpus (the real seeds, then a synthetic one with source conflicts that the seeds
lack):
1. `techhubs refresh` builds the DuckDB warehouse (models and tests) in its own folder;
2. `techhubs export-staging` writes the staging tables dbt reads to Parquet;
3. `dbt build --target spark` (a local PySpark session, dbt-spark's `session` method)
   registers that Parquet as the `etl` sources and builds and tests the same models;
4. every public table is read from both engines and compared on its primary key: same
   columns and types, same row count, same keys, same values (numbers within 1e-9).
Exit status 0 when every table matches, 1 when any differs or a build fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

import duckdb  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from etl.build.dbt import BuildFailed, invoke_dbt  # noqa: E402
from etl.build.publish import EXTRA_TABLES, PUBLIC_TABLES  # noqa: E402
from etl.outputs.compare import (  # noqa: E402
    BUILD_COLUMNS,
    TableResult,
    compare_table,
    duckdb_rows,
    primary_keys,
)
from etl.outputs.export import export_staging, staging_source_tables  # noqa: E402

TECHHUBS = [sys.executable, "-m", "etl.cli"]
console = Console(stderr=True)


def step(message: str) -> None:
    console.print(f"[bold]•[/bold] {message}", highlight=False)


def build_duckdb(seeds: Path, warehouse: Path) -> None:
    cmd = [*TECHHUBS, "refresh", "--seeds", str(seeds), "--warehouse", str(warehouse), "--force"]
    done = subprocess.run(cmd, cwd=PROJECT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the DuckDB build failed (exit {done.returncode}):\n{done.stderr}")


def build_spark(work: Path, corpus: str, staging_uri: Path, published: Path) -> None:
    # the DuckDB build's run id, fingerprint and versions, so warehouse_build can match too
    con = duckdb.connect(str(published), read_only=True)
    try:
        run_id, fingerprint, package, storage = con.execute(
            "select build_id, input_fingerprint, package_version, storage_version from warehouse_build"
        ).fetchone()
    finally:
        con.close()
    env = {
        "TECHHUBS_RUN_ID": run_id,
        "TECHHUBS_FINGERPRINT": fingerprint,
        "TECHHUBS_PACKAGE_VERSION": package,
        "TECHHUBS_STORAGE_VERSION": storage,
        "TECHHUBS_SPARK_STAGING_URI": str(staging_uri),
        "TECHHUBS_SPARK_SCHEMA": f"techhubs_{corpus}",
        "TECHHUBS_SPARK_STAGING_SCHEMA": f"techhubs_{corpus}_staging",
        "TECHHUBS_SPARK_WAREHOUSE": str(work / "spark-warehouse"),
        "TECHHUBS_SPARK_LOG_LEVEL": "ERROR",
    }
    args = [
        "build",
        "--target",
        "spark",
        "--project-dir",
        str(PROJECT),
        "--profiles-dir",
        str(PROJECT),
        "--target-path",
        str(work / "dbt-target"),
        "--log-path",
        str(work / "dbt-logs"),
        "--quiet",
        "--no-use-colors",
    ]
    done = {"n": 0}

    def on_node(unique_id: str, status: str) -> None:
        done["n"] += 1
        if status not in ("success", "pass"):
            console.print(f"  {status}: {unique_id}", highlight=False)

    result = invoke_dbt(args, env, on_node, failure="dbt build on Spark failed")
    console.print(
        f"  Spark built {result.models} models and passed {result.tests} data tests "
        f"and {result.unit_tests} unit tests",
        highlight=False,
    )


def spark_rows(spark, table: str) -> tuple[list[dict], dict[str, str]]:
    df = spark.table(table)
    types = {f.name: f.dataType.simpleString() for f in df.schema.fields}
    return [row.asDict() for row in df.collect()], types


def compare_corpus(work: Path, corpus: str, published: Path) -> list[TableResult]:
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.getOrCreate()  # the session dbt-spark started in this process
    keys = primary_keys(PROJECT)
    con = duckdb.connect(str(published), read_only=True)
    results = []
    try:
        for table in PUBLIC_TABLES + EXTRA_TABLES:
            left, ltypes = duckdb_rows(con, table)
            right, rtypes = spark_rows(spark, f"techhubs_{corpus}.{table}")
            results.append(
                compare_table(
                    table,
                    left,
                    right,
                    keys[table],
                    ltypes,
                    rtypes,
                    ignore=BUILD_COLUMNS.get(table, ()),
                )
            )
    finally:
        con.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--synth",
        type=int,
        default=300,
        help="articles in the synthetic corpus checked after the seeds (0: seeds only)",
    )
    parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic corpus")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=PROJECT / "warehouse" / ".spark-check",
        help="scratch folder",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder afterwards")
    args = parser.parse_args()

    work = args.workdir.resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    os.chdir(work)  # Spark's local metastore (metastore_db, derby.log) lands in the cwd
    corpora = [("seeds", PROJECT / "seeds")]
    if args.synth:
        corpora.append(("synthetic", work / "synthetic-seeds"))

    report = Table(title="Spark build vs DuckDB build, every public table")
    for col in ("corpus", "table", "DuckDB rows", "Spark rows"):
        report.add_column(col, justify="right" if "rows" in col else "left", no_wrap=True)
    report.add_column("result", overflow="fold")
    failed = False
    started = time.perf_counter()
    for corpus, seeds in corpora:
        t0 = time.perf_counter()
        if corpus == "synthetic":
            step(f"synthetic corpus: {args.synth} articles (seed {args.seed})")
            subprocess.run(
                [*TECHHUBS, "synth", "--articles", str(args.synth), "--seed", str(args.seed)]
                + ["--out", str(seeds)],
                cwd=PROJECT,
                check=True,
                capture_output=True,
            )
        warehouse = work / corpus / "duckdb"
        step(f"{corpus}: DuckDB build (techhubs refresh)")
        build_duckdb(seeds, warehouse)
        step(f"{corpus}: staging to Parquet")
        parquet = work / corpus / "staging-parquet"
        export_staging(warehouse / "staging.duckdb", parquet, staging_source_tables(PROJECT))
        step(f"{corpus}: dbt build --target spark")
        try:
            build_spark(work, corpus, parquet, warehouse / "tech_hubs.duckdb")
        except BuildFailed as exc:
            console.print(str(exc), markup=False)
            failed = True
            continue
        step(f"{corpus}: compare")
        for r in compare_corpus(work, corpus, warehouse / "tech_hubs.duckdb"):
            failed |= not r.ok
            verdict = "[green]equal[/green]" if r.ok else "[red]" + "\n".join(r.problems) + "[/red]"
            report.add_row(corpus, r.table, f"{r.left_rows:,}", f"{r.right_rows:,}", verdict)
        console.print(f"  {corpus} done in {time.perf_counter() - t0:.0f} s", highlight=False)
    Console(width=max(Console().width, 120)).print(report)
    print(
        f"{'FAILED' if failed else 'OK'}: Spark and DuckDB builds "
        f"{'differ' if failed else 'are equal'} ({time.perf_counter() - started:.0f} s)"
    )
    if not args.keep and not failed:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
