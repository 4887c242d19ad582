"""How a recording of dbt's statements is put in an order one connection can replay."""

from __future__ import annotations

import json

import duckdb

from etl.build.replay import _hide, _rows_written, _show, _Statement, _units, catalog_signature


def statements(*rows: tuple[int, str | None, str]) -> list[_Statement]:
    return [_Statement(i, cursor, node, sql) for i, (cursor, node, sql) in enumerate(rows)]


def test_each_nodes_statements_run_together_in_the_order_the_nodes_began():
    recorded = statements(
        (1, "model.a", "BEGIN"),
        (2, "model.b", "BEGIN"),
        (1, "model.a", "create table a"),
        (2, "model.b", "create table b"),
        (2, "model.b", "COMMIT"),
        (1, "model.a", "COMMIT"),
        (2, "test.t", "BEGIN"),
        (2, "test.t", "select failures"),
        (2, "test.t", "ROLLBACK"),
    )
    units = _units(recorded, {})
    assert [(node, [s.sql for s in stmts]) for node, stmts in units] == [
        ("model.a", ["BEGIN", "create table a", "COMMIT"]),
        ("model.b", ["BEGIN", "create table b", "COMMIT"]),
        ("test.t", ["BEGIN", "select failures", "ROLLBACK"]),
    ]


def test_statements_of_no_node_keep_their_transaction_together():
    recorded = statements(
        (1, None, "BEGIN"),
        (2, None, "BEGIN"),
        (1, None, "select schemas"),
        (2, None, "create schema x"),
        (1, None, "ROLLBACK"),
        (2, None, "COMMIT"),
        (3, None, "ROLLBACK"),  # dbt's rollback of a connection with nothing open
        (3, None, "set global threshold"),
    )
    units = _units(recorded, {})
    assert [[s.sql for s in stmts] for _, stmts in units] == [
        ["BEGIN", "select schemas", "ROLLBACK"],
        ["BEGIN", "create schema x", "COMMIT"],
        ["set global threshold"],
    ]


def test_a_nodes_rollback_of_nothing_is_left_out():
    units = _units(statements((1, "model.a", "select 1"), (1, "model.a", "ROLLBACK")), {})
    assert [s.sql for s in units[0][1]] == ["select 1"]


def test_a_count_of_rows_written_is_not_compared_but_a_select_is():
    count = json.dumps([["Count", "BIGINT"]])
    written = _Statement(0, 1, "m", '/* {"app": "dbt"} */\n create temporary table t as (x)')
    written.description = count
    assert _rows_written(written)
    chosen = _Statement(1, 1, "m", 'select count(*) as "Count" from t')
    chosen.description = count
    assert not _rows_written(chosen)
    described = _Statement(2, 1, "m", "describe t")
    described.description = json.dumps([["column_name", "VARCHAR"]])
    assert not _rows_written(described)


def test_the_runs_own_values_are_put_back_where_the_recording_had_its_own():
    recorded = {"run_id": "r1", "fingerprint": "f1", "build_path": "/b1", "staging_path": "/s1"}
    now = {"run_id": "r2", "fingerprint": "f2", "build_path": "/b2", "staging_path": "/s2"}
    sql = "select 'r1' as build_id, 'f1' as input_fingerprint"
    hidden = _hide(sql, recorded)
    assert "r1" not in hidden and "f1" not in hidden
    assert _show(hidden, now) == "select 'r2' as build_id, 'f2' as input_fingerprint"


def test_the_catalog_signature_sees_ddl_not_data(tmp_path):
    con = duckdb.connect(str(tmp_path / "a.duckdb"))
    con.execute("create table t (id text primary key, v int)")
    before = catalog_signature(con)
    con.execute("insert into t values ('a', 1)")
    assert catalog_signature(con) == before
    con.execute("create index t_v on t (v)")
    assert catalog_signature(con) != before
    con.close()
