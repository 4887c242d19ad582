"""Fingerprint the inputs of a build: if it matches the published file's, there is nothing to do."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from .settings import Settings, package_version, save_cache

# Inside the project folder: what shapes the marts besides the seeds.
PROJECT_INPUTS = ("models", "macros", "tests/dbt", "migrations", "etl")
PROJECT_FILES = ("dbt_project.yml", "profiles.yml")
SUFFIXES = {".py", ".sql", ".yml", ".yaml", ".csv", ".txt", ".md", ".mako", ".json"}


def _files(root: Path, prefix: str) -> list[tuple[str, str, os.stat_result]]:
    """(label, path, stat) of every input file under ``root``, sorted by label: one scandir walk,
    plain strings (pathlib's per-object costs dominate at tens of thousands of files)."""
    out = []
    stack = [(str(root), prefix)]
    while stack:
        folder, label = stack.pop()
        every_file = os.path.basename(folder) == "articles"
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if entry.is_dir(follow_symlinks=False):
                    if name != "__pycache__":
                        stack.append((entry.path, f"{label}{name}/"))
                elif entry.is_file() and (every_file or name[name.rfind(".") :] in SUFFIXES):
                    out.append((label + name, entry.path, entry.stat()))
    out.sort(key=lambda item: item[0])
    return out


def _file_digests(
    files: list[tuple[str, str, os.stat_result]], cache_path: Path | None
) -> dict[str, str]:
    """sha256 of each file, reusing the digest of a file whose size and mtime (ns) are unchanged
    since the last run (as git does): a corpus of 40,000 files is then stat()ed, not read.

    The cache is a pickle of ``{label: (size, mtime_ns, digest)}`` (JSON took three times as
    long to read at 40,000 files, a tenth of a no-op refresh); it is rewritten only when a file
    was added, removed or changed."""
    cache: dict[str, tuple] = {}
    if cache_path is not None:
        try:
            cache = pickle.loads(cache_path.read_bytes())
        except Exception:  # noqa: BLE001 - no cache, or a damaged one: hash every file
            cache = {}
    out: dict[str, str] = {}
    fresh: dict[str, tuple] = {}
    changed = len(cache) != len(files)
    for label, path, st in files:
        hit = cache.get(label)
        if hit is not None and hit[0] == st.st_size and hit[1] == st.st_mtime_ns:
            digest = hit[2]
            fresh[label] = hit
        else:
            with open(path, "rb") as fh:
                digest = hashlib.sha256(fh.read()).hexdigest()
            fresh[label] = (st.st_size, st.st_mtime_ns, digest)
            changed = True
        out[label] = digest
    if cache_path is not None and changed:
        save_cache(cache_path, pickle.dumps(fresh, protocol=pickle.HIGHEST_PROTOCOL))
    return out


def _combine(digests: dict[str, str]) -> hashlib._Hash:
    """One hash over every (label, digest), in label order: one update, not one per file."""
    return hashlib.sha256(
        "".join(f"{label}\0{digests[label]}\0" for label in sorted(digests)).encode()
    )


# What turns staging into the marts: a published file built with the same transform can be
# updated incrementally (etl/build.py); one built with other models is rebuilt in full.
TRANSFORM_INPUTS = ("models", "macros")
TRANSFORM_FILES = ("dbt_project.yml", "profiles.yml")


def transform_key(settings: Settings) -> str:
    from importlib.metadata import version

    files = []
    for sub in TRANSFORM_INPUTS:
        files += _files(settings.project_dir / sub, f"{sub}/")
    for name in TRANSFORM_FILES:
        path = settings.project_dir / name
        files.append((name, str(path), path.stat()))
    build_code = Path(__file__).parent / "build.py"  # how dbt is run: the package's own code
    files.append(("etl/build.py", str(build_code), build_code.stat()))
    digest = _combine(_file_digests(files, None))
    digest.update(
        f"dbt={version('dbt-core')}\0dbt-duckdb={version('dbt-duckdb')}\0"
        f"duckdb={version('duckdb')}\0storage={settings.storage_version}".encode()
    )
    return digest.hexdigest()


def input_fingerprint(
    settings: Settings, use_cache: bool = True, seed_digests: dict[str, str] | None = None
) -> str:
    """SHA-256 over every input of a build. ``seed_digests``, when given, receives each seed
    file's own sha256 by its path, so validation does not read and hash 20,000 files again."""
    files = _files(settings.seeds_dir, "seeds/")
    for sub in PROJECT_INPUTS:
        base = settings.project_dir / sub
        if base.exists():
            files += _files(base, f"{sub}/")
    for name in PROJECT_FILES:
        path = settings.project_dir / name
        files.append((name, str(path), path.stat()))
    cache_path = settings.warehouse_dir / ".cache" / "fingerprint.pickle" if use_cache else None
    digests = _file_digests(files, cache_path)
    if seed_digests is not None:
        seed_digests.update(
            (path, digests[label]) for label, path, _ in files if label.startswith("seeds/")
        )
    digest = _combine(digests)
    digest.update(f"package={package_version()}\0storage={settings.storage_version}".encode())
    return digest.hexdigest()
