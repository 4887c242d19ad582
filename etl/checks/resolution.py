"""Rule: every place, firm and metric a fact names is in the reference data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from etl.checks.context import Checks


def check_place_firm(
    checks: Checks, path: Path, fact: Any, place: str | None, firm: str | None
) -> None:
    if place is not None and place not in checks.places:
        checks.add(
            path,
            fact.line,
            fact.id,
            f"unknown place {place!r}",
            "use a place_id from seeds/reference/places.csv, or add the place there",
        )
    if firm is not None and firm not in checks.firms:
        checks.add(
            path,
            fact.line,
            fact.id,
            f"unknown firm {firm!r}",
            "use a firm_id from seeds/reference/firms.csv, or add the firm there",
        )
    if place is None and firm is None:
        checks.add(path, fact.line, fact.id, "a fact needs a place, a firm or both")


def metric_of(checks: Checks, path: Path, fact: Any) -> dict[str, Any] | None:
    """The fact's metric row, or None (and a problem) when the metric is unknown."""
    metric = checks.metrics.get(fact.metric)
    if metric is None:
        checks.add(
            path,
            fact.line,
            fact.id,
            f"unknown metric {fact.metric!r}",
            "use a metric_id from seeds/reference/metrics.csv, or add the metric there",
        )
    return metric
