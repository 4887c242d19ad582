"""A refresh an operator can put in cron and forget: real processes, real files, real kills."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from etl.build import forked
from etl.build.publish import history, published_fingerprint
from etl.build.refresh import EXIT_LOCKED, EXIT_UNEXPECTED, read_runs, refresh, rollback
from etl.settings import PROJECT_DIR, Settings
from etl.staging import load, migrate
from tests.helpers import copy_project, sha256

pytestmark = pytest.mark.e2e

MARKED_NUMBER = ("facts/inland-innovation-2022.yml", '    number: "more than 1,500"\n')
MARKED_RELATION = (
    "facts/rising-tech-hubs-2017.yml",
    '    quote: "Today, the city is home to international',
)


def cli(settings: Settings, *args: str, env: dict | None = None, **kw) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "etl.cli", *args, "--warehouse", str(settings.warehouse_dir)]
    if args and args[0] == "refresh":
        cmd += ["--seeds", str(settings.seeds_dir)]
    full_env = {**os.environ, **(env or {})}
    return subprocess.Popen(
        cmd,
        cwd=PROJECT_DIR,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def set_marker(seeds: Path, marker: str) -> None:
    """Put the same marker in the notes of one number and one relation (two different marts)."""
    for rel, anchor in (MARKED_NUMBER, MARKED_RELATION):
        path = seeds / rel
        text = path.read_text(encoding="utf-8")
        lines = [ln for ln in text.splitlines(keepends=True) if "notes: marker-" not in ln]
        text = "".join(lines)
        assert anchor in text
        path.write_text(
            text.replace(anchor, f"    notes: marker-{marker}\n{anchor}", 1), encoding="utf-8"
        )


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"process ended before {path.name}: {proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"timed out waiting for {path.name}")
        time.sleep(0.05)


def staging_snapshot(settings: Settings) -> dict:
    # A killed refresh's forked child gets SIGKILL from the kernel as its parent dies, but
    # exits (and lets go of staging's lock) a moment later: wait for that, not longer.
    deadline = time.monotonic() + 10
    while True:
        try:
            con = duckdb.connect(str(settings.staging_path), read_only=True)
            break
        except duckdb.IOException as exc:
            if "Could not set lock" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    try:
        return {
            t: con.execute(f"select * from {t} order by all").fetchall() for t in load.DATA_TABLES
        }
    finally:
        con.close()


def test_second_refresh_reports_the_lock_or_waits(warehouse_copy):
    set_marker(warehouse_copy.seeds_dir, "lock")
    first = cli(
        warehouse_copy,
        "refresh",
        env={"TECHHUBS_PAUSE_AT": "publish", "TECHHUBS_PAUSE_SECONDS": "6"},
    )
    wait_for(warehouse_copy.warehouse_dir / ".paused-publish", first)
    second = cli(warehouse_copy, "refresh")
    _, err = second.communicate(timeout=60)
    assert second.returncode == EXIT_LOCKED, err
    assert "another refresh holds" in err
    waiter = cli(warehouse_copy, "refresh", "--wait", "120")
    assert first.wait(timeout=120) == 0
    _, err = waiter.communicate(timeout=180)
    assert waiter.returncode == 0 and "up to date" in err
    assert [r["status"] for r in read_runs(warehouse_copy)][-3:] == [
        "locked",
        "success",
        "up_to_date",
    ]


def test_refresh_waits_while_a_dying_process_still_holds_staging(warehouse_copy):
    """A refresh killed a moment ago may leave its child holding staging's lock for a little
    while: the next refresh waits for it (and says so) rather than failing."""
    set_marker(warehouse_copy.seeds_dir, "held")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, duckdb; con = duckdb.connect(sys.argv[1]); "
            "print('held', flush=True); time.sleep(6); con.close()",
            str(warehouse_copy.staging_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"  # a real second process has the lock
    proc = cli(warehouse_copy, "refresh")
    _, err = proc.communicate(timeout=180)
    assert holder.wait(timeout=30) == 0
    assert proc.returncode == 0, err
    assert "staging is locked by another process" in err
    assert read_runs(warehouse_copy)[-1]["status"] == "success"


@pytest.mark.parametrize("point", ["load-transaction", "dbt-running", "publish"])
def test_sigkill_leaves_everything_and_next_refresh_recovers(warehouse_copy, point):
    published_before = sha256(warehouse_copy.published_path)
    staging_before = staging_snapshot(warehouse_copy)
    set_marker(warehouse_copy.seeds_dir, point)
    proc = cli(warehouse_copy, "refresh", env={"TECHHUBS_PAUSE_AT": point})
    wait_for(warehouse_copy.warehouse_dir / f".paused-{point}", proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert sha256(warehouse_copy.published_path) == published_before
    if point == "load-transaction":
        assert staging_snapshot(warehouse_copy) == staging_before  # the open transaction is gone
    record = refresh(warehouse_copy)  # the next refresh takes the dead process's lock and cleans up
    assert record.status == "success", record.error
    assert not any(warehouse_copy.build_root.iterdir())
    con = duckdb.connect(str(warehouse_copy.published_path), read_only=True)
    notes = con.execute(
        "select notes from fct_metric_observation where fact_id = 'sichuan-iot-companies-2021'"
    )
    assert notes.fetchone()[0] == f"marker-{point}"
    con.close()


def test_a_refresh_without_fork_validates_and_loads_in_its_own_process(warehouse_copy, monkeypatch):
    """Where fork is not to be had (another system, or a thread running): the same steps in
    the refresh's process, with the same record."""

    def no_fork(*args, **kwargs):
        raise AssertionError("forked although can_fork() said no")

    monkeypatch.setattr(forked, "can_fork", lambda: False)
    monkeypatch.setattr(forked.Forked, "__init__", no_fork)
    set_marker(warehouse_copy.seeds_dir, "no-fork")
    record = refresh(warehouse_copy)
    assert record.status == "success", record.error
    assert {"validate", "migrate", "load", "dbt build"} <= set(record.stage_seconds)
    assert record.changes["changed"] == 2 and record.staging_counts["fact_number"] == 44
    con = duckdb.connect(str(warehouse_copy.published_path), read_only=True)
    notes = con.execute(
        "select notes from fct_metric_observation where fact_id = 'sichuan-iot-companies-2021'"
    )
    assert notes.fetchone()[0] == "marker-no-fork"
    con.close()


READER = textwrap.dedent('''
    import json, os, sys, time
    import duckdb
    path, stop, out, mode = sys.argv[1:5]
    QUERY = """
        select (select build_id from warehouse_build),
               (select notes from fct_metric_observation where fact_id = 'sichuan-iot-companies-2021'),
               (select notes from fct_firm_presence where fact_id = 'dell-office-chengdu'),
               (select count(*) from fct_metric_observation)
    """
    # "held": one connection for the whole run (a dashboard that never reconnects).
    # "new": a new connection per query, closed after it (a reconnecting client).
    # They run in separate processes: within one process DuckDB hands a new connect()
    # the instance it already has open, so a held connection pins the old file for all.
    held = duckdb.connect(path, read_only=True) if mode == "held" else None
    with open(out, "w") as fh:
        while not os.path.exists(stop):
            try:
                con = held or duckdb.connect(path, read_only=True)
                row = con.execute(QUERY).fetchone()
                if held is None:
                    con.close()
                fh.write(json.dumps({"row": row}) + "\\n")
            except Exception as exc:
                fh.write(json.dumps({"error": repr(exc)}) + "\\n")
            fh.flush()
            time.sleep(0.02)
''')


def test_readers_never_notice_twenty_refreshes(warehouse_copy, tmp_path):
    set_marker(warehouse_copy.seeds_dir, "0")
    assert refresh(warehouse_copy).status == "success"
    stop = tmp_path / "stop"
    outs = {mode: tmp_path / f"{mode}.jsonl" for mode in ("new", "held")}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                READER,
                str(warehouse_copy.published_path),
                str(stop),
                str(out),
                mode,
            ]
        )
        for mode, out in outs.items()
    ]
    statuses = []
    try:
        time.sleep(1.0)
        for i in range(1, 21):
            if i % 3 == 0:  # six refreshes with changed inputs, fourteen with nothing to do
                set_marker(warehouse_copy.seeds_dir, str(i))
            statuses.append(refresh(warehouse_copy).status)
            time.sleep(0.2)
    finally:
        stop.touch()
        for proc in procs:
            proc.wait(timeout=30)
    assert statuses.count("success") == 6 and statuses.count("up_to_date") == 14
    reads = {
        mode: [json.loads(line) for line in out.read_text().splitlines()]
        for mode, out in outs.items()
    }
    for mode, rows in reads.items():
        assert [r for r in rows if "error" in r] == [], mode
        assert len(rows) > 50, mode
        for _build_id, obs_note, presence_note, count in (r["row"] for r in rows):
            assert obs_note == presence_note, f"a {mode} reader saw two builds mixed"
            assert count > 40
    new = [r["row"] for r in reads["new"]]
    assert len({r[0] for r in new}) == 7  # every published build was seen by reconnecting readers
    assert new[-1][1] == "marker-18"
    held = [r["row"] for r in reads["held"]]
    assert {r[0] for r in held} == {held[0][0]}  # the held connection kept one consistent view
    assert held[0][1] == "marker-0"


def test_rollback_restores_the_previous_file(warehouse_copy):
    original = published_fingerprint(warehouse_copy.published_path)
    set_marker(warehouse_copy.seeds_dir, "rollback")
    assert refresh(warehouse_copy).status == "success"
    assert published_fingerprint(warehouse_copy.published_path) != original
    proc = cli(warehouse_copy, "rollback")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert published_fingerprint(warehouse_copy.published_path) == original
    assert any("replaced-by-rollback" in p.name for p in history(warehouse_copy))
    empty = Settings(
        seeds_dir=warehouse_copy.seeds_dir, warehouse_dir=warehouse_copy.warehouse_dir / "none"
    )
    assert rollback(empty).status == "failed"


def test_refresh_runs_from_any_directory_with_a_bare_environment(warehouse_copy):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(warehouse_copy.warehouse_dir)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "etl.cli",
            "refresh",
            "--json",
            "--seeds",
            str(warehouse_copy.seeds_dir),
            "--warehouse",
            str(warehouse_copy.warehouse_dir),
        ],
        cwd="/",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["status"] == "up_to_date"


def test_migration_error_leaves_everything(warehouse_copy, tmp_path):
    project = copy_project(tmp_path / "project")
    (project / "migrations/versions/9999_broken.py").write_text(
        textwrap.dedent(f"""
        from alembic import op
        revision = "9999_broken"
        down_revision = "{migrate.head_revision()}"
        branch_labels = None
        depends_on = None
        def upgrade():
            op.execute("alter table fact_number add column broken integer")
            op.execute("select * from a_table_that_does_not_exist")
        def downgrade():
            pass
    """)
    )
    settings = Settings(
        seeds_dir=warehouse_copy.seeds_dir,
        warehouse_dir=warehouse_copy.warehouse_dir,
        project_dir=project,
    )
    published_before, staging_before = sha256(settings.published_path), staging_snapshot(settings)
    record = refresh(settings)
    assert record.exit_code == EXIT_UNEXPECTED and record.stage == "migrate"
    assert "a_table_that_does_not_exist" in record.error
    assert sha256(settings.published_path) == published_before
    # the copy of the published file made meanwhile for dbt (build.DbtWarmup) is gone too
    assert not any(settings.build_root.iterdir())
    assert staging_snapshot(settings) == staging_before
    con = duckdb.connect(str(settings.staging_path), read_only=True)
    assert "broken" not in [r[0] for r in con.execute("describe fact_number").fetchall()]
    con.close()


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs of a given size (needs root, as on these machines and CI); unmounted after the test."""
    mount = tmp_path / "disk"
    mount.mkdir()
    mounted = []

    def make(size_mb: int) -> Path:
        opts = f"size={size_mb}m" if not mounted else f"remount,size={size_mb}m"
        result = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(mount)], capture_output=True
        )
        if result.returncode != 0:
            pytest.skip(f"cannot mount a small tmpfs here: {result.stderr.decode().strip()}")
        mounted.append(size_mb)
        return mount

    yield make
    if mounted and subprocess.run(["umount", str(mount)], check=False).returncode != 0:
        subprocess.run(
            ["umount", "-l", str(mount)], check=False
        )  # lazily, if something still holds it


def test_full_disk_leaves_everything_and_recovers(warehouse_copy, small_disk):
    used = sum(
        f.stat().st_size for f in (warehouse_copy.published_path, warehouse_copy.staging_path)
    )
    disk = small_disk(used // 2**20 + 3)  # room for what exists, not for a new build
    wh = disk / "warehouse"
    wh.mkdir()
    for f in (warehouse_copy.published_path, warehouse_copy.staging_path):
        shutil.copy(f, wh / f.name)
    settings = Settings(seeds_dir=warehouse_copy.seeds_dir, warehouse_dir=wh)
    set_marker(settings.seeds_dir, "full-disk")
    published_before, staging_before = sha256(settings.published_path), staging_snapshot(settings)
    record = refresh(settings)
    assert record.status == "failed" and record.exit_code != 0
    assert "space" in record.error.lower() or "write" in record.error.lower(), record.error
    assert sha256(settings.published_path) == published_before
    after = staging_snapshot(settings)
    assert (
        after == staging_before or after["fact_number"] != staging_before["fact_number"]
    )  # old, or fully loaded
    assert not any(settings.build_root.iterdir())
    small_disk(200)  # the operator frees space
    record = refresh(settings)
    assert record.status == "success", record.error


def test_an_unknown_storage_version_fails_before_any_work(warehouse_copy):
    published = sha256(warehouse_copy.published_path)
    staged = staging_snapshot(warehouse_copy)
    proc = cli(warehouse_copy, "refresh", "--storage-version", "v9.9.9")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err
    assert "storage version 'v9.9.9'" in err and "v1.1.0" in err  # the valid ones are listed
    [*_, run] = read_runs(warehouse_copy)
    assert (run["status"], run["stage"], run["exit_code"]) == ("failed", "fingerprint", 2)
    assert "validate" not in run["stage_seconds"]  # nothing was read, loaded or built
    assert sha256(warehouse_copy.published_path) == published
    assert staging_snapshot(warehouse_copy) == staged
