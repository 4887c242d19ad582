"""Rule: a correction still applies: its quote is in its source and places.csv agrees with it."""

from __future__ import annotations

from pathlib import Path

from etl.checks.context import Checks
from etl.checks.quotes import normalise_ws
from etl.sources.seed_files import Reference


def check_corrections(checks: Checks, ref: Reference, path: Path) -> None:
    for c in ref.corrections:
        if c.source_id not in checks.articles:
            checks.add(path, c.line, c.correction_id, f"source {c.source_id!r} is not registered")
            continue
        _, article, _ = checks.articles[c.source_id]
        span = article.find(c.quote)
        if span is None:
            checks.add(
                path,
                c.line,
                c.correction_id,
                "the correction no longer applies: its quote is not in the source",
                "review the correction against the article; remove it or update its quote",
            )
            continue
        place = checks.places.get(c.place)
        if place is None:
            checks.add(path, c.line, c.correction_id, f"unknown place {c.place!r}")
            continue
        if c.status == "applied" and place.get("place_type") != c.corrected:
            checks.add(
                path,
                c.line,
                c.correction_id,
                f"the correction says {c.place} is a {c.corrected}, but places.csv says "
                f"{place.get('place_type')}",
            )
            continue
        checks.corpus.corrections.append(
            {
                "correction_id": c.correction_id,
                "source_id": c.source_id,
                "quote": c.quote,
                "evidence_start": span[0],
                "evidence_end": span[1],
                "field_name": c.field,
                "place_id": c.place,
                "stated_value": c.stated,
                "corrected_value": c.corrected,
                "reason": normalise_ws(c.reason),
                "status": c.status,
            }
        )
