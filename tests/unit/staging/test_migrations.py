"""Alembic migrations on a populated staging file, both directions, nothing lost."""

from __future__ import annotations

import duckdb
import pytest

from etl.checks.validate import validate_seeds
from etl.staging import load, migrate


def snapshot(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            t: con.execute(f"select * from {t} order by all").fetchall() for t in load.DATA_TABLES
        }
    finally:
        con.close()


def columns(path, table):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [r[0] for r in con.execute(f"describe {table}").fetchall()]
    finally:
        con.close()


def test_head_is_the_newest_revision():
    assert migrate.head_revision() == "0003_loaded_source"


def test_upgrade_and_downgrade_keep_every_row(tmp_path, seeds_copy):
    path = tmp_path / "staging.duckdb"
    migrate.upgrade(path)
    load.load_corpus(path, validate_seeds(seeds_copy), "run-1", "fp")
    before = snapshot(path)
    assert len(before["fact_number"]) > 40

    migrate.downgrade(path, "0001_initial")
    assert migrate.current_revision(path) == "0001_initial"
    assert "package_version" not in columns(path, "etl_run")
    assert snapshot(path) == before
    con = duckdb.connect(str(path))
    con.execute(
        "update fact_number set comparator = 'roughly' where fact_id = 'ov-year-established'"
    )
    con.execute("update fact_number set comparator = 'exact' where fact_id = 'ov-year-established'")
    con.close()

    migrate.upgrade(path)
    assert migrate.current_revision(path) == "0003_loaded_source"
    assert "package_version" in columns(path, "etl_run")
    assert snapshot(path) == before
    con = duckdb.connect(str(path))
    with pytest.raises(duckdb.ConstraintException):
        con.execute(
            "update fact_number set comparator = 'roughly' where fact_id = 'ov-year-established'"
        )
    con.close()
    # and the ETL loads on the upgraded file as before
    assert load.load_corpus(path, validate_seeds(seeds_copy), "run-2", "fp").changes["changed"] == 0


def test_upgrade_refuses_rows_that_break_the_new_constraints(tmp_path, seeds_copy):
    path = tmp_path / "staging.duckdb"
    migrate.upgrade(path)
    load.load_corpus(path, validate_seeds(seeds_copy), "run-1", "fp")
    migrate.downgrade(path, "0001_initial")
    con = duckdb.connect(str(path))
    con.execute("update fact_number set value_type = 'guess' where fact_id = 'ov-year-established'")
    con.close()
    with pytest.raises(Exception, match="(?i)constraint"):
        migrate.upgrade(path)
    assert migrate.current_revision(path) == "0001_initial"  # the failed upgrade rolled back whole
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("select count(*) from fact_number").fetchone()[0] > 40
    con.close()
