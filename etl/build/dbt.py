"""Run dbt (in-process) into a new database file under warehouse/.build/current/.

The published file is never opened for writing: dbt builds a fresh file with the
same base name (dbt-duckdb names the catalog after it), attaching staging read-only.
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from etl.faults import pause_point
from etl.settings import DB_NAME, Settings, package_version

# Schemas of dbt's inner layers (views over the staging file) and of an incremental build's
# list of changed sources: dropped before publishing.
INTERNAL_SCHEMAS = ("staging", "intermediate", "delta")
# what dbt writes to its target folder unless --no-write-json
JSON_ARTIFACTS = ("manifest.json", "run_results.json", "semantic_manifest.json")


class BuildFailed(Exception):
    """dbt failed: a model error or a failing test. ``failures`` names them."""

    def __init__(self, message: str, failures: list[str]):
        self.failures = failures
        super().__init__(
            message + ("\n" + "\n".join(f"  - {f}" for f in failures) if failures else "")
        )


@dataclass
class DbtResult:
    models: int = 0
    tests: int = 0
    unit_tests: int = 0
    failures: list[str] = field(default_factory=list)
    # incremental models built without dbt-duckdb's foreign key lock (_marts_side_by_side)
    unlocked: list[str] = field(default_factory=list)
    # unique id -> (resource type, name, severity) of every node that ran (etl/build/replay.py)
    nodes: dict[str, tuple[str, str, str]] = field(default_factory=dict)


@contextlib.contextmanager
def _env(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@dataclass
class BuildPlan:
    """How the new file is built: ``incremental`` (a copy of the published file, in which dbt
    rebuilds the rows that depend on ``changed_sources``) or ``full`` (an empty file)."""

    mode: str
    reason: str
    changed_sources: int = 0
    sources: int = 0


def prepare(
    settings: Settings,
    built: Path,
    transform_key: str,
    published_transform_key: str | None,
    full: bool = False,
    copied: bool = False,
) -> BuildPlan:
    """Create the file dbt builds into, and say how it is to be built.

    An incremental build needs a published file built by the same transform (models, macros,
    dbt and DuckDB versions), whose load is in staging's run history; and few enough sources
    loaded since. The published file is copied, never changed: history keeps hard links to it.
    ``copied``: the copy is already at ``built`` (DbtWarmup made it while staging loaded).
    """
    reason = full_build_reason(settings, transform_key, published_transform_key, full)
    if reason is None:
        if not copied:
            copy_published(settings.published_path, built)
        plan = _plan_incremental(
            built,
            settings.staging_path,
            settings.incremental_max_share,
            settings.incremental_max_free_share,
        )
        if plan.mode == "incremental":
            return plan
        built.unlink()
        Path(f"{built}.wal").unlink(missing_ok=True)
        reason = plan.reason
    create_database(built, settings.storage_version)
    return BuildPlan("full", reason)


def _plan_incremental(
    built: Path, staging_path: Path, max_share: float, max_free_share: float
) -> BuildPlan:
    """In the copy of the published file: find the sources loaded since its build, and write
    them to delta.changed_sources for dbt; or say why a full build is needed."""
    import duckdb

    con = duckdb.connect(str(built))
    try:
        free, total = con.execute(
            "select free_blocks, total_blocks from pragma_database_size() "
            "where database_name = current_database()"
        ).fetchone()
        if total and free / total > max_free_share:
            return BuildPlan(
                "full",
                f"the published file is {free / total:.0%} free blocks, more than "
                f"{max_free_share:.0%}: a new file holds only live data",
            )
        quoted = str(staging_path).replace("'", "''")
        con.execute(f"attach '{quoted}' as staging_db (read_only)")
        base = con.execute(
            "select r.started_at from warehouse_build b "
            "join staging_db.etl_run r on r.run_id = b.build_id"
        ).fetchall()
        if len(base) != 1:
            return BuildPlan(
                "full", "staging has no record of the load the published file was built from"
            )
        con.execute(
            """
            create schema delta;
            create table delta.changed_sources as
            select source_id from staging_db.loaded_source
            where loaded_run_id in (select run_id from staging_db.etl_run where started_at > ?)
            union
            select source_id from main.dim_source
            where source_id not in (select source_id from staging_db.loaded_source)""",
            [base[0][0]],
        )
        changed, sources, removed = con.execute(
            "select (select count(*) from delta.changed_sources), "
            "(select count(*) from staging_db.loaded_source), "
            "(select count(*) from main.dim_source "
            " where source_id not in (select source_id from staging_db.loaded_source))"
        ).fetchone()
        con.execute("detach staging_db")
    finally:
        con.close()
    # Every source loaded since: the reference data (in every file's key) may have changed.
    if changed >= sources:
        return BuildPlan("full", f"all {sources} sources were loaded since the published build")
    # A removed source's row in dim_source cannot go before the facts that point at it.
    if removed:
        return BuildPlan("full", f"{removed} source(s) removed since the published build")
    # one source's rows are few at any size (a curator's new article): never a full build
    if changed > max_share * sources and changed > 1:
        return BuildPlan(
            "full", f"{changed} of {sources} sources changed: more than {max_share:.0%}"
        )
    return BuildPlan(
        "incremental",
        f"{changed} of {sources} sources changed since the published build",
        changed,
        sources,
    )


def copy_published(published: Path, built: Path) -> None:
    """Copy the published file to ``built`` and flush the copy to disk. Unflushed, the first
    commit in the copy (prepare's) waits while the filesystem writes the whole file out (0.5 s
    at 20,000 articles on ext4); flushed here, that happens in the warmup thread, beside
    validation and the load, outside the GIL."""
    built.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(published, built)
    fd = os.open(built, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def full_build_reason(
    settings: Settings, transform_key: str, published_transform_key: str | None, full: bool
) -> str | None:
    """Why the build must be full before staging is looked at; None when prepare() copies
    the published file and decides from staging."""
    if full:
        return "a full build was asked for"
    if not settings.published_path.exists():
        return "there is no published file"
    if published_transform_key != transform_key:
        return "the published file was built by other models, dbt or DuckDB versions"
    return None


class DbtWarmup:
    """The dbt stage's work that does not need the new staging, done in a thread of the
    refresh while a forked process validates the seeds and loads staging (etl/build/forked.py):
    copy the published file for an incremental build, import dbt and parse the project. At
    20,000 articles these take about 4 s (copy 0.7 s, import 2.2 s, parse 1.2 s); beside
    validation and the load of one new article, they ended 0.3 s after the load.

    Started only after that process is forked: a fork must not copy a thread in the middle
    of an import. Nothing here decides anything: prepare() still plans the build, and when
    the parse fails (a broken model), ``manifest`` is None and run_dbt parses again, so dbt
    reports the error as it would have.
    """

    def __init__(self, settings: Settings, built: Path, env: dict, copy: bool, parse: bool = True):
        """``parse``: not when the build will likely be replayed (etl/build/replay.py)."""
        self.settings, self.built, self.env = settings, built, env
        self.copy, self.parse = copy, parse
        self.copied = False
        self.manifest = None  # dbt's Manifest of the project, when the parse succeeded
        self._copy_done = threading.Event()
        self._cancelled = threading.Event()
        self._thread = threading.Thread(target=self._run, name="dbt-warmup", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            if self.copy:
                copy_published(self.settings.published_path, self.built)
                self.copied = True
        except OSError:
            pass  # prepare() copies again, and reports what goes wrong
        finally:
            self._copy_done.set()
        if not self.parse:
            return
        try:
            from dbt.cli.main import dbtRunner
            from dbt.contracts.graph.manifest import Manifest

            pause_point("dbt-parse", self.settings.warehouse_dir)
            if self._cancelled.is_set():
                return
            with _env({"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **self.env}):
                try:
                    # manifest.json is written by the build (0.2 s at 20,000 articles)
                    res = dbtRunner().invoke(dbt_args(self.settings, "parse") + ["--no-write-json"])
                finally:
                    _release_dbt_database()
            if res.success and isinstance(res.result, Manifest):
                self.manifest = res.result
        except Exception:  # noqa: BLE001 - run_dbt parses again and reports it
            self.manifest = None

    def wait_for_copy(self) -> DbtWarmup:
        """Until the copy is made (or failed): prepare() may then plan the build while dbt
        still parses (the parse opens no database)."""
        self._copy_done.wait()
        return self

    def cancel(self) -> DbtWarmup:
        """The refresh failed: no parse, if it has not begun (an import cannot be stopped)."""
        self._cancelled.set()
        return self

    def wait(self) -> DbtWarmup:
        self._thread.join()
        return self


class UnknownStorageVersion(ValueError):
    """The storage version asked for is not one this DuckDB can write."""


def check_storage_version(version: str) -> None:
    """Fail before validation and loading when DuckDB does not know ``version`` (it would
    otherwise fail only when dbt creates the file)."""
    import duckdb

    try:
        duckdb.connect(":memory:", config={"storage_compatibility_version": version}).close()
    except duckdb.InvalidInputException as exc:
        raise UnknownStorageVersion(
            f"storage version {version!r} (--storage-version or TECHHUBS_STORAGE_VERSION) is "
            f"not one DuckDB {duckdb.__version__} can write: {exc}"
        ) from None


def create_database(path: Path, storage_version: str) -> None:
    """Create an empty DuckDB file pinned to ``storage_version`` (it keeps it for later writes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    import duckdb

    con = duckdb.connect(str(path), config={"storage_compatibility_version": storage_version})
    con.close()


def dbt_args(settings: Settings, command: str) -> list[str]:
    return [
        command,
        "--project-dir",
        str(settings.project_dir),
        "--profiles-dir",
        str(settings.project_dir),
        "--target-path",
        str(settings.dbt_target_dir),
        "--log-path",
        str(settings.dbt_log_dir),
        "--quiet",
        "--no-use-colors",
    ]


def dbt_env(
    settings: Settings, build_path: Path, run_id: str, fingerprint: str, mode: str
) -> dict[str, str]:
    """The environment variables profiles.yml and the models read."""
    return {
        "TECHHUBS_BUILD_PATH": str(build_path),
        "TECHHUBS_STAGING_PATH": str(settings.staging_path),
        "TECHHUBS_STORAGE_VERSION": settings.storage_version,
        # build metadata for warehouse_build, as environment variables rather than --vars
        # (changed vars make dbt parse the whole project again), read as the model runs
        # (macros/run_setting.sql): read as dbt parses, a changed one has its file parsed again
        "TECHHUBS_RUN_ID": run_id,
        "TECHHUBS_FINGERPRINT": fingerprint,
        "TECHHUBS_PACKAGE_VERSION": package_version(),
        # full: every table built afresh in an empty file; incremental: see macros/incremental.sql
        "TECHHUBS_BUILD_MODE": mode,
    }


def run_dbt(
    settings: Settings,
    build_path: Path,
    run_id: str,
    fingerprint: str,
    on_node: Callable[[str, str], None] | None = None,
    mode: str = "full",
    manifest=None,
    recorder=None,
) -> DbtResult:
    """``dbt build`` (models, unit tests, data tests) into ``build_path``; raise BuildFailed on
    any error. ``manifest``: the project as DbtWarmup parsed it (dbt then does not parse).
    ``recorder``: an etl/build/replay.py Recorder, which records every statement dbt runs."""
    args = dbt_args(settings, "build")
    if mode == "incremental":
        # the unit tests check the models' logic, which is the published build's (same
        # transform key), where they passed; they would read this build's partial views
        args += ["--exclude-resource-type", "unit_test"]
        # the marts built from reference data alone are as published: a change to the
        # reference data changes every file's key, and then the build is full. "buildable"
        # keeps a test that also reads a mart this build changes.
        args += ["--exclude", "tag:reference_data", "--indirect-selection", "buildable"]
        # no manifest.json or run_results.json (writing them took 0.35 s at 20,000 articles,
        # after the last node): dbt.log has every node, the run log every failure. Those of
        # an earlier build are removed, so that none is taken for this build's.
        args += ["--no-write-json"]
        for name in JSON_ARTIFACTS:
            (settings.dbt_target_dir / name).unlink(missing_ok=True)
    env = dbt_env(settings, build_path, run_id, fingerprint, mode)
    side_by_side = _marts_side_by_side() if mode == "incremental" else contextlib.nullcontext([])
    recording = recorder.installed() if recorder is not None else contextlib.nullcontext()
    hooks = [recorder.callback] if recorder is not None else []
    with side_by_side as unlocked, recording:
        result = invoke_dbt(args, env, on_node, _release_dbt_database, manifest, hooks=hooks)
    result.unlocked = sorted(set(unlocked))
    return result


@contextlib.contextmanager
def _marts_side_by_side() -> Iterator[list[str]]:
    """For an incremental build: let the incremental marts run side by side; yield the list
    of those that ran without the lock.

    dbt-duckdb builds every model with a foreign key, or pointed at by one, under a single
    lock for its whole materialization: creating or dropping such a table alters the table it
    references, and two of those in concurrent transactions conflict. In an incremental build
    the marts are already in the file, and their materialization (macros/incremental.sql)
    changes them with DELETE, UPDATE, INSERT and COMMENT ON only, which commit side by side
    (tests/unit/build/test_build_plan.py checks this with DuckDB). So there an incremental model
    that exists does not take the lock; any other still does (warehouse_build is a table).
    With the lock, the three marts built after fct_metric_observation ran one at a time.
    """
    from dbt.adapters.duckdb.impl import DuckDBAdapter

    original = DuckDBAdapter._acquire_foreign_key_lock
    unlocked: list[str] = []

    def acquire(adapter, model) -> bool:
        if model.config.materialized == "incremental" and (
            adapter.get_relation(model.database, model.schema, model.alias) is not None
        ):
            unlocked.append(model.name)
            return False
        return original(adapter, model)

    DuckDBAdapter._acquire_foreign_key_lock = acquire
    try:
        yield unlocked
    finally:
        DuckDBAdapter._acquire_foreign_key_lock = original


def invoke_dbt(
    args: list[str],
    env: dict[str, str],
    on_node: Callable[[str, str], None] | None = None,
    after: Callable[[], None] | None = None,
    manifest=None,
    failure: str = "dbt build failed; nothing was published",
    hooks: list | None = None,
) -> DbtResult:
    """Run dbt in this process with ``env`` set; count what ran; raise BuildFailed on any error."""
    from dbt.cli.main import dbtRunner

    result = DbtResult()

    def callback(event) -> None:  # dbt's structured logging events
        name = event.info.name
        if name == "NodeFinished" and on_node is not None:
            node = event.data.node_info
            on_node(node.unique_id, node.node_status)

    with _env({"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **env}):
        try:
            res = dbtRunner(manifest=manifest, callbacks=[*(hooks or []), callback]).invoke(args)
        finally:
            if after is not None:
                after()
    if res.exception is not None:
        raise BuildFailed(f"dbt could not run: {res.exception}", [])
    for node_result in res.result or []:
        node = node_result.node
        kind = node.resource_type
        status = str(node_result.status)
        severity = str(getattr(node.config, "severity", "") or "")
        result.nodes[node.unique_id] = (str(kind), node.name, severity)
        if kind == "model":
            result.models += 1
        elif kind == "unit_test":
            result.unit_tests += 1
        elif kind == "test":
            result.tests += 1
        if status in ("error", "fail", "runtime error"):
            # dbt's message is a header ("Runtime Error in model x (path)") and then the cause
            msg = [
                line.strip() for line in (node_result.message or "").splitlines() if line.strip()
            ]
            result.failures.append(
                f"{kind} {node.name}: {status}" + (f" ({': '.join(msg[:2])})" if msg else "")
            )
        elif status == "skipped":
            result.failures.append(f"{kind} {node.name}: skipped because an upstream node failed")
    if not res.success or result.failures:
        raise BuildFailed(failure, result.failures)
    return result


def _release_dbt_database() -> None:
    """dbt-duckdb keeps its DuckDB instance open in the process after ``invoke``; close it so
    the file is checkpointed and can be reopened (read-only, to verify) and renamed."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
        if env is not None:
            env.close()
    gc.collect()


def finalise(build_path: Path) -> None:
    """Drop dbt's inner layers (views over staging) and checkpoint, leaving only the marts."""
    import duckdb

    con = duckdb.connect(str(build_path))
    try:
        for schema in INTERNAL_SCHEMAS:
            con.execute(f'drop schema if exists "{schema}" cascade')
        con.execute("checkpoint")
    finally:
        con.close()


def build_dir_for(settings: Settings, run_id: str) -> Path:
    # One build at a time (under the refresh lock) in a fixed folder: dbt's profile then does not
    # change between runs, and dbt can reuse its parse (partial parsing).
    return settings.build_root / "current"


def build_path_for(settings: Settings, run_id: str) -> Path:
    return build_dir_for(settings, run_id) / DB_NAME
