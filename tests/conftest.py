"""Shared fixtures: copies of the real seeds, and one real warehouse built from them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from etl.build.refresh import refresh
from etl.settings import PROJECT_DIR, Settings

SEEDS = PROJECT_DIR / "seeds"


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A private copy of the real seeds that a test may break."""
    dest = tmp_path / "seeds"
    shutil.copytree(SEEDS, dest)
    return dest


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The real warehouse, built once from the real seeds into a temporary folder."""
    root = tmp_path_factory.mktemp("built")
    seeds = root / "seeds"
    shutil.copytree(SEEDS, seeds)
    settings = Settings(seeds_dir=seeds, warehouse_dir=root / "warehouse")
    record = refresh(settings)
    assert record.status == "success", record.error
    return settings


@pytest.fixture
def warehouse_copy(built: Settings, tmp_path: Path) -> Settings:
    """A private copy of the built warehouse and its seeds, for tests that refresh again."""
    seeds = tmp_path / "seeds"
    wh = tmp_path / "warehouse"
    shutil.copytree(built.seeds_dir, seeds)
    shutil.copytree(built.warehouse_dir, wh)
    return Settings(seeds_dir=seeds, warehouse_dir=wh)
