"""Work in a forked process that dies with the refresh: its own GIL and its own memory.

The refresh (etl/build/refresh.py) validates, migrates and loads staging in one (``Forked``), while
its own process prepares the dbt build beside it (etl/build/dbt.py, DbtWarmup). In one process
the two shared one GIL: dbt's import and parse waited for validation and the load, or slowed
them. And the validated rows, gigabytes at 20,000 articles, are freed with the child, whole,
before dbt builds.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing as mp
import os
import pickle
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

Emit = Callable[..., None]  # emit(*message): sends a message to the parent as it happens


class ForkFailed(RuntimeError):
    """The forked process ended without a result, or failed with an error that could not be
    sent back as it was (its text is in the message)."""


def can_fork() -> bool:
    """Whether ``Forked`` may run here: a system that forks, and no other thread in this
    process (a fork copies only the calling thread; a lock another thread holds would stay
    held in the child). Otherwise the caller runs the work in this process."""
    return "fork" in mp.get_all_start_methods() and threading.active_count() == 1


class Forked:
    """``target(emit, *args)`` in a forked process, started as this is made. ``result()``
    hands the child's messages to a callback as they come, then returns what ``target``
    returned (pickled: keep it small) or raises its exception, with a note of where.

    Make it before any thread starts: a fork copies no thread but this one, and a lock another
    thread holds (an import's) would stay held in the child. The child is not a daemon, so it
    may fork workers of its own (etl/checks/validate.py); it dies with the process that made it
    (PR_SET_PDEATHSIG on Linux), so a killed refresh leaves nothing running, and an open
    transaction of the child's is gone with it, as in one process."""

    def __init__(
        self,
        target: Callable[..., Any],
        *args: Any,
        name: str,
        close_fds: tuple[int, ...] = (),
        before: Callable[[], Any] | None = None,
        later: bool = False,
    ) -> None:
        """``close_fds``: descriptors the child closes first (the refresh's lock: with flock,
        the parent's descriptor still holds it, and the child's workers do not inherit it).
        ``before``: called in the child first (imports, say); with ``later``, the child then
        waits for ``target``'s arguments (``start``), so that it may be made, and do
        ``before``, while this process works out what to give it."""
        ctx = mp.get_context("fork")
        self.name = name
        self._receive, send = ctx.Pipe(duplex=False)
        args_in, self._args = ctx.Pipe(duplex=False) if later else (None, None)
        for stream in (sys.stdout, sys.stderr):  # the child must not write them out again
            stream.flush()
        self._process = ctx.Process(
            target=_run_in_child,
            args=(send, args_in, os.getpid(), close_fds, target, args, before),
            name=name,
        )
        try:
            self._process.start()
        finally:
            send.close()
            if args_in is not None:
                args_in.close()

    def start(self, *args: Any) -> Forked:
        """Give a child made with ``later`` the arguments of its target: it runs it now."""
        self._args.send(args)
        self._args.close()
        return self

    def result(self, on_message: Emit | None = None) -> Any:
        try:
            while True:
                kind, *rest = self._receive.recv()
                if kind != "message":
                    break
                if on_message is not None:
                    on_message(*rest[0])
        except EOFError:
            self._process.join()
            raise ForkFailed(
                f"the {self.name} process ended without a result "
                f"(exit code {self._process.exitcode})"
            ) from None
        finally:
            self._receive.close()
        self._process.join()
        if kind == "ok":
            return rest[0]
        value, summary, trace = rest
        try:
            error = pickle.loads(value) if value is not None else None
        except Exception:  # noqa: BLE001 - an error that does not unpickle: its text
            error = None
        # not KeyboardInterrupt or SystemExit: those stop the child, and say nothing of the
        # work; raised here, they would skip the refresh's record of its failure
        if not isinstance(error, Exception):
            error = ForkFailed(f"in the {self.name} process: {summary}")
        # where it happened, once: the traceback ends with the error's own line
        error.add_note(f"in the {self.name} process:\n{trace.rstrip()}")
        raise error

    def stop(self) -> None:
        """End the child if it still runs (the refresh failed before its result)."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._receive.close()
        if self._args is not None:
            self._args.close()


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel kills this process when the process that forked it dies."""
    with contextlib.suppress(Exception):  # not Linux: no such call
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it died before the call
        os._exit(1)


def _run_in_child(
    send: Any,
    args_in: Any,
    parent: int,
    close_fds: tuple[int, ...],
    target: Callable[..., Any],
    args: tuple,
    before: Callable[[], Any] | None,
) -> None:
    _die_with_parent(parent)
    for fd in close_fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    try:
        if before is not None:
            before()
        if args_in is not None:
            try:
                args = args_in.recv()
            except EOFError:  # the parent needs no more (and kills this process)
                return
        value = target(lambda *message: send.send(("message", message)), *args)
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, which raises it
        trace = "".join(traceback.format_exception(exc))
        try:
            pickled = pickle.dumps(exc)
        except Exception:  # noqa: BLE001 - not picklable: its text only
            pickled = None
        send.send(("error", pickled, f"{type(exc).__name__}: {exc}", trace))
    else:
        send.send(("ok", value))
    finally:
        send.close()
