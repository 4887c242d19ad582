"""One fact, one row: each kind of fact passes its rules and becomes a staging row.

A number: reference resolution, surface form, metric kind, review, period, money. A relation:
reference resolution, review, period. A statement: reference resolution, its text in its
quote. Every fact: a well-formed id and its quote in the article (the evidence row)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from etl.checks.context import SLUG, Checks
from etl.checks.corpus import content_hash
from etl.checks.money import MoneyRejected, check_money
from etl.checks.periods import check_period
from etl.checks.quotes import evidence, in_quote, normalise_ws
from etl.checks.resolution import check_place_firm, metric_of
from etl.checks.surface import check_metric_kind, check_surface, value_bounds
from etl.sources.numbers import SCALES
from etl.sources.periods import StatementDate
from etl.sources.seed_files import FactsFile, NumberFact, RelationFact, StatementFact

# (kind, row, evidence, facts file, line, source_id) of one valid fact
Item = tuple[str, dict[str, Any], dict[str, Any], str, int, str]


def _notes(text: str | None) -> str | None:
    return normalise_ws(text) if text else None


def check_number(
    checks: Checks, path: Path, fact: NumberFact, stated: StatementDate
) -> dict[str, Any] | None:
    metric = metric_of(checks, path, fact)
    ok = metric is not None
    check_place_firm(checks, path, fact, fact.place, fact.firm)
    parsed, surface_ok = check_surface(checks, path, fact)
    if parsed is None:
        return None
    ok &= surface_ok
    if metric is not None:
        ok &= check_metric_kind(checks, path, fact, metric, parsed)
    if fact.status != "reviewed":
        checks.add(
            path,
            fact.line,
            fact.id,
            "fact is not reviewed",
            "a curator checks it against the article, then sets status: reviewed (or deletes it)",
        )
        ok = False
    period = check_period(checks, path, fact, fact.period, stated)
    if period is None or not ok:
        return None
    full_value = fact.value * SCALES[fact.scale] if fact.scale else fact.value
    value_low, value_high = value_bounds(full_value, fact.comparator)
    try:
        fx_year, usd_stated, implied_rate = check_money(
            checks, path, fact, metric, period, full_value
        )
    except MoneyRejected:
        return None
    return {
        "fact_id": fact.id,
        "metric_id": fact.metric,
        "place_id": fact.place,
        "firm_id": fact.firm,
        "number_text": fact.number,
        "value_stated": fact.value,
        "scale": fact.scale,
        "value": full_value,
        "comparator": fact.comparator,
        "comparator_reason": fact.comparator_reason,
        "value_low": value_low,
        "value_high": value_high,
        "unit": metric["unit"]
        if fact.currency is None
        else {"CNY": "yuan", "USD": "US dollars"}[fact.currency],
        "currency": fact.currency,
        "usd_stated": usd_stated,
        "usd_implied_rate": implied_rate,
        "fx_year": fx_year if fact.currency else None,
        "fx_note": _notes(fact.fx_note),
        "period_start": period.start,
        "period_end": period.end,
        "period_precision": period.precision,
        "period_resolution": period.resolution,
        "period_note": fact.period_note,
        "value_type": fact.value_type,
        "notes": _notes(fact.notes),
    }


def check_relation(
    checks: Checks, path: Path, fact: RelationFact, stated: StatementDate
) -> dict[str, Any] | None:
    check_place_firm(checks, path, fact, fact.place, fact.firm)
    if fact.review != "reviewed":
        checks.add(
            path,
            fact.line,
            fact.id,
            "relation is not reviewed",
            "a curator checks it against the article, then sets review: reviewed (or deletes it)",
        )
        return None
    period = None
    if fact.period is not None:
        period = check_period(checks, path, fact, fact.period, stated)
        if period is None:
            return None
    return {
        "fact_id": fact.id,
        "firm_id": fact.firm,
        "place_id": fact.place,
        "presence_type": fact.presence_type,
        "status": fact.status,
        "period_start": period.start if period else None,
        "period_end": period.end if period else None,
        "period_precision": period.precision if period else None,
        "period_resolution": period.resolution if period else None,
        "investment_fact_id": fact.investment,
        "notes": _notes(fact.notes),
    }


def check_statement(checks: Checks, path: Path, fact: StatementFact) -> dict[str, Any] | None:
    check_place_firm(checks, path, fact, fact.place, fact.firm)
    if not in_quote(fact.text, fact.quote):
        checks.add(path, fact.line, fact.id, "the statement's text does not occur in its quote")
        return None
    return {
        "fact_id": fact.id,
        "speaker": fact.speaker,
        "speaker_role": fact.speaker_role,
        "firm_id": fact.firm,
        "place_id": fact.place,
        "statement_text": fact.text,
        "notes": _notes(fact.notes),
    }


def check_file(checks: Checks, ff: FactsFile, seen_files: dict[str, Path]) -> list[Item]:
    """The valid facts of one facts file, each with its evidence; problems into ``checks``."""
    path = ff.path
    if ff.source_id is None:
        checks.add(path, 1, None, "facts file has no source_id")
        return []
    if ff.source_id not in checks.articles:
        checks.add(
            path,
            1,
            None,
            f"source_id {ff.source_id!r} is not in the article manifest",
            "register the article in seeds/articles/manifest.yml first",
        )
        return []
    if path.stem != ff.source_id:
        checks.add(
            path,
            1,
            None,
            f"facts file for {ff.source_id} must be named {ff.source_id}{path.suffix}",
        )
    seen_files[ff.source_id] = path
    _, article, stated = checks.articles[ff.source_id]
    kinds: list[tuple[str, list, Callable[[Any], dict[str, Any] | None]]] = [
        ("number", ff.numbers, lambda f: check_number(checks, path, f, stated)),
        ("relation", ff.relations, lambda f: check_relation(checks, path, f, stated)),
        ("statement", ff.statements, lambda f: check_statement(checks, path, f)),
    ]
    items: list[Item] = []
    for kind, facts, check in kinds:
        for fact in facts:
            if not SLUG.match(fact.id):
                checks.add(
                    path, fact.line, fact.id, "fact id must be lower case letters, digits, - and _"
                )
            ev = evidence(checks, path, fact, ff.source_id, article)
            row = check(fact)
            if row is None or ev is None:
                continue
            # hashed here, so the hash is cached with the row (and computed on the workers)
            row["content_hash"] = content_hash(row)
            items.append((kind, row, ev, str(path), fact.line, ff.source_id))
    return items
