"""Verify a built file, then swap it in over the published one with an atomic rename.

Readers that hold the old file open keep their consistent view (the inode lives on);
new connections see the new file. A failure at any step leaves the published file
as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from etl.settings import DB_NAME, Settings, save_cache

# The public interface (CONTRACT.md): these must exist in every published file.
PUBLIC_TABLES = (
    "dim_place",
    "dim_city",
    "dim_province",
    "dim_firm",
    "dim_metric",
    "dim_source",
    "fct_metric_observation",
    "fct_firm_presence",
    "fct_city_metric_year",
    "warehouse_build",
)
EXTRA_TABLES = ("fct_statement", "fct_fact_evidence", "dq_corrections", "dq_conflicts")


class VerifyFailed(Exception):
    """The built file is not fit to publish."""


def verify(path: Path, fingerprint: str) -> dict[str, int]:
    """Open the built file read-only, as a reader would, and check it; return row counts."""
    import duckdb

    if Path(str(path) + ".wal").exists():
        raise VerifyFailed(f"{path.name} has a write-ahead log left; it was not closed cleanly")
    con = duckdb.connect(str(path), read_only=True)
    try:
        objects = dict(
            con.execute(
                "select table_schema || '.' || table_name, table_type "
                "from information_schema.tables where table_catalog = current_database()"
            ).fetchall()
        )
        counts: dict[str, int] = {}
        for table in PUBLIC_TABLES + EXTRA_TABLES:
            kind = objects.get(f"main.{table}")
            if kind is None:
                raise VerifyFailed(f"table {table} is missing from the build")
            if kind != "BASE TABLE":
                raise VerifyFailed(f"{table} is a {kind}, not a table")
            counts[table] = con.execute(f'select count(*) from main."{table}"').fetchone()[0]
        expected = {f"main.{t}" for t in PUBLIC_TABLES + EXTRA_TABLES}
        stray = sorted(name for name in objects if name not in expected)
        if stray:
            raise VerifyFailed(f"unexpected tables or views in the build: {stray}")
        empty = [t for t in PUBLIC_TABLES if counts[t] == 0]
        if empty:
            raise VerifyFailed(f"public tables are empty: {', '.join(empty)}")
        row = con.execute("select input_fingerprint from warehouse_build").fetchall()
        if len(row) != 1 or row[0][0] != fingerprint:
            raise VerifyFailed(
                "warehouse_build does not describe this build (fingerprint mismatch)"
            )
        return counts
    finally:
        con.close()


def published_fingerprint(path: Path) -> str | None:
    """The input fingerprint of the published file, or None if there is none (or it is unreadable).

    Kept beside the file's identity (inode, size, modification time) in
    ``.cache/published.json``: a refresh with nothing to do then neither imports DuckDB nor
    opens the file (a fifth of a second of the no-op refresh). Every publish and rollback
    renames another file into place, so the identity changes with the file."""
    identity = _identity(path)
    if identity is None:
        return None
    try:
        cached = json.loads(_published_cache(path).read_text())
        if cached["file"] == identity:
            return cached["fingerprint"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    fingerprint = _build_column(path, "input_fingerprint")
    if fingerprint is not None:
        remember_fingerprint(path, fingerprint)
    return fingerprint


def _published_cache(path: Path) -> Path:
    return path.parent / ".cache" / "published.json"


def _identity(path: Path) -> list[int] | None:
    """Inode, size and modification time of the file at ``path``; None if there is none."""
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_ino, st.st_size, st.st_mtime_ns]


def remember_fingerprint(path: Path, fingerprint: str) -> None:
    """Record the fingerprint of the file now at ``path`` (verified to carry it) under its
    identity, so that the next refresh with nothing to do need not open it either."""
    identity = _identity(path)
    if identity is None:
        return  # a cache only saves time
    save_cache(
        _published_cache(path), json.dumps({"file": identity, "fingerprint": fingerprint}).encode()
    )


def published_build_id(path: Path) -> str | None:
    """The run that built the published file, or None if there is none (or it is unreadable)."""
    return _build_column(path, "build_id")


def _build_column(path: Path, column: str) -> str | None:
    import duckdb

    if not path.exists():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        return con.execute(f"select {column} from warehouse_build").fetchone()[0]
    except duckdb.Error:
        return None
    finally:
        con.close()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def swap_in(settings: Settings, built: Path, run_id: str) -> Path | None:
    """Keep the current published file in the history, then atomically rename ``built`` over it.

    Returns the history copy of the previous file, if there was one.
    """
    published = settings.published_path
    if built.resolve().parent.stat().st_dev != published.parent.resolve().stat().st_dev:
        raise VerifyFailed("the build folder is on another filesystem; rename would not be atomic")
    with open(built, "rb") as fh:
        os.fsync(fh.fileno())
    previous = None
    if published.exists():
        settings.history_dir.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        previous = settings.history_dir / f"{stamp}-{run_id}-{DB_NAME}"
        os.link(published, previous)  # a second name for the same bytes; no copy
    os.replace(built, published)
    _fsync_dir(published.parent)
    prune_history(settings)
    return previous


def history(settings: Settings) -> list[Path]:
    """Previously published files, newest first."""
    if not settings.history_dir.exists():
        return []
    return sorted(settings.history_dir.glob(f"*-{DB_NAME}"), reverse=True)


def prune_history(settings: Settings) -> None:
    for old in history(settings)[settings.keep_published :]:
        old.unlink(missing_ok=True)


class RollbackFailed(Exception):
    """There is nothing to roll back to, or the chosen file is not a warehouse."""


def rollback(settings: Settings, target: str | None = None) -> tuple[Path, Path | None]:
    """Put a previously published file back, atomically; the current one joins the history.

    ``target`` picks a history file by a part of its name (a run id or a timestamp);
    by default the newest. Returns (restored history file, history copy of the replaced file).
    Call while holding the refresh lock.
    """
    candidates = history(settings)
    if target:
        candidates = [p for p in candidates if target in p.name]
    if not candidates:
        raise RollbackFailed(
            f"no previously published file{' matching ' + repr(target) if target else ''} in {settings.history_dir}"
        )
    chosen = candidates[0]
    fingerprint = published_fingerprint(chosen)
    if fingerprint is None:
        raise RollbackFailed(f"{chosen.name} is not a readable warehouse (no warehouse_build)")
    staged = settings.warehouse_dir / f".rollback-{chosen.name}"
    staged.unlink(missing_ok=True)
    os.link(chosen, staged)
    replaced = None
    if settings.published_path.exists():
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        replaced = settings.history_dir / f"{stamp}-replaced-by-rollback-{DB_NAME}"
        os.link(settings.published_path, replaced)
    os.replace(staged, settings.published_path)
    _fsync_dir(settings.published_path.parent)
    chosen.unlink()  # it is the published file now; the replaced one takes its place in the history
    return chosen, replaced
