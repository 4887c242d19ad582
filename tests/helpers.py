"""Small helpers shared by test modules."""

from __future__ import annotations

import hashlib
from pathlib import Path


def edit(seeds: Path, rel: str, old: str, new: str, count: int = 1) -> None:
    """Replace text in a seed file, failing loudly if the text is not there."""
    path = seeds / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
