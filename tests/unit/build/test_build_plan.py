"""How a refresh decides between an incremental and a full build, on real DuckDB files."""

from __future__ import annotations

import duckdb
import pytest

from etl.build.dbt import _plan_incremental
from etl.settings import Settings


def test_a_copy_that_is_mostly_free_blocks_is_not_updated_in_place(tmp_path):
    built = tmp_path / "tech_hubs.duckdb"
    con = duckdb.connect(str(built))
    con.execute("create table kept as select range as n from range(100000)")
    con.execute("create table gone as select range as n, md5(range::text) as h from range(1000000)")
    con.execute("checkpoint")
    con.execute("drop table gone")
    con.execute("checkpoint")
    free, total = con.execute(
        "select free_blocks, total_blocks from pragma_database_size() "
        "where database_name = current_database()"
    ).fetchone()
    con.close()
    assert free / total > 0.5
    plan = _plan_incremental(built, tmp_path / "staging.duckdb", 0.10, 0.30)
    assert plan.mode == "full"
    assert "free blocks" in plan.reason and "more than 30%" in plan.reason


def test_the_free_share_is_a_setting(monkeypatch):
    assert Settings().incremental_max_free_share == 0.40
    monkeypatch.setenv("TECHHUBS_INCREMENTAL_MAX_FREE_SHARE", "0.5")
    assert Settings.from_env().incremental_max_free_share == 0.5


def test_the_warmup_says_when_its_copy_is_made_or_failed(tmp_path):
    """prepare() plans the build once the warmup's copy is made, while dbt may still parse; a
    copy that fails must not leave it waiting."""
    from etl.build.dbt import DbtWarmup, build_path_for, dbt_env

    for exists in (True, False):
        wh = tmp_path / f"wh-{exists}"
        settings = Settings(warehouse_dir=wh)
        wh.mkdir()
        if exists:
            settings.published_path.write_bytes(b"published")
        built = build_path_for(settings, "run")
        env = dbt_env(settings, built, "run", "fp", "incremental")
        warmup = DbtWarmup(settings, built, env, copy=True)
        assert warmup._copy_done.wait(timeout=120), "the warmup never said its copy was done"
        warmup.wait_for_copy()
        assert warmup.copied is exists
        assert built.exists() is exists
        if exists:
            assert built.read_bytes() == b"published"
        assert warmup.wait().manifest is not None  # the parse goes on, and succeeds


def test_a_warmup_cancelled_before_its_parse_does_not_parse(tmp_path):
    """A refresh that fails (invalid seeds) cancels the warmup, then waits for it: the copy
    is made (and removed with the build folder), but dbt does not parse the project."""
    from etl.build.dbt import DbtWarmup, build_path_for, dbt_env

    class CancelledAtOnce(DbtWarmup):  # cancelled before the thread reaches the parse
        def _run(self) -> None:
            self.cancel()
            super()._run()

    settings = Settings(warehouse_dir=tmp_path / "wh")
    settings.warehouse_dir.mkdir()
    settings.published_path.write_bytes(b"published")
    built = build_path_for(settings, "run")
    env = dbt_env(settings, built, "run", "fp", "incremental")
    warmup = CancelledAtOnce(settings, built, env, copy=True).wait()
    assert warmup.copied and built.read_bytes() == b"published"
    assert warmup.manifest is None
    assert not (settings.dbt_log_dir / "dbt.log").exists()  # dbt never ran


def test_marts_changed_by_dml_and_comments_commit_side_by_side(tmp_path):
    """Why an incremental build lets its marts run without dbt-duckdb's foreign key lock
    (etl/build/dbt.py, _marts_side_by_side): the statements of macros/incremental.sql, in two
    transactions at once on tables linked by foreign keys, both commit. Creating a linked
    table beside them is what the lock is for."""
    con = duckdb.connect(str(tmp_path / "tech_hubs.duckdb"))
    con.execute("create table dim (id int primary key, x int)")
    con.execute("create table obs (id int primary key, dim_id int references dim (id), v int)")
    con.execute("create table per_year (id int primary key, dim_id int references dim (id), v int)")
    con.execute("create table conflicts (id int primary key, obs_id int references obs (id))")
    con.execute("insert into dim select range, 0 from range(10)")
    con.execute("insert into obs select range, range % 10, 0 from range(100)")
    con.execute("insert into per_year select range, range % 10, 0 from range(100)")
    con.execute("insert into conflicts select range, range from range(50)")
    one, two = con.cursor(), con.cursor()
    one.execute("begin")
    two.execute("begin")
    one.execute("delete from conflicts where id < 5")
    one.execute("update obs set v = v + 1 where id >= 50")
    one.execute("insert into obs values (1000, 3, 1)")
    one.execute("comment on column obs.v is 'the value'")
    two.execute("delete from per_year where id = 99")
    two.execute("update per_year set v = 2 where id < 10")
    two.execute("insert into per_year values (1000, 4, 1)")
    two.execute("comment on table per_year is 'by year'")
    one.execute("commit")
    two.execute("commit")
    assert con.execute("select count(*) from obs where v = 1").fetchone() == (51,)
    assert con.execute("select count(*) from per_year where v = 2").fetchone() == (10,)
    assert con.execute("select count(*) from conflicts").fetchone() == (45,)
    # the case the lock is for: a new table with a foreign key alters the table it references
    one.execute("begin")
    two.execute("begin")
    one.execute("create table more (id int primary key, dim_id int references dim (id))")
    with pytest.raises(duckdb.TransactionException, match="write-write conflict"):
        two.execute("create table other (id int primary key, dim_id int references dim (id))")
    con.close()
