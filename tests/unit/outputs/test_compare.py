"""The comparison behind `make spark-check`: it must find every kind of difference."""

import datetime as dt

from etl.build.publish import EXTRA_TABLES, PUBLIC_TABLES
from etl.outputs.compare import compare_table, neutral_type, primary_keys, values_equal
from etl.settings import PROJECT_DIR

ROWS = [
    {"id": "a", "value": 1.0, "day": dt.date(2021, 1, 1), "flag": True, "note": None},
    {"id": "b", "value": 21192000.0, "day": dt.date(2022, 6, 30), "flag": False, "note": "x"},
]
TYPES = {"id": "VARCHAR", "value": "DOUBLE", "day": "DATE", "flag": "BOOLEAN", "note": "VARCHAR"}
SPARK_TYPES = {
    "id": "string",
    "value": "double",
    "day": "date",
    "flag": "boolean",
    "note": "string",
}


def _copy(rows):
    return [dict(r) for r in rows]


def test_identical_tables_match_across_engine_type_names():
    result = compare_table("t", ROWS, _copy(ROWS), ["id"], TYPES, SPARK_TYPES)
    assert result.ok, result.problems


def test_row_order_does_not_matter():
    assert compare_table("t", ROWS, list(reversed(ROWS)), ["id"]).ok


def test_numbers_within_rounding_match_and_beyond_do_not():
    right = _copy(ROWS)
    right[1]["value"] = 21192000.0 * (1 + 1e-12)
    assert compare_table("t", ROWS, right, ["id"]).ok
    right[1]["value"] = 21192001.0
    result = compare_table("t", ROWS, right, ["id"])
    assert result.problems == [
        "column value: 1 row(s) differ, e.g. ('b',): 21192000.0 != 21192001.0"
    ]


def test_null_is_not_zero_or_empty():
    assert not values_equal(None, 0)
    assert not values_equal(None, "")
    assert values_equal(None, None)
    assert not values_equal(True, 1)
    assert not values_equal(dt.date(2021, 1, 1), dt.datetime(2021, 1, 1))


def test_missing_extra_and_duplicate_keys_are_reported():
    right = _copy(ROWS)
    right[1]["id"] = "c"
    right.append(dict(right[0]))
    problems = compare_table("t", ROWS, right, ["id"]).problems
    assert "row count 2 != 3" in problems
    assert "right: key ('a',) is not unique" in problems
    assert "1 key(s) only on the left, e.g. [('b',)]" in problems
    assert "1 key(s) only on the right, e.g. [('c',)]" in problems


def test_changed_text_date_and_flag_are_reported():
    right = _copy(ROWS)
    right[0].update(day=dt.date(2021, 1, 2), flag=False, note="")
    problems = compare_table("t", ROWS, right, ["id"]).problems
    assert [p.split(":")[0] for p in problems] == ["column day", "column flag", "column note"]


def test_columns_and_types_must_agree():
    right = [{k: v for k, v in r.items() if k != "note"} for r in ROWS]
    assert compare_table("t", ROWS, right, ["id"]).problems[0].startswith("columns differ")
    wrong = dict(SPARK_TYPES, value="int")
    assert compare_table("t", ROWS, _copy(ROWS), ["id"], TYPES, wrong).problems == [
        "column value: type DOUBLE != int"
    ]
    assert neutral_type("INTEGER") == neutral_type("int") != neutral_type("bigint")


def test_ignored_columns_are_not_compared():
    right = _copy(ROWS)
    right[0]["note"] = "built elsewhere"
    assert compare_table("t", ROWS, right, ["id"], ignore=["note"]).ok


def test_every_public_table_declares_a_primary_key():
    keys = primary_keys(PROJECT_DIR)
    assert keys["dim_place"] == ["place_id"]
    assert keys["fct_city_metric_year"] == ["city_metric_year_id"]
    missing = [t for t in PUBLIC_TABLES + EXTRA_TABLES if not keys.get(t)]
    assert missing == []
