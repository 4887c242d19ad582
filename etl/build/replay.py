"""Run dbt's statements of an earlier build again, without dbt: a small refresh in seconds.

dbt's own cost is fixed and large beside a small refresh: importing it, parsing the project and
rendering each node's materialization took 5-8 s of a refresh that adds one article, on
2 cores, whatever the corpus. Yet what dbt sends to DuckDB is a function of what it reads:
the project (models, macros, tests, profiles, dbt's and DuckDB's versions), the build mode,
the run's settings, and what it asks DuckDB as it goes (the tables that exist, their columns
and constraints; a data test's result). So a build records every statement dbt-duckdb
executes, in order, with every result dbt fetched (``Recorder``), and a later build that
would read the same replays them (``replay``):

- the same key: the transform key (models, macros, dbt_project.yml, profiles.yml, how dbt is
  run, dbt's, dbt-duckdb's and DuckDB's versions), the data tests (tests/dbt), the build mode,
  the package and storage versions, and this module's code;
- the same catalog before the first statement: every table, view and index of the build
  file and of staging, with its DDL (a full build starts from an empty file; an incremental
  one from a copy of the published file);
- every result dbt fetched (columns, schemas, constraints) equal to the recorded one, as the
  replay reaches it: dbt decided what to run next from those.

The run's id and fingerprint (and the build's and staging's paths) are put back where the
recording had its own. Data tests are evaluated as dbt does (a failing test of severity error
fails the build; one that warns does not). Unit tests are not run again: their inputs are
inline fixtures, and their outcome is fixed by the key (they passed in the recorded build).

Anything else, a replay that cannot go on (a result that differs, an error, a failing test),
and the refresh builds the file again with dbt, as before (etl/build/refresh.py), which
reports the error in its own words, and records its statements anew. Nothing here decides
whether a build is full or incremental, or what it rebuilds: prepare() does, as for dbt.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from etl.build.fingerprint import _file_digests, _files, transform_key
from etl.settings import Settings, package_version, save_cache

PLAN_VERSION = 1
CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
# the run's own values in the statements, replaced by placeholders in a recording
RUN_VALUES = ("run_id", "fingerprint", "build_path", "staging_path")
TEST_COLUMNS = ["failures", "should_warn", "should_error"]
KEEP_PLANS = 4  # per build mode: the catalog of the file an incremental build starts from may vary


class ReplayStopped(Exception):
    """The replay cannot go on: dbt builds the file instead. ``touched``: the build file may
    have been changed (it is then made again)."""

    def __init__(self, reason: str, touched: bool = True):
        self.reason, self.touched = reason, touched
        super().__init__(reason)


def enabled() -> bool:
    """TECHHUBS_DBT_REPLAY=0 has dbt build every time (``refresh --full`` does too)."""
    return os.environ.get("TECHHUBS_DBT_REPLAY", "1") != "0"


def static_key(settings: Settings, mode: str, transform: str | None = None) -> str:
    """Everything a recording depends on but the catalog (see the module's docstring);
    ``transform``: the transform key, when it is known."""
    tests = settings.project_dir / "tests" / "dbt"
    _, tests_digest = _file_digests(_files(tests, "tests/dbt/") if tests.exists() else [], None)
    return hashlib.sha256(
        "\0".join(
            (
                str(PLAN_VERSION),
                CODE,
                transform or transform_key(settings),
                tests_digest,
                mode,
                package_version(),
                settings.storage_version,
            )
        ).encode()
    ).hexdigest()


def plans_dir(settings: Settings) -> Path:
    return settings.warehouse_dir / ".dbt" / "replay"


def _plan_path(settings: Settings, mode: str, key: str, catalog: str) -> Path:
    return plans_dir(settings) / f"{mode}-{key[:16]}-{catalog[:16]}.json"


def has_plan(settings: Settings, mode: str, transform: str | None = None) -> bool:
    """Whether a recording of this key exists (for some catalog): then the refresh need not
    import dbt and parse the project while staging loads."""
    key = static_key(settings, mode, transform)
    return any(plans_dir(settings).glob(f"{mode}-{key[:16]}-*.json"))


def catalog_signature(con: Any) -> str:
    """The DDL of every table, view and index the connection sees (the build file, staging)."""
    rows = con.execute(
        "select database_name, schema_name, table_name, sql from duckdb_tables() "
        "where not internal union all "
        "select database_name, schema_name, view_name, sql from duckdb_views() "
        "where not internal union all "
        "select database_name, schema_name, index_name, sql from duckdb_indexes() "
        "order by all"
    ).fetchall()
    return hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()


def _connect(settings: Settings, built: Path) -> Any:
    """The build file as dbt-duckdb opens it (profiles.yml): its storage version, staging
    attached read-only."""
    import duckdb

    con = duckdb.connect(
        str(built), config={"storage_compatibility_version": settings.storage_version}
    )
    quoted = str(settings.staging_path).replace("'", "''")
    con.execute(f"attach '{quoted}' as staging_db (read_only)")
    return con


def build_catalog(settings: Settings, built: Path) -> str:
    con = _connect(settings, built)
    try:
        return catalog_signature(con)
    finally:
        con.close()


def run_values(settings: Settings, built: Path, run_id: str, fingerprint: str) -> dict[str, str]:
    return {
        "run_id": run_id,
        "fingerprint": fingerprint,
        "build_path": str(built),
        "staging_path": str(settings.staging_path),
    }


def _placeholder(name: str) -> str:
    return f"\0techhubs:{name}\0"


def _hide(text: str, values: dict[str, str]) -> str:
    for name in RUN_VALUES:
        text = text.replace(values[name], _placeholder(name))
    return text


def _show(text: str, values: dict[str, str]) -> str:
    for name in RUN_VALUES:
        text = text.replace(_placeholder(name), values[name])
    return text


def _rows_json(rows: Any) -> str:
    """A result as text, its rows in a fixed order: a query without ORDER BY (dbt-duckdb's
    of a table's foreign key columns, with DISTINCT) gives them in any order, and dbt can
    depend on no order it was not promised."""
    return json.dumps(sorted(json.dumps(list(r), default=str) for r in rows))


def _description_json(description: Any) -> str | None:
    if description is None:
        return None
    return json.dumps([[d[0], str(d[1])] for d in description])


@dataclass
class _Statement:
    seq: int
    cursor: int
    node: str | None
    sql: str
    rows: list | None = None  # what dbt fetched
    description: str | None = None  # the columns, when dbt read them


@dataclass
class Recorder:
    """Records the statements of one dbt build (``installed`` around it, ``callback`` given
    to dbtRunner), then ``save`` writes them as a plan for ``replay``."""

    statements: list[_Statement] = field(default_factory=list)
    unsupported: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _local: threading.local = field(default_factory=threading.local)
    _ids: Iterator[int] = field(default_factory=itertools.count)
    _last: dict[int, _Statement] = field(default_factory=dict)

    def callback(self, event: Any) -> None:
        """dbt's events, in the thread that runs the node: which node a statement is of."""
        name = event.info.name
        if name == "NodeStart":
            self._local.node = event.data.node_info.unique_id
        elif name == "NodeFinished":
            self._local.node = None

    def _cursor_id(self, wrapper: Any) -> int:
        if "_techhubs_id" not in wrapper.__dict__:
            wrapper.__dict__["_techhubs_id"] = next(self._ids)
        return wrapper.__dict__["_techhubs_id"]

    def _add(self, wrapper: Any, sql: str) -> None:
        cursor = self._cursor_id(wrapper)
        with self._lock:
            stmt = _Statement(len(self.statements), cursor, getattr(self._local, "node", None), sql)
            self.statements.append(stmt)
            self._last[cursor] = stmt

    def _fetched(self, wrapper: Any, rows: Any) -> None:
        stmt = self._last.get(self._cursor_id(wrapper))
        if stmt is not None:
            stmt.rows = (stmt.rows or []) + [list(r) for r in rows]

    def _described(self, wrapper: Any, description: Any) -> None:
        stmt = self._last.get(self._cursor_id(wrapper))
        if stmt is not None:
            stmt.description = _description_json(description)

    @contextlib.contextmanager
    def installed(self) -> Iterator[Recorder]:
        """Wrap dbt-duckdb's cursor: every statement it executes, every fetch and rollback."""
        from dbt.adapters.duckdb.environments.local import DuckDBCursorWrapper as W

        recorder, execute = self, W.execute

        def rec_execute(wrapper, sql, bindings=None):
            if bindings is not None:
                recorder.unsupported = "a statement with bindings"
            recorder._add(wrapper, sql)
            return execute(wrapper, sql, bindings)

        def fetchall(wrapper):
            rows = wrapper._cursor.fetchall()
            recorder._fetched(wrapper, rows)
            return rows

        def fetchmany(wrapper, size=1):
            rows = wrapper._cursor.fetchmany(size)
            recorder._fetched(wrapper, rows)
            return rows

        def fetchone(wrapper):
            row = wrapper._cursor.fetchone()
            recorder._fetched(wrapper, [] if row is None else [row])
            return row

        def description(wrapper):
            value = wrapper._cursor.description
            recorder._described(wrapper, value)
            return value

        def rollback(wrapper):
            recorder._add(wrapper, "ROLLBACK")
            return wrapper._cursor.rollback()

        added = {
            "fetchall": fetchall,
            "fetchmany": fetchmany,
            "fetchone": fetchone,
            "description": property(description),
            "rollback": rollback,
        }
        W.execute = rec_execute
        for name, value in added.items():
            setattr(W, name, value)
        try:
            yield self
        finally:
            W.execute = execute
            for name in added:
                delattr(W, name)

    def save(
        self,
        settings: Settings,
        mode: str,
        catalog: str,
        nodes: dict[str, tuple[str, str, str]],
        values: dict[str, str],
    ) -> Path | None:
        """Write the recording as a plan; ``nodes``: unique id -> (kind, name, severity) of
        every node dbt ran (it succeeded). None when it cannot be replayed."""
        if self.unsupported or not self.statements:
            return None
        units = _units(self.statements, nodes)
        key = static_key(settings, mode)
        plan = {
            "version": PLAN_VERSION,
            "key": key,
            "catalog": catalog,
            "mode": mode,
            "run_id": values["run_id"],
            "counts": {
                kind: sum(1 for k, _, _ in nodes.values() if k == kind)
                for kind in ("model", "test", "unit_test")
            },
            "units": [
                {
                    "node": node,
                    "kind": nodes.get(node, ("setup", "", ""))[0] if node else "setup",
                    "name": nodes.get(node, ("", node or "", ""))[1] if node else "",
                    "severity": nodes.get(node, ("", "", "ERROR"))[2] if node else "",
                    "statements": [
                        [
                            _hide(s.sql, values),
                            None
                            if s.rows is None or _rows_written(s)
                            else _hide(_rows_json(s.rows), values),
                            None if _rows_written(s) else s.description,
                        ]
                        for s in stmts
                    ],
                }
                for node, stmts in units
                if not node or nodes.get(node, ("",))[0] != "unit_test"
            ],
        }
        path = _plan_path(settings, mode, key, catalog)
        save_cache(path, json.dumps(plan).encode())
        older = sorted(plans_dir(settings).glob(f"{mode}-*.json"), key=lambda p: p.stat().st_mtime)
        for old in older[:-KEEP_PLANS]:
            old.unlink(missing_ok=True)
        return path


_WRITES = ("create", "insert", "update", "delete", "merge", "copy", "alter", "drop", "comment")


def _rows_written(s: _Statement) -> bool:
    """Whether the result is DuckDB's count of the rows a statement wrote: it varies with the
    data, and dbt only logs it (a SELECT's result is compared, whatever its columns)."""
    if s.description is None or [c for c, _ in json.loads(s.description)] not in (
        ["Count"],
        ["Success"],
    ):
        return False
    text = s.sql
    while text.lstrip().startswith("/*") and "*/" in text:
        text = text.split("*/", 1)[1]
    return text.lstrip().split(None, 1)[0].lower() in _WRITES if text.strip() else False


def _units(
    statements: list[_Statement], nodes: dict[str, tuple[str, str, str]]
) -> list[tuple[str | None, list[_Statement]]]:
    """The statements in an order one connection can run them: each node's together, in the
    order the nodes began (a node begins after the nodes it depends on ended); a statement of
    no node alone, or with the rest of its transaction on its cursor."""
    units: list[tuple[str | None, list[_Statement]]] = []
    of_node: dict[tuple[int, str], list[_Statement]] = {}
    open_txn: dict[int, list[_Statement]] = {}
    for s in statements:
        if s.node is not None:
            key = (s.cursor, s.node)
            if key not in of_node:
                of_node[key] = []
                units.append((s.node, of_node[key]))
            of_node[key].append(s)
            continue
        word = s.sql.strip().upper()
        if s.cursor in open_txn:
            open_txn[s.cursor].append(s)
            if word in ("COMMIT", "ROLLBACK"):
                del open_txn[s.cursor]
            continue
        if word == "ROLLBACK":
            continue  # nothing open on this cursor: dbt's rollback of nothing
        unit: list[_Statement] = [s]
        units.append((None, unit))
        if word == "BEGIN":
            open_txn[s.cursor] = unit
    # a node's ROLLBACK outside a transaction of its own is dropped the same way
    out = []
    for node, stmts in units:
        kept, in_txn = [], False
        for s in stmts:
            word = s.sql.strip().upper()
            if word == "ROLLBACK" and not in_txn:
                continue
            in_txn = (in_txn or word == "BEGIN") and word not in ("COMMIT", "ROLLBACK")
            kept.append(s)
        out.append((node, kept))
    return out


def load_plan(settings: Settings, mode: str, catalog: str) -> dict | None:
    key = static_key(settings, mode)
    try:
        plan = json.loads(_plan_path(settings, mode, key, catalog).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (plan.get("version"), plan.get("key"), plan.get("catalog")) != (PLAN_VERSION, key, catalog):
        return None
    return plan


def replay(
    settings: Settings,
    built: Path,
    mode: str,
    run_id: str,
    fingerprint: str,
    on_node: Callable[[str, str], None] | None = None,
) -> tuple[dict[str, int], str]:
    """Replay the recorded build of this key and catalog into ``built``; return the counts of
    models and data tests it ran, and the run the recording is of. Raises ``ReplayStopped``
    when there is none, or it cannot go on."""
    import duckdb

    con = _connect(settings, built)
    try:
        catalog = catalog_signature(con)
        plan = load_plan(settings, mode, catalog)
        if plan is None:
            raise ReplayStopped(
                f"no recorded {mode} build for these models and this catalog", touched=False
            )
        values = run_values(settings, built, run_id, fingerprint)
        for unit in plan["units"]:
            status = "success" if unit["kind"] != "test" else "pass"
            for sql, rows, description in unit["statements"]:
                try:
                    cursor = con.execute(_show(sql, values))
                    if description is not None and (
                        _description_json(cursor.description) != description
                    ):
                        raise ReplayStopped(
                            f"{unit['name'] or 'setup'}: other columns than recorded"
                        )
                    if rows is None:
                        continue
                    if (
                        unit["kind"] == "test"
                        and description is not None
                        and json.loads(description)
                        and [c for c, _ in json.loads(description)] == TEST_COLUMNS
                    ):
                        failures, should_warn, should_error = cursor.fetchone()
                        if unit["severity"].upper() == "ERROR" and should_error:
                            raise ReplayStopped(f"test {unit['name']}: {failures} failing rows")
                        if should_warn:
                            status = "warn"
                        continue
                    if _rows_json(cursor.fetchall()) != _show(rows, values):
                        raise ReplayStopped(
                            f"{unit['name'] or 'setup'}: a result differs from the recording"
                        )
                except duckdb.Error as exc:
                    raise ReplayStopped(f"{unit['name'] or 'setup'}: {exc}") from None
            if unit["node"] and unit["kind"] in ("model", "test") and on_node is not None:
                on_node(unit["node"], status)
    finally:
        con.close()  # checkpoints the file, as dbt-duckdb's close does
    return plan["counts"], plan["run_id"]
