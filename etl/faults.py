"""Named pause points for crash and timing tests: a real process is paused at a known point
(then killed, or left to go on).

Does nothing unless TECHHUBS_PAUSE_AT names the point. Then the process writes
``<warehouse>/.paused-<point>`` (holding its pid) and sleeps TECHHUBS_PAUSE_SECONDS
(default 120), so a test can SIGKILL it exactly there. Points:

- ``load-transaction``: inside the staging load transaction, after the writes, before commit
- ``dbt-parse``: in the refresh's dbt warmup (etl/build/dbt.py), dbt imported, before it parses
- ``dbt-running``: while dbt is building (after its first model)
- ``publish``: after verification, just before the rename over the published file
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def pause_point(name: str, warehouse_dir: Path) -> None:
    if os.environ.get("TECHHUBS_PAUSE_AT") != name:
        return
    (warehouse_dir / f".paused-{name}").write_text(str(os.getpid()))
    time.sleep(float(os.environ.get("TECHHUBS_PAUSE_SECONDS", "120")))
