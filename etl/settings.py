"""Where things are: one immutable settings object passed to every stage."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DB_NAME = (
    "tech_hubs.duckdb"  # dbt-duckdb names the catalog after this; keep it in the build folder too
)
DEFAULT_STORAGE_VERSION = "v1.1.0"  # readable by DuckDB 1.1 clients and BI drivers that bundle it


def save_cache(path: Path, data: bytes) -> None:
    """Write a cache file atomically (a reader sees the old one or the new one); a cache only
    saves time, so failing to write it is not an error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError:
        pass


def package_version() -> str:
    try:
        return version("techhubs")
    except PackageNotFoundError:  # running from a checkout without install
        return "0+unknown"


@dataclass(frozen=True)
class Settings:
    seeds_dir: Path = field(default_factory=lambda: PROJECT_DIR / "seeds")
    warehouse_dir: Path = field(default_factory=lambda: PROJECT_DIR / "warehouse")
    project_dir: Path = PROJECT_DIR
    storage_version: str = DEFAULT_STORAGE_VERSION
    keep_published: int = 3
    lock_timeout: float = 0.0
    # An incremental build deletes and inserts the rows that depend on the changed sources;
    # past this share of all sources changed, building every table afresh is cheaper.
    incremental_max_share: float = 0.10
    # An incremental build updates the published file's copy in place; the blocks it frees are
    # reused only partly. Past this share of free blocks the copy is dropped and the build is
    # full: a new file holds only live data (a full build leaves about a tenth free). Builds
    # that each add 1 % of 20,000 articles settle at 34 % free (docs/operations.md).
    incremental_max_free_share: float = 0.40

    @classmethod
    def from_env(
        cls, seeds_dir: Path | None = None, warehouse_dir: Path | None = None, **overrides: object
    ) -> Settings:
        """Absolute paths from arguments, then TECHHUBS_* environment variables, then the defaults."""
        env = os.environ
        seeds = seeds_dir or (Path(env["TECHHUBS_SEEDS"]) if env.get("TECHHUBS_SEEDS") else None)
        wh = warehouse_dir or (
            Path(env["TECHHUBS_WAREHOUSE"]) if env.get("TECHHUBS_WAREHOUSE") else None
        )
        kwargs: dict[str, object] = {}
        if seeds:
            kwargs["seeds_dir"] = seeds.resolve()
        if wh:
            kwargs["warehouse_dir"] = wh.resolve()
        if env.get("TECHHUBS_PROJECT"):
            kwargs["project_dir"] = Path(env["TECHHUBS_PROJECT"]).resolve()
        if env.get("TECHHUBS_STORAGE_VERSION"):
            kwargs["storage_version"] = env["TECHHUBS_STORAGE_VERSION"]
        if env.get("TECHHUBS_INCREMENTAL_MAX_SHARE"):
            kwargs["incremental_max_share"] = float(env["TECHHUBS_INCREMENTAL_MAX_SHARE"])
        if env.get("TECHHUBS_INCREMENTAL_MAX_FREE_SHARE"):
            kwargs["incremental_max_free_share"] = float(env["TECHHUBS_INCREMENTAL_MAX_FREE_SHARE"])
        kwargs.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**kwargs)  # type: ignore[arg-type]

    @property
    def staging_path(self) -> Path:
        return self.warehouse_dir / "staging.duckdb"

    @property
    def published_path(self) -> Path:
        return self.warehouse_dir / DB_NAME

    @property
    def build_root(self) -> Path:
        return self.warehouse_dir / ".build"

    @property
    def history_dir(self) -> Path:
        return self.warehouse_dir / ".published"

    @property
    def lock_path(self) -> Path:
        return self.warehouse_dir / ".refresh.lock"

    @property
    def run_log_path(self) -> Path:
        return self.warehouse_dir / "runs.jsonl"

    @property
    def validation_cache_dir(self) -> Path:
        # validated facts per file, keyed by the file's, its article's, the reference data's and the
        # validation code's content: an unchanged article is not validated again
        return self.warehouse_dir / ".cache" / "validate"

    @property
    def dbt_target_dir(self) -> Path:
        # Kept between runs so dbt's partial parsing can reuse the parse.
        return self.warehouse_dir / ".dbt" / "target"

    @property
    def dbt_log_dir(self) -> Path:
        return self.warehouse_dir / ".dbt" / "logs"
