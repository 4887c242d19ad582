"""Incremental builds: after each kind of change, a refresh that updates a copy of the
published file gives the same public tables as a refresh that builds every table afresh."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from etl.build.refresh import EXIT_BUILD_FAILED, refresh
from etl.curation.synth import synth
from etl.outputs.compare import compare_files
from etl.settings import PROJECT_DIR, Settings
from tests.helpers import copy_project, edit, sha256

ARTICLES = 40
INCREMENTAL_MARTS = (
    "dim_source",
    "fct_statement",
    "fct_fact_evidence",
    "fct_metric_observation",
    "dq_conflicts",
    "fct_city_metric_year",
    "fct_firm_presence",
)


def change_value_type(seeds: Path, source_id: str) -> None:
    """Move one number of an article to another group (its value type), so that the
    preferred flags, conflicts and metrics by year of two groups change."""
    path = seeds / "facts" / f"{source_id}.csv"
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(r"^(number,[^\n]*),actual,,$", r"\1,estimate,,", text, count=1, flags=re.M)
    assert n == 1
    path.write_text(new, encoding="utf-8")


def change_published_on(seeds: Path, source_id: str, date: str) -> None:
    """An article dated anew: its observations may now be preferred, or no longer."""
    manifest = seeds / "articles" / "manifest.yml"
    text = manifest.read_text(encoding="utf-8")
    pattern = rf"(source_id: {source_id}\n(?:    .*\n)*?    published_on: )\"[^\"]+\""
    new, n = re.subn(pattern, rf'\1"{date}"', text, count=1)
    assert n == 1
    manifest.write_text(new, encoding="utf-8")


def remove_article(seeds: Path, source_id: str) -> None:
    manifest = seeds / "articles" / "manifest.yml"
    text = manifest.read_text(encoding="utf-8")
    new, n = re.subn(rf"  - source_id: {source_id}\n(?:    .*\n)*", "", text, count=1)
    assert n == 1
    manifest.write_text(new, encoding="utf-8")
    (seeds / "articles" / f"{source_id}.txt").unlink()
    (seeds / "facts" / f"{source_id}.csv").unlink()


def catalog(path: Path) -> list:
    """Each public table's DDL (its keys) and comment, and each column's type and comment."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "select table_name, sql, comment, null, null from duckdb_tables() union all "
            "select table_name, column_name, data_type, comment, is_nullable::text "
            "from duckdb_columns() where not internal order by all"
        ).fetchall()
    finally:
        con.close()


def test_incremental_build_equals_full_build(tmp_path):
    seeds = tmp_path / "seeds"
    reference = PROJECT_DIR / "seeds" / "reference"
    synth(seeds, ARTICLES, 7, reference)
    # any share of changed sources may be built incrementally here: the seeds are few
    incremental = Settings(
        seeds_dir=seeds,
        warehouse_dir=tmp_path / "incremental",
        incremental_max_share=1.0,
        incremental_max_free_share=1.0,  # small files free many blocks: keep every build in place
    )
    full = Settings(seeds_dir=seeds, warehouse_dir=tmp_path / "full")
    # (what, the change, build mode, replayed): dbt builds the first full and the first
    # incremental build and records its statements; the builds after them replay those
    # (etl/build/replay.py), and must equal a full build by dbt as well
    steps = [
        ("the first build", None, "full", False),
        (
            "two new articles",
            lambda: synth(seeds, ARTICLES + 2, 7, reference),
            "incremental",
            False,
        ),
        (
            "a number moved to another group",
            lambda: change_value_type(seeds, "synth-000003"),
            "incremental",
            True,
        ),
        (
            "an article dated anew",
            lambda: change_published_on(seeds, "synth-000005", "2022-12-31"),
            "incremental",
            True,
        ),
        (
            # the marts built from reference data alone are not built incrementally
            "a metric described anew (reference data)",
            lambda: edit(
                seeds,
                "reference/metrics.csv",
                "Number of companies located in the place at a point in time.",
                "Companies located in the place at a point in time.",
            ),
            "full",
            True,
        ),
        ("an article removed", lambda: remove_article(seeds, "synth-000007"), "full", True),
    ]
    dbt_log = incremental.dbt_log_dir / "dbt.log"
    for what, change, mode, replayed in steps:
        if change is not None:
            change()
        logged = dbt_log.stat().st_size if dbt_log.exists() else 0
        built = refresh(incremental)
        assert built.dbt.get("replayed") == int(replayed), (what, built.build_runner)
        if replayed:  # dbt neither parsed nor ran
            assert (dbt_log.stat().st_size if dbt_log.exists() else 0) == logged, what
        elif logged:
            # the models did not change: dbt parses nothing again, though the run's id and
            # fingerprint and the build mode (environment variables read as models run) did
            with dbt_log.open(encoding="utf-8") as log:
                log.seek(logged)
                this_run = log.read()
            assert "Partial parsing enabled, no changes found" in this_run, what
            assert "Partial parsing: updated file" not in this_run, what
        assert built.status == "success", (what, built.error)
        assert built.build_mode == mode, (what, built.build_reason)
        # an incremental build's marts run without dbt-duckdb's foreign key lock: every
        # incremental mart but those of reference data alone, which it leaves as published
        side_by_side = len(INCREMENTAL_MARTS) if mode == "incremental" and not replayed else 0
        assert built.dbt["marts_side_by_side"] == side_by_side, what
        # dbt's JSON artifacts are written by its full builds only; none is left from an
        # earlier one
        written = (incremental.dbt_target_dir / "run_results.json").exists()
        assert written == (mode == "full" and not replayed), what
        reference_build = refresh(full, full=True)
        assert reference_build.status == "success", (what, reference_build.error)
        results = compare_files(
            incremental.published_path,
            full.published_path,
            PROJECT_DIR,
            ignore={"warehouse_build": {"built_at", "build_id"}},
        )
        differences = [
            f"{r.table}: {p}" for r in results if r.table != "warehouse_build" for p in r.problems
        ]
        assert not differences, (what, differences)
        assert built.row_counts == reference_build.row_counts, what
        # the same tables, keys and descriptions (what BI tools read), however it was built
        assert catalog(incremental.published_path) == catalog(full.published_path), what
    assert reference_build.row_counts["dq_conflicts"] > 0  # the corpus has conflicts to rebuild


def test_a_changed_model_means_a_full_build(warehouse_copy, tmp_path):
    project = copy_project(tmp_path / "project")
    settings = Settings(
        seeds_dir=warehouse_copy.seeds_dir,
        warehouse_dir=warehouse_copy.warehouse_dir,
        project_dir=project,
        incremental_max_share=1.0,
    )
    wuhan = "facts/wuhan-valleys-rebound-2021.yml"
    edit(settings.seeds_dir, wuhan, "value_type: actual", "value_type: actual\n    notes: One.")
    record = refresh(settings)  # the same models as the published build (a copy of them)
    assert record.status == "success" and record.build_mode == "incremental", record.build_reason
    model = project / "models" / "marts" / "dim_metric.sql"
    model.write_text(model.read_text(encoding="utf-8") + "-- a new comment\n", encoding="utf-8")
    edit(settings.seeds_dir, wuhan, "notes: One.", "notes: Two.")
    record = refresh(settings)
    assert record.status == "success" and record.build_mode == "full"
    assert "other models" in record.build_reason


def test_a_file_past_the_free_share_means_a_full_build(warehouse_copy):
    settings = Settings(
        seeds_dir=warehouse_copy.seeds_dir,
        warehouse_dir=warehouse_copy.warehouse_dir,
        incremental_max_share=1.0,
        incremental_max_free_share=-1.0,  # below any file's share: the rule always applies
    )
    edit(
        settings.seeds_dir,
        "facts/wuhan-valleys-rebound-2021.yml",
        "value_type: actual",
        "value_type: actual\n    notes: One.",
    )
    record = refresh(settings)
    assert record.status == "success" and record.build_mode == "full"
    assert "free blocks" in record.build_reason


def test_a_key_twice_in_an_incremental_build_fails_it(warehouse_copy, tmp_path):
    """A model bug that yields a key twice only in incremental builds: an UPDATE would take one
    of the two rows silently; the sync strategy's check fails the build and nothing is published."""
    project = copy_project(tmp_path / "project")
    edit(
        project,
        "models/marts/fct_metric_observation.sql",
        "select * from final",
        "select * from final\n{% if is_incremental() %}union all select * from final{% endif %}",
    )
    settings = Settings(
        seeds_dir=warehouse_copy.seeds_dir,
        warehouse_dir=warehouse_copy.warehouse_dir,
        project_dir=project,
        incremental_max_share=1.0,
        incremental_max_free_share=1.0,
    )
    wuhan = "facts/wuhan-valleys-rebound-2021.yml"
    edit(settings.seeds_dir, wuhan, "value_type: actual", "value_type: actual\n    notes: One.")
    record = refresh(settings)  # other models than the published build's: a full build
    assert record.status == "success" and record.build_mode == "full", record.error
    before = sha256(settings.published_path)
    edit(settings.seeds_dir, wuhan, "notes: One.", "notes: Two.")
    record = refresh(settings)
    assert record.exit_code == EXIT_BUILD_FAILED and record.build_mode == "incremental"
    assert re.search(
        r"fct_metric_observation: 2 rows of this build have observation_id \w+, "
        r"which is its primary key",
        record.error,
    ), record.error
    assert sha256(settings.published_path) == before
