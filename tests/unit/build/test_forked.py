"""Validation and the load in a forked process (etl/build/forked.py): the same staging as in this
process, errors raised here as they were there, nothing left running or half-written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import filelock
import pytest

from etl.build import forked
from etl.build.fingerprint import SeedDigests
from etl.build.refresh import _lock_fds, validate_and_load
from etl.checks.validate import validate_seeds
from etl.problems import ValidationFailed
from etl.settings import PROJECT_DIR, Settings
from etl.staging import load, migrate
from tests.helpers import edit, table_rows

pytestmark = pytest.mark.skipif(not forked.can_fork(), reason="this system does not fork")


def wait_for(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"timed out waiting for {path}"
        time.sleep(0.05)


def test_validation_and_load_in_a_forked_process_equal_those_in_this_process(tmp_path, seeds_copy):
    here = Settings.from_env(seeds_copy, tmp_path / "here")
    apart = Settings.from_env(seeds_copy, tmp_path / "apart")
    said_here: list[tuple] = []
    said_apart: list[tuple] = []
    expected = validate_and_load(
        lambda *m: said_here.append(m), here, False, SeedDigests(), "run-1", "fp"
    )
    child = forked.Forked(
        validate_and_load, apart, False, SeedDigests(), "run-1", "fp", name="validation and load"
    )
    assert child.result(lambda *m: said_apart.append(m)) == expected
    counts, changes = expected
    assert changes["added"] == 44 + 27 + 1 and counts["fact_number"] == 44
    # what it said, in order: the validation's summary, then the stages it entered
    assert said_apart == said_here
    assert [m[0] for m in said_apart] == ["validate", "migrate", "load"]
    assert [len(m) == 3 and m[2] for m in said_apart] == [False, True, True]
    for table in load.DATA_TABLES:
        assert table_rows(apart.staging_path, table) == table_rows(here.staging_path, table)


def test_invalid_seeds_raise_every_problem_here_and_load_nothing(tmp_path, seeds_copy):
    settings = Settings.from_env(seeds_copy, tmp_path / "wh")
    edit(seeds_copy, "facts/inland-innovation-2022.yml", "value: ", "value: 9", count=2)
    with pytest.raises(ValidationFailed) as in_this_process:
        validate_and_load(lambda *m: None, settings, False, SeedDigests(), "run-1", "fp")
    child = forked.Forked(
        validate_and_load, settings, False, SeedDigests(), "run-1", "fp", name="validation"
    )
    with pytest.raises(ValidationFailed) as from_child:
        child.result()
    # the problems themselves came back (ValidationFailed.__reduce__), not only their text
    assert from_child.value.problems == in_this_process.value.problems
    assert len(from_child.value.problems) >= 2
    assert from_child.value.render() == in_this_process.value.render()
    assert any("in the validation process" in n for n in from_child.value.__notes__)
    assert not settings.staging_path.exists()  # validation fails before staging is made


def test_a_failed_load_raises_its_error_here_and_changes_nothing(tmp_path, seeds_copy):
    staging = tmp_path / "staging.duckdb"
    migrate.upgrade(staging)
    load.load_corpus(staging, validate_seeds(seeds_copy), "run-1", "fp")
    before = {t: table_rows(staging, t) for t in load.DATA_TABLES + ["etl_run"]}
    corpus = validate_seeds(seeds_copy)
    corpus.evidence.append({**corpus.evidence[0], "quote": corpus.evidence[0]["quote"] + " again"})
    corpus.numbers[0] = {**corpus.numbers[0], "content_hash": "changed"}

    def bad_load(emit):
        return load.load_corpus(staging, corpus, "run-2", "fp")

    with pytest.raises(Exception, match="(?i)constraint|duplicate") as raised:
        forked.Forked(bad_load, name="load").result()
    assert any("in the load process" in n for n in raised.value.__notes__)
    assert {t: table_rows(staging, t) for t in load.DATA_TABLES + ["etl_run"]} == before


class Unpicklable(Exception):
    def __init__(self, a, b):
        super().__init__(f"{a} and {b}")  # args (one) do not fit __init__ (two)


def test_an_error_that_cannot_come_back_as_it_was_comes_back_as_its_text():
    def fails(emit):
        raise Unpicklable("this", "that")

    with pytest.raises(forked.ForkFailed, match="Unpicklable: this and that") as raised:
        forked.Forked(fails, name="test").result()
    assert "in fails" in raised.value.__notes__[0]  # and where it was raised


def _raises_deep(emit):
    def inner():
        raise ValueError("staging is broken")

    inner()


def test_the_childs_error_is_said_once_with_its_traceback_once():
    """The refresh records the error and its traceback with the note: the child's traceback
    comes once, and the error's line once in it (it came twice, and its line four times)."""
    with pytest.raises(ValueError, match="staging is broken") as raised:
        forked.Forked(_raises_deep, name="test").result()
    (note,) = raised.value.__notes__
    assert note.startswith("in the test process:\nTraceback (most recent call last):")
    assert note.count("Traceback (most recent call last)") == 1
    assert note.count("ValueError: staging is broken") == 1
    assert "in inner" in note and note.endswith("ValueError: staging is broken")


def test_a_child_that_dies_without_a_result_is_reported():
    def dies(emit):
        emit("before", "dying")
        os._exit(7)

    said: list[tuple] = []
    with pytest.raises(forked.ForkFailed, match=r"ended without a result \(exit code 7\)"):
        forked.Forked(dies, name="test").result(lambda *m: said.append(m))
    assert said == [("before", "dying")]


def test_a_load_stopped_before_its_result_leaves_staging_as_it_was(
    tmp_path, seeds_copy, monkeypatch
):
    """What a refresh that fails while the child loads does (Forked.stop): the child is
    killed inside its transaction (the pause point before commit), which DuckDB rolls back."""
    settings = Settings.from_env(seeds_copy, tmp_path / "wh")
    migrate.upgrade(settings.staging_path)
    before = {t: table_rows(settings.staging_path, t) for t in load.DATA_TABLES}
    monkeypatch.setenv("TECHHUBS_PAUSE_AT", "load-transaction")
    child = forked.Forked(
        validate_and_load, settings, False, SeedDigests(), "run-1", "fp", name="load"
    )
    wait_for(settings.warehouse_dir / ".paused-load-transaction")
    child.stop()
    assert {t: table_rows(settings.staging_path, t) for t in load.DATA_TABLES} == before


def test_an_interrupt_in_the_child_comes_back_as_a_failure_not_as_an_interrupt():
    """KeyboardInterrupt or SystemExit raised here would skip the refresh's record of its
    failure (it catches Exception)."""
    for stop in (KeyboardInterrupt(), SystemExit(0)):

        def stops(emit, stop=stop):
            raise stop

        with pytest.raises(forked.ForkFailed, match=type(stop).__name__):
            forked.Forked(stops, name="test").result()


def test_the_child_closes_the_lock_the_parent_still_holds(tmp_path):
    lock = filelock.FileLock(str(tmp_path / ".refresh.lock"))
    with lock:
        (fd,) = _lock_fds(lock)

        def look(emit):
            try:
                os.fstat(fd)
            except OSError:
                closed = True
            else:
                closed = False
            try:  # a new lock on the same file, from the child: the parent still holds it
                filelock.FileLock(str(tmp_path / ".refresh.lock"), timeout=0).acquire()
            except filelock.Timeout:
                return closed, "held"
            return closed, "free"

        assert forked.Forked(look, name="test", close_fds=(fd,)).result() == (True, "held")
        assert lock.is_locked and os.fstat(fd)  # the parent's descriptor is untouched


PARENT = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from etl.build import forked

    def sleeps(emit, out):
        Path(out + ".tmp").write_text(str(os.getpid()))
        os.replace(out + ".tmp", out)  # whole, or not there
        time.sleep(120)

    child = forked.Forked(sleeps, sys.argv[1], name="sleeper")
    child.result()
""")


def test_the_child_dies_with_the_process_that_forked_it(tmp_path):
    """A refresh killed with SIGKILL runs no cleanup: the kernel ends its child (Linux)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_PDEATHSIG is Linux's")
    pid_file = tmp_path / "child.pid"
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(pid_file)], cwd=PROJECT_DIR, stderr=subprocess.PIPE
    )
    try:
        wait_for(pid_file)
        child = int(pid_file.read_text())
        os.kill(child, 0)  # running
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
    deadline = time.monotonic() + 30
    while _alive(child):
        assert time.monotonic() < deadline, f"the child {child} outlived its parent"
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    """Running, not a zombie (a dead child that init has yet to reap)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
