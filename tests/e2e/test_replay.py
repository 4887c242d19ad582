"""Replayed builds (etl/build/replay.py): a build runs dbt's statements of an earlier build of
the same models again, without dbt, and gives what dbt would; anything the recording did not
foresee (a result, an error, a failing test) has dbt build the file instead."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.build import replay
from etl.build.refresh import refresh
from etl.outputs.compare import compare_files
from etl.settings import PROJECT_DIR, Settings
from tests.e2e.test_incremental import catalog
from tests.helpers import copy_project, edit

WUHAN = "facts/wuhan-valleys-rebound-2021.yml"


def noted(settings: Settings, old: str, new: str) -> None:
    """A changed note: one source changes, so the build is incremental."""
    edit(settings.seeds_dir, WUHAN, old, new)


def recorded(settings: Settings) -> Path:
    """The warehouse's recording of an incremental build (the test's only one)."""
    (path,) = (settings.warehouse_dir / ".dbt" / "replay").glob("incremental-*.json")
    return path


def first_incremental_build(warehouse_copy: Settings) -> Settings:
    """After the session's full build, a first incremental one: dbt builds it, and records."""
    noted(warehouse_copy, "value_type: actual", "value_type: actual\n    notes: One.")
    record = refresh(warehouse_copy)
    assert record.status == "success" and record.build_mode == "incremental", record.error
    assert record.build_runner.startswith("dbt: no recorded incremental build"), record
    assert record.dbt["replayed"] == 0
    return warehouse_copy


def test_a_second_small_refresh_is_replayed_and_equals_a_build_by_dbt(warehouse_copy, tmp_path):
    settings = first_incremental_build(warehouse_copy)
    dbt_log = settings.dbt_log_dir / "dbt.log"
    logged = dbt_log.stat().st_size
    noted(settings, "notes: One.", "notes: Two.")
    record = refresh(settings)
    assert record.status == "success" and record.build_mode == "incremental", record.error
    assert record.build_runner == "replayed" and record.dbt["replayed"] == 1
    assert record.dbt["models"] > 0 and record.dbt["data_tests"] > 0
    assert dbt_log.stat().st_size == logged  # dbt neither parsed nor ran
    by_dbt = Settings(seeds_dir=settings.seeds_dir, warehouse_dir=tmp_path / "by-dbt")
    reference = refresh(by_dbt, full=True)
    assert reference.status == "success" and reference.build_runner.startswith("dbt"), reference
    results = compare_files(
        settings.published_path,
        by_dbt.published_path,
        PROJECT_DIR,
        ignore={"warehouse_build": {"built_at", "build_id", "input_fingerprint"}},
    )
    assert not [p for r in results if r.table != "warehouse_build" for p in r.problems]
    assert catalog(settings.published_path) == catalog(by_dbt.published_path)
    assert record.row_counts == reference.row_counts


def _tamper(path: Path, change) -> None:
    plan = json.loads(path.read_text(encoding="utf-8"))
    change(plan)
    path.write_text(json.dumps(plan), encoding="utf-8")


def _described_result(plan: dict) -> None:
    """One column dbt read, other than recorded: as if the file's schema had changed."""
    for unit in plan["units"]:
        for statement in unit["statements"]:
            if (
                statement[1]
                and statement[0].lstrip().startswith("/*")
                and "DESCRIBE" in statement[0]
            ):
                statement[1] = statement[1].replace("VARCHAR", "INTEGER", 1)
                return
    raise AssertionError("no DESCRIBE with a result in the recording")


def _failing_test(plan: dict) -> None:
    for unit in plan["units"]:
        if unit["kind"] == "test":
            for statement in unit["statements"]:
                if statement[2] and json.loads(statement[2])[0][0] == "failures":
                    statement[0] = (
                        "select 3::bigint as failures, true as should_warn, true as should_error"
                    )
                    return
    raise AssertionError("no data test in the recording")


def _broken_model(plan: dict) -> None:
    for unit in plan["units"]:
        if unit["kind"] == "model" and unit["name"] == "fct_metric_observation":
            unit["statements"][-1][0] = "select * from no_such_table"
            return
    raise AssertionError("no fct_metric_observation in the recording")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_described_result, "a result differs from the recording"),
        (_failing_test, "3 failing rows"),
        (_broken_model, "no_such_table"),
    ],
)
def test_a_replay_that_cannot_go_on_has_dbt_build_the_file(warehouse_copy, change, reason):
    """The file is made again and dbt builds it (it passes: the recording was wrong, not the
    data), says why in the run log, and records its statements anew."""
    settings = first_incremental_build(warehouse_copy)
    _tamper(recorded(settings), change)
    noted(settings, "notes: One.", "notes: Two.")
    record = refresh(settings)
    assert record.status == "success", record.error
    assert record.build_runner.startswith("dbt: ") and reason in record.build_runner, record
    assert record.dbt["replayed"] == 0
    noted(settings, "notes: Two.", "notes: Three.")
    assert refresh(settings).build_runner == "replayed"  # from dbt's new recording


def test_a_changed_data_test_is_not_replayed(warehouse_copy, tmp_path):
    settings = first_incremental_build(warehouse_copy)
    project = copy_project(tmp_path / "project")
    test = project / "tests" / "dbt" / "assert_periods_are_ordered.sql"
    test.write_text(test.read_text(encoding="utf-8") + "\n-- reviewed\n", encoding="utf-8")
    moved = Settings(
        seeds_dir=settings.seeds_dir, warehouse_dir=settings.warehouse_dir, project_dir=project
    )
    assert replay.static_key(moved, "incremental") != replay.static_key(settings, "incremental")
    noted(settings, "notes: One.", "notes: Two.")
    record = refresh(moved)
    assert record.status == "success" and record.dbt["replayed"] == 0, record.error


def test_replay_can_be_turned_off(warehouse_copy, monkeypatch):
    settings = first_incremental_build(warehouse_copy)
    monkeypatch.setenv("TECHHUBS_DBT_REPLAY", "0")
    noted(settings, "notes: One.", "notes: Two.")
    record = refresh(settings)
    assert record.status == "success" and record.dbt["replayed"] == 0
    assert "TECHHUBS_DBT_REPLAY" in record.build_runner
