"""Load a validated corpus into staging: one transaction, idempotent, revisions kept.

Reference data, sources, corrections and evidence are replaced: rows that are no longer
in the corpus are deleted and new or different ones inserted, unchanged rows untouched. Facts are
compared with what staging holds by content hash, set-based in SQL: a new fact is
added as revision 1, a changed fact gets the next revision and its earlier revision
stays in ``fact_revision``, a removed fact (one no source states any more) is marked
removed. Rows go in as bulk inserts from DataFrames (no row-by-row ORM inserts), so a
million facts load in seconds. Loading the same seeds twice changes no data row.

The facts are staged first (temporary tables), so that with ``consume`` Python's copy of them,
most of a large corpus's memory, is freed and handed back to the system before the rest loads.

The corpus of a refresh holds only the facts of changed files: the sources in
``corpus.carried`` were loaded under the same key before (``loaded_source``), so their
evidence and facts are left as they are, and only the other sources' are compared.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import sqlalchemy as sa

from etl.checks.corpus import Corpus
from etl.faults import pause_point
from etl.settings import package_version
from etl.staging import models as s

# Rows per DataFrame handed to DuckDB, and DuckDB's own memory cap while loading: at a
# million facts the validated rows already take ~2.3 GB of Python memory.
CHUNK_ROWS = 100_000
DEFAULT_MEMORY_LIMIT = "1GB"

REPLACED = [
    (s.Source, "sources"),
    (s.RefPlace, "places"),
    (s.RefFirm, "firms"),
    (s.RefMetric, "metrics"),
    (s.RefFxSeries, "fx_series"),
    (s.RefFxRate, "fx_rates"),
    (s.Correction, "corrections"),
    (s.FactEvidence, "evidence"),
]
FACT_TABLES = [
    (s.FactNumber, "numbers", "number"),
    (s.FactRelation, "relations", "relation"),
    (s.FactStatement, "statements", "statement"),
]
# What a loaded file's rows depend on besides its validation key: the code that loads them.
LOAD_CODE_KEY = hashlib.sha256(
    b"".join((Path(__file__).parent / n).read_bytes() for n in ("load.py", "models.py"))
).hexdigest()[:16]
# Only the evidence of sources whose facts are loaded again is compared; carried ones stay.
NOT_CARRIED = "source_id not in (select source_id from carried_sources)"
# A carried source's row comes without its article's text (etl/checks/validate.py reads only the
# articles of changed sources): null body and char_count mean staging's. Rows are compared
# without them: they are the text of the bytes whose sha256 the row holds (validation checks
# the bytes against it), so an equal sha256 means an equal text.
SOURCE_AS_STAGED = ("source_id", ["body", "char_count"])
DATA_TABLES = (
    [m.__tablename__ for m, _ in REPLACED]
    + [m.__tablename__ for m, _, _ in FACT_TABLES]
    + [s.FactRevision.__tablename__]
)


@dataclass
class LoadResult:
    run_id: str
    added: int
    changed: int
    removed: int
    unchanged: int
    row_counts: dict[str, int]

    @property
    def changes(self) -> dict[str, int]:
        return {
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "unchanged": self.unchanged,
        }


@contextlib.contextmanager
def _registered(conn: sa.Connection, name: str, frame: pd.DataFrame) -> Iterator[str]:
    """Make a DataFrame queryable as ``name`` inside the transaction; never mask the real error."""
    raw = conn.connection.dbapi_connection
    raw.register(name, frame)
    try:
        yield name
    finally:
        with contextlib.suppress(
            Exception
        ):  # an aborted transaction refuses this too; its cause matters
            raw.unregister(name)


def _frames(rows: list[dict[str, Any]], columns: list[str]) -> Iterator[pd.DataFrame]:
    """The rows as DataFrames of at most CHUNK_ROWS rows: memory stays bounded at any size."""
    for start in range(0, len(rows), CHUNK_ROWS):
        yield pd.DataFrame.from_records(rows[start : start + CHUNK_ROWS], columns=columns)


def _bulk_insert(
    conn: sa.Connection, table: str, columns: list[str], rows: list[dict[str, Any]]
) -> None:
    """Insert rows through registered DataFrames: one statement per CHUNK_ROWS rows."""
    cols = ", ".join(f'"{c}"' for c in columns)
    for frame in _frames(rows, columns):
        with _registered(conn, f"incoming_{table}", frame) as name:
            conn.exec_driver_sql(f'insert into "{table}" ({cols}) select {cols} from {name}')


def _stage_incoming(
    conn: sa.Connection, name: str, table: str, columns: list[str], rows: list[dict[str, Any]]
) -> None:
    """Put ``rows`` in a temp table ``name`` typed like ``table``'s ``columns``, in chunks
    (DuckDB spills a temp table beyond its memory limit; a registered DataFrame it cannot)."""
    cols = ", ".join(f'"{c}"' for c in columns)
    conn.exec_driver_sql(
        f'create or replace temp table {name} as select {cols} from "{table}" limit 0'
    )
    _bulk_insert(conn, name, columns, rows)


def _replace(
    conn: sa.Connection,
    table: str,
    columns: list[str],
    rows: list[dict[str, Any]],
    scope: str | None = None,
    as_staged: tuple[str, list[str]] | None = None,
) -> None:
    """Make ``table`` hold exactly ``rows`` (among its rows that match ``scope``, when given),
    touching only the rows that differ.

    ``as_staged``: a key column and the columns a row may leave null to mean "as staging
    holds them" (a carried source's text: its bytes have the sha256 its row states). Rows
    are compared without those columns: reading every article's text to compare it took
    0.3-0.4 s of the 1.8 s load of a refresh that adds 1 % of articles at 20,000.

    Rewriting a million unchanged evidence rows and every article's text made the commit
    of a refresh that adds 1 % of articles write the whole table again."""
    _stage_incoming(conn, "incoming_rows", table, columns, rows)
    cols = ", ".join(f'"{c}"' for c in columns)
    key, kept = as_staged or ("", [])
    flag = f'"{kept[0]}"' if kept else ""

    def same(i: str, t: str) -> str:  # every column equal (but kept ones), null equal to null
        return " and ".join(
            f'{i}."{c}" is not distinct from {t}."{c}"' for c in columns if c not in kept
        )

    if kept:
        # a row left without them that differs in another column is written again: with them
        conn.exec_driver_sql(f"""
            update incoming_rows as i set {", ".join(f'"{c}" = t."{c}"' for c in kept)}
            from "{table}" as t
            where i."{key}" = t."{key}" and i.{flag} is null and not ({same("i", "t")})""")
    conn.exec_driver_sql(f"""
        delete from "{table}" where ({scope or "true"}) and not exists
            (select 1 from incoming_rows i where {same("i", f'"{table}"')})""")
    conn.exec_driver_sql(f"""
        insert into "{table}" ({cols})
        select {cols} from incoming_rows i where not exists
            (select 1 from "{table}" t where {same("i", "t")})""")
    conn.exec_driver_sql("drop table incoming_rows")


def _fact_columns(model: type[s.Base]) -> list[str]:
    return [c.name for c in model.__table__.columns if c.name != "revision"]


def _incoming(kind: str) -> str:
    """The temp table that holds the incoming facts of one kind until they are compared."""
    return f"incoming_{kind}_facts"


def _give_back_memory() -> None:
    """Hand the memory of freed rows back to the system: glibc keeps freed blocks for the
    process otherwise, and DuckDB allocates its own. Without glibc, nothing."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _load_facts(
    conn: sa.Connection, model: type[s.Base], kind: str, run_id: str, result: LoadResult
) -> None:
    """Compare the incoming facts (staged in ``_incoming(kind)``) with staging by content hash
    and apply the difference, set-based.

    Runs after the evidence is replaced. The facts compared are the incoming ones and those no
    source states any more (removed); any other fact in staging is stated by a carried source
    and stays unchanged."""
    table = model.__table__
    columns = _fact_columns(model)
    t = f'"{table.name}"'
    conn.exec_driver_sql(f"alter table {_incoming(kind)} rename to incoming_facts")
    conn.exec_driver_sql(f"""
        create or replace temp table fact_changes as
        with compared as (
            select fact_id, content_hash from {t}
            where fact_id in (select fact_id from incoming_facts)
               or fact_id not in (select fact_id from fact_evidence)
        ),
        last as (
            select fact_id, max(revision) as revision from fact_revision
            where fact_id in (select fact_id from incoming_facts union all
                              select fact_id from compared)
            group by fact_id
        )
        select coalesce(i.fact_id, t.fact_id) as fact_id,
               case when t.fact_id is null then 'added'
                    when i.fact_id is null then 'removed'
                    when i.content_hash != t.content_hash then 'changed'
                    else 'unchanged' end as change,
               coalesce(last.revision, 0) + 1 as new_revision
        from incoming_facts i
        full outer join compared t on i.fact_id = t.fact_id
        left join last on last.fact_id = coalesce(i.fact_id, t.fact_id)
    """)
    counts = dict(
        conn.exec_driver_sql("select change, count(*) from fact_changes group by change").fetchall()
    )
    not_compared = conn.exec_driver_sql(
        f"select count(*) from {t} where fact_id not in (select fact_id from fact_changes)"
    ).scalar_one()
    result.added += counts.get("added", 0)
    result.changed += counts.get("changed", 0)
    result.removed += counts.get("removed", 0)
    result.unchanged += counts.get("unchanged", 0) + not_compared
    if counts.keys() - {"unchanged"}:
        cols = ", ".join(f'"{c}"' for c in columns)
        conn.exec_driver_sql(f"""
            delete from {t} where fact_id in
                (select fact_id from fact_changes where change in ('changed', 'removed'))""")
        conn.exec_driver_sql(
            """
            update fact_revision set superseded_run_id = ?
            where superseded_run_id is null
              and fact_id in (select fact_id from fact_changes where change != 'unchanged')""",
            (run_id,),
        )
        conn.exec_driver_sql(f"""
            insert into {t} ({cols}, revision)
            select {", ".join(f'i."{c}"' for c in columns)}, c.new_revision
            from incoming_facts i join fact_changes c using (fact_id)
            where c.change in ('added', 'changed')""")
        # the revision's content: the fact's row as JSON, written by DuckDB
        conn.exec_driver_sql(
            f"""
            insert into fact_revision (fact_id, revision, fact_kind, content_hash, content,
                                       loaded_run_id, superseded_run_id, change)
            select c.fact_id, c.new_revision, '{kind}', coalesce(i.content_hash, ''),
                   coalesce(cast(to_json(i) as varchar), '{{}}'), ?,
                   case when c.change = 'removed' then ? end, c.change
            from fact_changes c left join incoming_facts i using (fact_id)
            where c.change != 'unchanged'""",
            (run_id, run_id),
        )
    conn.exec_driver_sql("drop table if exists fact_changes")
    conn.exec_driver_sql("drop table if exists incoming_facts")


def load_key(file_key: str) -> str:
    """The key a facts file is loaded under: its validation key and the load code."""
    return hashlib.sha256(f"{file_key}|{LOAD_CODE_KEY}".encode()).hexdigest()


# The carried sources, given the staged sources that are not (the query's parameter).
CARRIED_SQL = (
    "select source_id from loaded_source where source_id not in (select unnest(?::text[]))"
)


STAGING_LOCK_WAIT = 15.0  # seconds: a killed refresh's child lets go of staging in well under


def wait_for_staging(staging_path: Path, on_wait=None, seconds: float = STAGING_LOCK_WAIT) -> None:
    """Wait, up to ``seconds``, while another process holds staging's lock: a refresh killed a
    moment ago whose child is still exiting. Another lock error, or one that lasts, is left
    for the caller's own open to report. ``on_wait()`` is called once, when it waits."""
    if not staging_path.exists():
        return
    deadline = time.monotonic() + seconds
    waited = False
    while True:
        try:
            duckdb.connect(str(staging_path), read_only=True).close()
            return
        except duckdb.IOException as exc:
            if "Could not set lock" not in str(exc) or time.monotonic() > deadline:
                return
            if not waited and on_wait is not None:
                on_wait()
            waited = True
            time.sleep(0.05)


class StagingPrior:
    """What staging already holds (``etl.checks.validate.Prior``), read through a read-only
    connection that ``close`` ends before the load opens staging for writing."""

    def __init__(self, staging_path: Path):
        self._con = duckdb.connect(str(staging_path), read_only=True)
        try:
            self._keys = dict(
                self._con.execute("select source_id, load_key from loaded_source").fetchall()
            )
        except duckdb.CatalogException:  # staging from before migration 0003: load everything
            self._keys = {}

    @classmethod
    def open(cls, staging_path: Path) -> StagingPrior | None:
        """The prior of an existing staging file; None when there is none to read."""
        return cls(staging_path) if staging_path.exists() else None

    def close(self) -> None:
        self._con.close()

    def is_loaded(self, source_id: str, file_key: str) -> bool:
        return self._keys.get(source_id) == load_key(file_key)

    def _not_carried(self, carried: set[str]) -> list[str]:
        """The staged sources not in ``carried`` (a subset of them): usually few, where
        ``carried`` is nearly all. Queries name the carried sources as
        ``loaded_source`` minus these (CARRIED_SQL): a list of 20,000 ids cost 0.4 s."""
        return sorted(self._keys.keys() - carried)

    def _rows(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        cur = self._con.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def facts(self, fact_ids: list[str], carried: set[str]) -> dict[str, dict[str, Any]]:
        if not fact_ids:
            return {}
        found: dict[str, dict[str, Any]] = {}
        for model, _, kind in FACT_TABLES:
            rows = self._rows(
                f"""
                with stated as (
                    select fact_id, min(struct_pack(file := facts_file, line := facts_line)) as first from fact_evidence
                    where fact_id in (select unnest(?::text[]))
                      and source_id in ({CARRIED_SQL})
                    group by fact_id
                )
                select f.* exclude (revision), '{kind}' as kind,
                       stated.first.file as facts_file, stated.first.line as facts_line
                from "{model.__tablename__}" f join stated using (fact_id)""",
                fact_ids,
                self._not_carried(carried),
            )
            found.update((r["fact_id"], r) for r in rows)
        return found

    def open_investments(self, carried: set[str]) -> list[dict[str, Any]]:
        # the relations first (few, or none), then where each is stated: grouping the
        # evidence of every carried source took 0.6 s at a million facts
        return self._rows(
            f"""
            with evidence as (
                select fact_id, facts_file, facts_line from fact_evidence
                where source_id in ({CARRIED_SQL})
            ),
            open as (
                select fact_id, investment_fact_id, firm_id from fact_relation
                where investment_fact_id is not null
                  and fact_id in (select fact_id from evidence)
                  and investment_fact_id not in (select fact_id from evidence)
            ),
            stated as (
                select fact_id, min(struct_pack(file := facts_file, line := facts_line)) as first
                from evidence where fact_id in (select fact_id from open) group by fact_id
            )
            select open.fact_id, open.investment_fact_id, open.firm_id,
                   stated.first.file as facts_file, stated.first.line as facts_line
            from open join stated using (fact_id)""",
            self._not_carried(carried),
        )


def row_counts(conn: sa.Connection) -> dict[str, int]:
    return {
        name: conn.execute(sa.text(f'select count(*) from "{name}"')).scalar_one()
        for name in DATA_TABLES
    }


def load_corpus(
    staging_path: Path,
    corpus: Corpus,
    run_id: str,
    fingerprint: str,
    memory_limit: str | None = DEFAULT_MEMORY_LIMIT,
    consume: bool = False,
) -> LoadResult:
    """Load everything in one transaction; on any error nothing is changed.

    With ``consume``, each of the corpus's lists is emptied once its rows are in DuckDB, so
    Python's copy of a million validated rows is freed while DuckDB's grows (the refresh
    does not use the corpus after loading it).
    """

    def taken(attr: str) -> list[dict[str, Any]]:
        rows = getattr(corpus, attr)
        if consume:
            setattr(corpus, attr, [])
        return rows

    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    result = LoadResult(run_id, 0, 0, 0, 0, {})
    engine = s.engine_for(staging_path, memory_limit=memory_limit)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("create or replace temp table carried_sources (source_id text)")
            _bulk_insert(
                conn, "carried_sources", ["source_id"], [{"source_id": c} for c in corpus.carried]
            )
            # The facts go into DuckDB first, while it holds little: with consume, Python's
            # copy of them (most of the corpus) is then freed before the rest is loaded.
            for model, attr, kind in FACT_TABLES:
                rows = taken(attr)
                _stage_incoming(
                    conn, _incoming(kind), model.__tablename__, _fact_columns(model), rows
                )
                del rows
            if consume:
                _give_back_memory()
            for model, attr in REPLACED:
                columns = [c.name for c in model.__table__.columns]
                rows = taken(attr)
                scope = NOT_CARRIED if model is s.FactEvidence else None
                as_staged = SOURCE_AS_STAGED if model is s.Source else None
                _replace(conn, model.__tablename__, columns, rows, scope, as_staged)
                del rows
            if consume:  # the evidence, the next biggest, is freed too
                _give_back_memory()
            for model, _, kind in FACT_TABLES:
                _load_facts(conn, model, kind, run_id, result)
            # carried sources keep their row (and the run that loaded them); the others' are new
            conn.exec_driver_sql(f"delete from loaded_source where {NOT_CARRIED}")
            _bulk_insert(
                conn,
                s.LoadedSource.__tablename__,
                ["source_id", "facts_file", "load_key", "loaded_run_id"],
                [
                    {
                        "source_id": sid,
                        "facts_file": name,
                        "load_key": load_key(key),
                        "loaded_run_id": run_id,
                    }
                    for sid, (name, key) in sorted(corpus.file_keys.items())
                    if sid not in corpus.carried
                ],
            )
            conn.exec_driver_sql("drop table carried_sources")
            result.row_counts = row_counts(conn)
            conn.execute(
                s.EtlRun.__table__.insert().values(
                    run_id=run_id,
                    started_at=started,
                    finished_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    status="loaded",
                    stage="load",
                    error=None,
                    fingerprint=fingerprint,
                    row_counts=json.dumps(result.row_counts, sort_keys=True),
                    changes=json.dumps(result.changes, sort_keys=True),
                    package_version=package_version(),
                )
            )
            pause_point("load-transaction", staging_path.parent)
    finally:
        engine.dispose()
    return result
