"""The refresh protocol (ARCHITECTURE.md): lock, fingerprint, validate, migrate, load,
dbt build into a new file, verify, swap in, record the run.

A refresh that fails at any step leaves the published file exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import filelock

from etl.build import dbt as build
from etl.build import forked, publish, replay
from etl.build.fingerprint import SeedDigests, input_fingerprint, transform_key
from etl.faults import pause_point
from etl.problems import ValidationFailed
from etl.settings import Settings

# Exit codes, documented in README.md.
EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_INVALID_INPUT = 2
EXIT_LOCKED = 3
EXIT_BUILD_FAILED = 4
EXIT_PUBLISH_FAILED = 5

STAGES = ("lock", "fingerprint", "validate", "migrate", "load", "dbt build", "verify", "publish")


class Locked(Exception):
    """Another refresh holds the lock."""


@dataclass
class RunRecord:
    run_id: str
    started_at: str
    finished_at: str | None = None
    status: str = "running"  # success | up_to_date | failed | locked
    stage: str = "lock"
    error: str | None = None
    exit_code: int | None = None
    fingerprint: str | None = None
    seeds_dir: str | None = None
    warehouse_dir: str | None = None
    published: str | None = None
    previous: str | None = None
    row_counts: dict[str, int] = field(default_factory=dict)
    staging_counts: dict[str, int] = field(default_factory=dict)
    changes: dict[str, int] = field(default_factory=dict)
    dbt: dict[str, int] = field(default_factory=dict)
    build_mode: str | None = None  # full | incremental (etl/build/dbt.py)
    build_reason: str | None = None
    # how the build file was built: replayed (etl/build/replay.py), or why dbt ran
    build_runner: str | None = None
    transform_key: str | None = None
    stage_seconds: dict[str, float] = field(default_factory=dict)
    seconds: float | None = None


Progress = Callable[[str, str], None]  # (stage, message)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def new_run_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


def append_run(settings: Settings, record: RunRecord) -> None:
    """Append the run to the run log. A log that cannot be written (a full disk) must not turn
    a clean failure into a crash: the record is still returned and printed, and this is said."""
    line = json.dumps(asdict(record), sort_keys=True) + "\n"
    try:
        settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
        with settings.run_log_path.open("a", encoding="utf-8") as fh:
            fh.write(line)
    except OSError as exc:
        print(
            f"warning: could not write the run log {settings.run_log_path}: {exc}", file=sys.stderr
        )
        record.error = (record.error or "") + f"\n(the run log could not be written: {exc})"


def read_runs(settings: Settings) -> list[dict[str, Any]]:
    if not settings.run_log_path.exists():
        return []
    runs = []
    for line in settings.run_log_path.read_text(encoding="utf-8").splitlines():
        try:
            runs.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line cut short by a killed process
    return runs


def published_transform_key(settings: Settings) -> str | None:
    """The transform key of the run that built the published file, from the run log."""
    build_id = publish.published_build_id(settings.published_path)
    if build_id is None:
        return None
    for run in reversed(read_runs(settings)):
        if run.get("run_id") == build_id:
            return run.get("transform_key")
    return None


def clean_stale_builds(settings: Settings) -> list[Path]:
    """Remove build folders left by killed runs. Call only while holding the lock."""
    removed = []
    if settings.build_root.exists():
        for path in settings.build_root.iterdir():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def rollback(settings: Settings, target: str | None = None) -> RunRecord:
    """Under the refresh lock, put a previously published file back; recorded in the run log."""
    record = RunRecord(
        run_id=new_run_id(),
        started_at=_now(),
        stage="rollback",
        warehouse_dir=str(settings.warehouse_dir),
    )
    t0 = time.monotonic()
    lock = filelock.FileLock(str(settings.lock_path), timeout=settings.lock_timeout)
    try:
        with lock:
            restored, replaced = publish.rollback(settings, target)
            record.fingerprint = publish.published_fingerprint(settings.published_path)
            record.published, record.previous = str(restored), str(replaced) if replaced else None
            record.status, record.exit_code = "rolled_back", EXIT_OK
    except filelock.Timeout:
        record.status, record.exit_code = "locked", EXIT_LOCKED
        record.error = f"another refresh holds {settings.lock_path}"
    except publish.RollbackFailed as exc:
        record.status, record.exit_code, record.error = "failed", EXIT_PUBLISH_FAILED, str(exc)
    record.finished_at = _now()
    record.seconds = round(time.monotonic() - t0, 3)
    append_run(settings, record)
    return record


def _lock_fds(lock: filelock.BaseFileLock) -> tuple[int, ...]:
    """The held lock's file descriptor, for a forked child to close (none if filelock keeps
    it elsewhere: the child then holds it too, and dies with the refresh)."""
    fd = getattr(getattr(lock, "_context", None), "lock_file_fd", None)
    return (fd,) if isinstance(fd, int) else ()


def _import_validation_and_load() -> None:
    """What validate_and_load imports, imported ahead (in its forked process)."""
    from etl.checks import validate  # noqa: F401
    from etl.staging import load, migrate  # noqa: F401


def validate_and_load(
    emit: forked.Emit,
    settings: Settings,
    full: bool,
    seed_digests: SeedDigests,
    run_id: str,
    fingerprint: str,
) -> tuple[dict[str, int], dict[str, int]]:
    """Validate the seeds, migrate staging and load it in one transaction (etl/staging/load.py);
    return staging's row counts and the load's changes. Run in a forked process by refresh();
    ``emit(stage, message, new_stage)`` says what it does (``new_stage``: it enters ``stage``).

    Imported here: pandas, SQLAlchemy and Alembic take most of a second to import, and a
    refresh with nothing to do has stopped before this is called; and the refresh's own
    process, which runs dbt, then never imports them."""
    from etl.checks.validate import validate_seeds
    from etl.staging import load, migrate

    load.wait_for_staging(
        settings.staging_path,
        lambda: emit(
            "validate",
            f"staging is locked by another process (a refresh killed a moment ago?): waiting up "
            f"to {load.STAGING_LOCK_WAIT:.0f} s",
        ),
    )
    prior = None if full else load.StagingPrior.open(settings.staging_path)
    try:
        corpus = validate_seeds(
            settings.seeds_dir, settings.validation_cache_dir, prior, seed_digests
        )
    finally:
        if prior is not None:
            prior.close()  # before the load opens staging for writing
    c, st = corpus.counts(), corpus.stats
    emit(
        "validate",
        f"{c['sources']} articles, all valid: {st['files_in_staging']} facts files unchanged "
        f"since loaded; of the others, {c['numbers']} numbers, {c['relations']} relations and "
        f"{c['statements']} statements ({st['files_checked']} files checked, "
        f"{st['files_from_cache']} from the validation cache)",
    )
    emit("migrate", "alembic upgrade head on staging", True)
    migrate.upgrade(settings.staging_path, settings.project_dir / "migrations")
    emit("load", "loading staging in one transaction", True)
    loaded = load.load_corpus(settings.staging_path, corpus, run_id, fingerprint, consume=True)
    return loaded.row_counts, loaded.changes


def _build(
    settings: Settings,
    built: Path,
    record: RunRecord,
    plan: build.BuildPlan,
    published_key: str | None,
    may_replay: bool,
    on_node: Callable[[str, str], None],
    warmup: build.DbtWarmup,
) -> build.DbtResult:
    """Build the new file: replay dbt's statements of an earlier build of this key when there
    is one (etl/build/replay.py); otherwise, or when the replay cannot go on, dbt builds it,
    and its statements are recorded for the next build."""
    if may_replay:
        try:
            counts, _recorded_by = replay.replay(
                settings, built, plan.mode, record.run_id, record.fingerprint, on_node
            )
            record.build_runner = "replayed"
            for name in build.JSON_ARTIFACTS:  # an earlier build's: not to be taken for this one's
                (settings.dbt_target_dir / name).unlink(missing_ok=True)
            return build.DbtResult(models=counts["model"], tests=counts["test"], unit_tests=0)
        except replay.ReplayStopped as stop:
            record.build_runner = f"dbt: {stop.reason}"
            if stop.touched:  # the file is made again, as it was before the replay
                built.unlink(missing_ok=True)
                Path(f"{built}.wal").unlink(missing_ok=True)
                again = build.prepare(settings, built, record.transform_key, published_key)
                if again.mode != plan.mode:
                    raise RuntimeError(f"planned {plan.mode}, then {again.mode}") from None
    else:
        record.build_runner = "dbt: no replay (--full, or TECHHUBS_DBT_REPLAY=0)"
    catalog = replay.build_catalog(settings, built)
    recorder = replay.Recorder()
    result = build.run_dbt(
        settings,
        built,
        record.run_id,
        record.fingerprint,
        on_node,
        plan.mode,
        manifest=warmup.manifest,
        recorder=recorder,
    )
    values = replay.run_values(settings, built, record.run_id, record.fingerprint)
    recorder.save(settings, plan.mode, catalog, result.nodes, values)
    return result


def refresh(
    settings: Settings, force: bool = False, progress: Progress | None = None, full: bool = False
) -> RunRecord:
    """Run one refresh; always returns its record (also appended to the run log).

    Facts files already loaded under the same key are not read again, and the published file
    is updated incrementally when it can be (etl/build/dbt.py), unless ``full``: then every file is
    checked and loaded again (what changes is still compared) and every table built afresh."""
    say = progress or (lambda stage, msg: None)
    record = RunRecord(
        run_id=new_run_id(),
        started_at=_now(),
        seeds_dir=str(settings.seeds_dir),
        warehouse_dir=str(settings.warehouse_dir),
    )
    t0 = time.monotonic()
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(str(settings.lock_path), timeout=settings.lock_timeout)
    try:
        lock.acquire()
    except filelock.Timeout:
        record.status, record.exit_code = "locked", EXIT_LOCKED
        record.error = (
            f"another refresh holds {settings.lock_path}; waited {settings.lock_timeout:g}s"
        )
        record.finished_at = _now()
        record.seconds = round(time.monotonic() - t0, 3)
        append_run(settings, record)
        return record
    build_dir = build.build_dir_for(settings, record.run_id)
    warmup: build.DbtWarmup | None = None
    apart: forked.Forked | None = None  # validation and the load, in a forked process
    stage_start = time.monotonic()

    def enter(stage: str, message: str = "") -> None:
        nonlocal stage_start
        now = time.monotonic()
        record.stage_seconds[record.stage] = round(now - stage_start, 3)
        record.stage, stage_start = stage, now
        say(stage, message)

    try:
        stale = clean_stale_builds(settings)
        if stale:
            say("lock", f"removed {len(stale)} stale build folder(s) from an interrupted run")
        # Validation, migration and the load need the facts in memory: they run in a forked
        # process (etl/build/forked.py: its own GIL; the rows go with it), forked before any
        # thread starts. Forked now, it imports what they need (pandas, SQLAlchemy, Alembic:
        # a second at 20,000 articles, on 2 cores) while this process fingerprints the inputs;
        # it gets its arguments once they are known, and is ended if there is nothing to do.
        apart = (
            forked.Forked(
                validate_and_load,
                name="validation and load",
                close_fds=_lock_fds(lock),
                before=_import_validation_and_load,
                later=True,
            )
            if forked.can_fork()
            else None
        )
        enter("fingerprint")
        seed_digests = SeedDigests()
        record.fingerprint = input_fingerprint(settings, seed_digests=seed_digests)
        if (
            not force
            and publish.published_fingerprint(settings.published_path) == record.fingerprint
        ):
            record.status, record.exit_code = "up_to_date", EXIT_OK
            say("fingerprint", "the published warehouse already has this fingerprint: up to date")
            return record

        build.check_storage_version(settings.storage_version)
        enter("validate", f"checking facts in {settings.seeds_dir} against their articles")
        built = build.build_path_for(settings, record.run_id)
        record.transform_key = transform_key(settings)
        published_key = published_transform_key(settings)
        may_copy = (
            build.full_build_reason(settings, record.transform_key, published_key, full) is None
        )
        # Beside validation and the load, this process copies the published file (for an
        # incremental build) and, unless the build will be replayed, has dbt parse the project
        # (etl/build/dbt.py, DbtWarmup).
        args = (settings, full, seed_digests, record.run_id, record.fingerprint)
        likely = "incremental" if may_copy else "full"
        may_replay = not full and replay.enabled()
        warmup = build.DbtWarmup(
            settings,
            built,
            build.dbt_env(
                settings,
                built,
                record.run_id,
                record.fingerprint,
                likely,
            ),
            copy=may_copy,
            # dbt's import and parse are needed only when the build will not be replayed
            parse=not (may_replay and replay.has_plan(settings, likely, record.transform_key)),
        )

        if apart is not None:
            apart.start(*args)

        def on_message(stage: str, message: str, new_stage: bool = False) -> None:
            (enter if new_stage else say)(stage, message)

        record.staging_counts, record.changes = (
            apart.result(on_message) if apart is not None else validate_and_load(on_message, *args)
        )
        say("load", "facts: " + ", ".join(f"{v} {k}" for k, v in record.changes.items()))

        enter("dbt build", "dbt build (models, unit tests, data tests) into a new file")
        # planning reads the copy and staging (DuckDB, outside the GIL) while dbt may still parse
        warmup.wait_for_copy()
        plan = build.prepare(
            settings, built, record.transform_key, published_key, full, copied=warmup.copied
        )
        warmup.wait()
        record.build_mode, record.build_reason = plan.mode, plan.reason
        say("dbt build", f"{plan.mode} build: {plan.reason}")
        done = {"n": 0}

        def on_node(unique_id: str, status: str) -> None:
            done["n"] += 1
            kind, _, name = unique_id.split(".", 2)
            say("dbt build", f"[{done['n']}] {kind} {name.split('.')[-1]}: {status}")
            if kind == "model":
                pause_point("dbt-running", settings.warehouse_dir)

        dbt_result = _build(
            settings, built, record, plan, published_key, may_replay, on_node, warmup
        )
        record.dbt = {
            "models": dbt_result.models,
            "data_tests": dbt_result.tests,
            "unit_tests": dbt_result.unit_tests,
            # 1: dbt built from the parse made while staging loaded (build.DbtWarmup)
            "parsed_while_loading": int(warmup.manifest is not None),
            # incremental marts built side by side, without dbt-duckdb's foreign key lock
            "marts_side_by_side": len(dbt_result.unlocked),
            # 1: dbt's statements of an earlier build replayed (etl/build/replay.py)
            "replayed": int(record.build_runner == "replayed"),
        }
        build.finalise(built)

        enter("verify", "opening the new file read-only and checking the public tables")
        record.row_counts = publish.verify(built, record.fingerprint)

        enter("publish", f"atomic rename over {settings.published_path}")
        pause_point("publish", settings.warehouse_dir)
        previous = publish.swap_in(settings, built, record.run_id)
        # verify() read this fingerprint from the file: the next no-op need not open it
        publish.remember_fingerprint(settings.published_path, record.fingerprint)
        record.published = str(settings.published_path)
        record.previous = str(previous) if previous else None
        record.status, record.exit_code = "success", EXIT_OK
        return record
    except ValidationFailed as exc:
        record.status, record.exit_code, record.error = "failed", EXIT_INVALID_INPUT, exc.render()
        return record
    except build.UnknownStorageVersion as exc:
        record.status, record.exit_code, record.error = "failed", EXIT_INVALID_INPUT, str(exc)
        return record
    except build.BuildFailed as exc:
        record.status, record.exit_code, record.error = "failed", EXIT_BUILD_FAILED, str(exc)
        return record
    except publish.VerifyFailed as exc:
        record.status, record.exit_code, record.error = "failed", EXIT_PUBLISH_FAILED, str(exc)
        return record
    except Exception as exc:  # noqa: BLE001 - recorded, reported, and the exit code says so
        record.status, record.exit_code = "failed", EXIT_UNEXPECTED
        record.error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"
        return record
    finally:
        try:
            record.stage_seconds[record.stage] = round(time.monotonic() - stage_start, 3)
            if apart is not None:
                apart.stop()
            if warmup is not None:
                if record.status != "success":
                    warmup.cancel()
                warmup.wait()  # it may be writing into build_dir
            shutil.rmtree(build_dir, ignore_errors=True)
            if record.finished_at is None:
                record.finished_at = _now()
                record.seconds = round(time.monotonic() - t0, 3)
                append_run(settings, record)
        finally:
            if lock.is_locked:
                lock.release()
