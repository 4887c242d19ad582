"""Fingerprint the inputs of a build: if it matches the published file's, there is nothing to do."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .settings import Settings, package_version

# Inside the project folder: what shapes the marts besides the seeds.
PROJECT_INPUTS = ("models", "macros", "tests/dbt", "migrations", "etl")
PROJECT_FILES = ("dbt_project.yml", "profiles.yml")
SUFFIXES = {".py", ".sql", ".yml", ".yaml", ".csv", ".txt", ".md", ".mako", ".json"}


def _files(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and (p.suffix in SUFFIXES or p.parent.name == "articles")
    )


def _file_digests(paths: list[tuple[str, Path]], cache_path: Path | None) -> dict[str, str]:
    """sha256 of each file, reusing the digest of a file whose size and mtime (ns) are unchanged
    since the last run (as git does): a corpus of 40,000 files is then stat()ed, not read."""
    cache: dict[str, list] = {}
    if cache_path is not None and cache_path.exists():
        try:
            cache = json.loads(cache_path.read_text())
        except (OSError, ValueError):
            cache = {}
    out, fresh = {}, {}
    for label, path in paths:
        st = path.stat()
        hit = cache.get(label)
        if hit and hit[0] == st.st_size and hit[1] == st.st_mtime_ns:
            digest = hit[2]
        else:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        out[label] = digest
        fresh[label] = [st.st_size, st.st_mtime_ns, digest]
    if cache_path is not None and fresh != cache:
        try:
            cache_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(fresh))
            tmp.replace(cache_path)
        except OSError:
            pass  # the cache only saves time
    return out


def input_fingerprint(settings: Settings, use_cache: bool = True) -> str:
    paths: list[tuple[str, Path]] = [
        ("seeds/" + p.relative_to(settings.seeds_dir).as_posix(), p)
        for p in _files(settings.seeds_dir)
    ]
    for sub in PROJECT_INPUTS:
        base = settings.project_dir / sub
        if base.exists():
            paths += [(p.relative_to(settings.project_dir).as_posix(), p) for p in _files(base)]
    paths += [(name, settings.project_dir / name) for name in PROJECT_FILES]
    cache_path = settings.warehouse_dir / ".cache" / "fingerprint.json" if use_cache else None
    digests = _file_digests(paths, cache_path)
    digest = hashlib.sha256()
    for label in sorted(digests):
        digest.update(f"{label}\0{digests[label]}\0".encode())
    digest.update(f"package={package_version()}\0storage={settings.storage_version}".encode())
    return digest.hexdigest()
