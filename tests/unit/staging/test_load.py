"""Loading staging: idempotent, one transaction, revisions kept (real DuckDB files)."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import pytest

from etl.checks.validate import validate_seeds
from etl.staging import load, migrate
from tests.helpers import edit, table_rows


@pytest.fixture
def staging(tmp_path):
    path = tmp_path / "staging.duckdb"
    migrate.upgrade(path)
    return path


def test_second_load_changes_nothing(staging, seeds_copy):
    corpus = validate_seeds(seeds_copy)
    facts = len(corpus.numbers) + len(corpus.relations) + len(corpus.statements)
    first = load.load_corpus(staging, corpus, "run-1", "fp")
    assert first.changes == {"added": facts, "changed": 0, "removed": 0, "unchanged": 0}
    before = {t: table_rows(staging, t) for t in load.DATA_TABLES}
    second = load.load_corpus(staging, validate_seeds(seeds_copy), "run-2", "fp")
    assert second.changes == {"added": 0, "changed": 0, "removed": 0, "unchanged": facts}
    assert {t: table_rows(staging, t) for t in load.DATA_TABLES} == before
    runs = table_rows(staging, "etl_run")
    assert [r[0] for r in runs] == ["run-1", "run-2"]
    assert json.loads(runs[1][7])["fact_number"] == len(corpus.numbers)  # row counts recorded


def test_changed_fact_keeps_earlier_revision(staging, seeds_copy):
    load.load_corpus(staging, validate_seeds(seeds_copy), "run-1", "fp")
    edit(
        seeds_copy,
        "facts/inland-innovation-2022.yml",
        "    notes: Data from Qichacha",
        "    notes: Registration data from Qichacha",
    )
    result = load.load_corpus(staging, validate_seeds(seeds_copy), "run-2", "fp2")
    assert result.changes["changed"] == 1
    con = duckdb.connect(str(staging), read_only=True)
    revs = con.execute(
        "select revision, change, loaded_run_id, superseded_run_id, content from fact_revision "
        "where fact_id = 'shenyang-robotics-registrations-past-two-years' order by revision"
    ).fetchall()
    current = con.execute(
        "select revision, notes from fact_number where fact_id = 'shenyang-robotics-registrations-past-two-years'"
    ).fetchone()
    con.close()
    assert [(r[0], r[1], r[2], r[3]) for r in revs] == [
        (1, "added", "run-1", "run-2"),
        (2, "changed", "run-2", None),
    ]
    assert "Data from Qichacha" in json.loads(revs[0][4])["notes"]
    assert current == (
        2,
        "Registration data from Qichacha, a data bank that tracks business registration information.",
    )


def test_removed_fact_is_marked_and_can_come_back(staging, seeds_copy):
    load.load_corpus(staging, validate_seeds(seeds_copy), "run-1", "fp")
    path = seeds_copy / "facts" / "rising-tech-hubs-2017.yml"
    original = path.read_text()
    block_start = original.index("  - id: shanghai-new-company-growth-2014h2")
    block_end = original.index("relations:")
    path.write_text(original[:block_start] + original[block_end:])
    assert (
        load.load_corpus(staging, validate_seeds(seeds_copy), "run-2", "fp").changes["removed"] == 1
    )
    path.write_text(original)
    assert (
        load.load_corpus(staging, validate_seeds(seeds_copy), "run-3", "fp").changes["added"] == 1
    )
    changes = [
        r[0]
        for r in duckdb.connect(str(staging), read_only=True)
        .execute(
            "select change from fact_revision where fact_id = 'shanghai-new-company-growth-2014h2' order by revision"
        )
        .fetchall()
    ]
    assert changes == ["added", "removed", "added"]


def test_failed_load_changes_nothing(staging, seeds_copy):
    corpus = validate_seeds(seeds_copy)
    load.load_corpus(staging, corpus, "run-1", "fp")
    before = {t: table_rows(staging, t) for t in load.DATA_TABLES + ["etl_run"]}
    # the same primary key twice with different content: the insert fails mid-load
    corpus.evidence.append({**corpus.evidence[0], "quote": corpus.evidence[0]["quote"] + " again"})
    corpus.numbers[0] = {**corpus.numbers[0], "content_hash": "changed"}
    with pytest.raises(Exception, match="(?i)constraint|duplicate"):
        load.load_corpus(staging, corpus, "run-2", "fp")
    assert {t: table_rows(staging, t) for t in load.DATA_TABLES + ["etl_run"]} == before


def test_chunked_consuming_load_equals_a_plain_one(tmp_path, seeds_copy, monkeypatch):
    """The refresh loads in chunks and frees the corpus as it goes: the staging data is the same."""
    plain, chunked = tmp_path / "plain.duckdb", tmp_path / "chunked.duckdb"
    migrate.upgrade(plain)
    migrate.upgrade(chunked)
    corpus = validate_seeds(seeds_copy)
    load.load_corpus(plain, corpus, "run-1", "fp")
    assert len(corpus.numbers) == 44  # not consumed by default
    monkeypatch.setattr(load, "CHUNK_ROWS", 7)  # 44 numbers, 73 evidence rows: many chunks
    load.load_corpus(chunked, corpus, "run-1", "fp", consume=True)
    assert corpus.numbers == [] and corpus.evidence == [] and corpus.sources == []
    for table in load.DATA_TABLES:
        assert table_rows(chunked, table) == table_rows(plain, table), table


def test_memory_limit_reaches_duckdb(tmp_path):
    from sqlalchemy import text

    from etl.staging.models import engine_for

    engine = engine_for(tmp_path / "staging.duckdb", memory_limit="64MB")
    try:
        with engine.connect() as conn:
            limit = conn.execute(text("select current_setting('memory_limit')")).scalar_one()
    finally:
        engine.dispose()
    assert limit == "61.0 MiB"  # 64 MB as DuckDB reports it


def test_replaced_tables_end_up_equal_to_the_corpus(staging, seeds_copy):
    """Evidence is replaced by its difference: a dropped row goes, a changed one is replaced,
    the rest stay; the table then holds exactly the corpus's rows."""
    load.load_corpus(staging, validate_seeds(seeds_copy), "run-1", "fp")
    corpus = validate_seeds(seeds_copy)
    corpus.evidence.pop()
    corpus.evidence[0] = {**corpus.evidence[0], "facts_line": 999}
    columns = [c.name for c in load.s.FactEvidence.__table__.columns]
    expected = sorted(tuple(row[c] for c in columns) for row in corpus.evidence)
    load.load_corpus(staging, corpus, "run-2", "fp")
    assert table_rows(staging, "fact_evidence") == expected
    assert len(expected) == 72 and any(r[columns.index("facts_line")] == 999 for r in expected)


def test_facts_are_in_duckdb_and_freed_before_the_rest_loads(staging, seeds_copy, monkeypatch):
    """With consume, the facts (most of a corpus's memory) go first, so Python's copy of them is
    gone before the evidence, sources and reference data are loaded beside it."""
    corpus = validate_seeds(seeds_copy)
    seen = []
    replace = load._replace

    def recording(conn, table, *args, **kwargs):
        seen.append((table, len(corpus.numbers), len(corpus.relations)))
        return replace(conn, table, *args, **kwargs)

    monkeypatch.setattr(load, "_replace", recording)
    result = load.load_corpus(staging, corpus, "run-1", "fp", consume=True)
    assert seen and all(numbers == relations == 0 for _, numbers, relations in seen), seen
    facts = sum(
        len(table_rows(staging, t)) for t in ("fact_number", "fact_relation", "fact_statement")
    )
    assert result.added == facts


GIVE_BACK = """
from etl.staging.load import _give_back_memory

def rss():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) // 1024 for line in f if line.startswith("VmRSS"))

rows = [{f"column_{k}": f"value {i} {k}" for k in range(28)} for i in range(100_000)]
pin = [{"a": i} for i in range(1000)]  # allocated after the rows: the heap's top stays in use
del rows
before = rss()
_give_back_memory()
print(before - rss())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_rows_memory_goes_back_to_the_system():
    """Freed rows' dicts stay in glibc's free lists (counted in the process's memory) until
    they are handed back; the load does that once the facts are in DuckDB."""
    out = subprocess.run(
        [sys.executable, "-c", GIVE_BACK], capture_output=True, text=True, check=True
    ).stdout
    assert int(out) >= 30, f"only {out.strip()} MB went back"
