"""Time a full refresh against a refresh with nothing to do, side by side in one run.

A rebuild is timed twice: in full by dbt (``--full``), and forced (``--force``: with
nothing changed, an incremental build, which replays dbt's recorded statements of the one
before it, etl/build/replay.py; the first forced one records them).

    .venv/bin/python scripts/bench_refresh.py [--repeat 3]

Builds into a temporary folder from a copy of the seeds, so it never touches
warehouse/. Prints a table; it is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from etl.build.refresh import refresh
from etl.settings import PROJECT_DIR, Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp) / "seeds"
        shutil.copytree(PROJECT_DIR / "seeds", seeds)
        settings = Settings(seeds_dir=seeds, warehouse_dir=Path(tmp) / "warehouse")
        full, forced, noop = [], [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            record = refresh(settings, force=True, full=True)
            full.append(time.perf_counter() - t0)
            assert record.status == "success", record.error
            t0 = time.perf_counter()
            record = refresh(settings, force=True)
            forced.append(time.perf_counter() - t0)
            assert record.status == "success", record.error
            runner = f"{record.build_mode} build, {record.build_runner}"
            t0 = time.perf_counter()
            record = refresh(settings)
            noop.append(time.perf_counter() - t0)
            assert record.status == "up_to_date", record.status
        stages = refresh(settings, force=True, full=True).stage_seconds
    f, n = statistics.median(full), statistics.median(noop)
    print(f"{'refresh':<30}{'median s':>10}{'min s':>10}{'max s':>10}")
    for label, times in (
        ("full, by dbt (--full)", full),
        ("forced (--force)", forced),
        ("no-op (up to date)", noop),
    ):
        print(f"{label:<30}{statistics.median(times):>10.3f}{min(times):>10.3f}{max(times):>10.3f}")
    print(f"no-op / full = {n / f:.2%}  (goal: under 10 %)")
    print(f"the last forced refresh: {runner}")
    print(
        "stages of one full refresh by dbt: "
        + ", ".join(f"{k} {v:.2f}s" for k, v in stages.items())
    )


if __name__ == "__main__":
    main()
