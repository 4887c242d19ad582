"""Fingerprint the inputs of a build: if it matches the published file's, there is nothing to do."""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Iterator, Mapping
from pathlib import Path

from etl.settings import Settings, package_version, save_cache

# Inside the project folder: what shapes the marts besides the seeds.
PROJECT_INPUTS = ("models", "macros", "tests/dbt", "migrations", "etl")
PROJECT_FILES = ("dbt_project.yml", "profiles.yml")
SUFFIXES = {".py", ".sql", ".yml", ".yaml", ".csv", ".txt", ".md", ".mako", ".json"}


# (label, size, mtime in ns, path) of an input file
FileState = tuple[str, int, int, str]


def _files(root: Path, prefix: str) -> list[FileState]:
    """The state of every input file under ``root``, sorted by label: one scandir walk, plain
    strings and ints (pathlib's per-object costs dominate at tens of thousands of files)."""
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
                    st = entry.stat()
                    out.append((label + name, st.st_size, st.st_mtime_ns, entry.path))
    out.sort()  # labels are unique: sorted by label
    return out


def _file(label: str, path: Path) -> FileState:
    st = path.stat()
    return (label, st.st_size, st.st_mtime_ns, str(path))


def _file_digests(files: list[FileState], cache_path: Path | None) -> tuple[dict[str, str], str]:
    """sha256 of each file by label, and one sha256 over them all (in label order).

    A file's digest is reused while its size and mtime (ns) are unchanged since the last run
    (as git does): a corpus of 40,000 files is then stat()ed, not read. When no file was
    added, removed or touched, the whole list of states equals the cached one, and the
    cached result is used as it is (one comparison in C, no loop over the files: a no-op
    refresh at 20,000 articles is mostly this).

    The cache is a pickle (JSON took three times as long to read at 40,000 files), rewritten
    only when something changed."""
    cache: dict = {}
    if cache_path is not None:
        try:
            cache = pickle.loads(cache_path.read_bytes())
            if cache.get("files") == files:
                return cache["digests"], cache["combined"]
        except Exception:  # noqa: BLE001 - no cache, or a damaged or older one: check each file
            cache = {}
    known: dict[str, tuple[int, int, str]] = cache.get("known", {})
    out: dict[str, str] = {}
    fresh: dict[str, tuple[int, int, str]] = {}
    for label, size, mtime, path in files:
        hit = known.get(label)
        if hit is not None and hit[0] == size and hit[1] == mtime:
            digest = hit[2]
        else:
            with open(path, "rb") as fh:
                digest = hashlib.sha256(fh.read()).hexdigest()
        fresh[label] = (size, mtime, digest)
        out[label] = digest
    combined = hashlib.sha256(
        "".join(f"{label}\0{out[label]}\0" for label, *_ in files).encode()
    ).hexdigest()
    if cache_path is not None:
        save_cache(
            cache_path,
            pickle.dumps(
                {"files": files, "known": fresh, "digests": out, "combined": combined},
                protocol=pickle.HIGHEST_PROTOCOL,
            ),
        )
    return out, combined


# What turns staging into the marts: a published file built with the same transform can be
# updated incrementally (etl/build/dbt.py); one built with other models is rebuilt in full.
TRANSFORM_INPUTS = ("models", "macros")
TRANSFORM_FILES = ("dbt_project.yml", "profiles.yml")


def transform_key(settings: Settings) -> str:
    from importlib.metadata import version

    files = []
    for sub in TRANSFORM_INPUTS:
        files += _files(settings.project_dir / sub, f"{sub}/")
    for name in TRANSFORM_FILES:
        files.append(_file(name, settings.project_dir / name))
    # how dbt is run: the package's own code
    files.append(_file("etl/build/dbt.py", Path(__file__).parent / "dbt.py"))
    files.sort()
    _, combined = _file_digests(files, None)
    return hashlib.sha256(
        f"{combined}\0dbt={version('dbt-core')}\0dbt-duckdb={version('dbt-duckdb')}\0"
        f"duckdb={version('duckdb')}\0storage={settings.storage_version}".encode()
    ).hexdigest()


class SeedDigests(Mapping[str, str]):
    """Each seed file's sha256 by its path, as the fingerprint found them. Built on first use:
    a refresh with nothing to do stops before validation would read it (at 40,000 files,
    a tenth of a second of the no-op)."""

    def __init__(self) -> None:
        self._source: tuple[list[FileState], dict[str, str]] | None = None
        self._by_path: dict[str, str] | None = None

    def _set(self, files: list[FileState], digests: dict[str, str]) -> None:
        self._source, self._by_path = (files, digests), None

    def _map(self) -> dict[str, str]:
        if self._by_path is None:
            files, digests = self._source or ([], {})
            self._by_path = {
                path: digests[label] for label, _, _, path in files if label.startswith("seeds/")
            }
        return self._by_path

    def __getitem__(self, path: str) -> str:
        return self._map()[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self._map())

    def __len__(self) -> int:
        return len(self._map())


def input_fingerprint(
    settings: Settings, use_cache: bool = True, seed_digests: SeedDigests | None = None
) -> str:
    """SHA-256 over every input of a build. ``seed_digests``, when given, receives each seed
    file's own sha256 by its path, so validation does not read and hash 20,000 files again."""
    files = _files(settings.seeds_dir, "seeds/")
    for sub in PROJECT_INPUTS:
        base = settings.project_dir / sub
        if base.exists():
            files += _files(base, f"{sub}/")
    for name in PROJECT_FILES:
        files.append(_file(name, settings.project_dir / name))
    files.sort()
    cache_path = settings.warehouse_dir / ".cache" / "fingerprint.pickle" if use_cache else None
    digests, combined = _file_digests(files, cache_path)
    if seed_digests is not None:
        seed_digests._set(files, digests)
    return hashlib.sha256(
        f"{combined}\0package={package_version()}\0storage={settings.storage_version}".encode()
    ).hexdigest()
