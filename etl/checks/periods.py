"""Rule: a fact's period resolves against its article's date and does not end before it starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from etl.checks.context import Checks
from etl.sources.periods import Period, PeriodError, StatementDate, resolve_period
from etl.sources.seed_files import LINE_KEY


def check_period(
    checks: Checks, path: Path, fact: Any, spec: Any, stated: StatementDate
) -> Period | None:
    if isinstance(spec, dict):
        spec = {k: v for k, v in spec.items() if k != LINE_KEY}
    try:
        period = resolve_period(spec, stated)
    except PeriodError as exc:
        checks.add(path, fact.line, fact.id, f"period: {exc}")
        return None
    if period.end < period.start:
        checks.add(
            path,
            fact.line,
            fact.id,
            f"period ends ({period.end}) before it starts ({period.start})",
        )
        return None
    return period
