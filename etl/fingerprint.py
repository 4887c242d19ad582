"""Fingerprint the inputs of a build: if it matches the published file's, there is nothing to do."""

from __future__ import annotations

import hashlib
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


def input_fingerprint(settings: Settings) -> str:
    digest = hashlib.sha256()

    def add(label: str, path: Path) -> None:
        digest.update(label.encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")

    for path in _files(settings.seeds_dir):
        add("seeds/" + path.relative_to(settings.seeds_dir).as_posix(), path)
    for sub in PROJECT_INPUTS:
        base = settings.project_dir / sub
        if base.exists():
            for path in _files(base):
                add(path.relative_to(settings.project_dir).as_posix(), path)
    for name in PROJECT_FILES:
        add(name, settings.project_dir / name)
    digest.update(f"package={package_version()}\0storage={settings.storage_version}".encode())
    return digest.hexdigest()
