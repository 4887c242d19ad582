"""Rule: a number fact says what its quote says.

The number phrase occurs in the quote and reads (``etl.sources.numbers``) as the fact's value,
scale, comparator and currency; the metric's kind agrees (money has a currency, a percentage
metric has a percentage, the unit is the metric's)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from etl.checks.context import Checks
from etl.checks.quotes import in_quote
from etl.sources.numbers import NumberParseError, ParsedNumber, matches_stated, parse_number
from etl.sources.seed_files import NumberFact


def check_surface(checks: Checks, path: Path, fact: NumberFact) -> tuple[ParsedNumber | None, bool]:
    """The number phrase parsed (None if it does not parse) and whether the fact agrees with it."""
    ok = True
    if not in_quote(fact.number, fact.quote):
        checks.add(
            path,
            fact.line,
            fact.id,
            f"number {fact.number!r} does not occur in the quote",
            "'number' is the words of the quote that state the value",
        )
        ok = False
    try:
        parsed = parse_number(fact.number)
    except NumberParseError as exc:
        checks.add(path, fact.line, fact.id, str(exc))
        return None, False
    if not matches_stated(parsed.value, fact.value):
        checks.add(
            path,
            fact.line,
            fact.id,
            f"value {fact.value:g} does not match the quote: {fact.number!r} reads as {parsed.value:g}",
            "value is the number as stated, before its scale (21.192 for '21.192 million')",
        )
        ok = False
    if parsed.scale != fact.scale:
        checks.add(
            path,
            fact.line,
            fact.id,
            f"scale {fact.scale!r} does not match the quote: {fact.number!r} has scale {parsed.scale!r}",
        )
        ok = False
    if parsed.comparator != fact.comparator and not fact.comparator_reason:
        checks.add(
            path,
            fact.line,
            fact.id,
            f"comparator {fact.comparator!r} does not match the quote: {fact.number!r} reads as {parsed.comparator!r}",
            "fix the comparator, or give comparator_reason when words outside 'number' set it",
        )
        ok = False
    if parsed.currency != fact.currency:
        checks.add(
            path,
            fact.line,
            fact.id,
            f"currency {fact.currency!r} does not match the quote: {fact.number!r} reads as {parsed.currency!r}",
        )
        ok = False
    return parsed, ok


def check_metric_kind(
    checks: Checks, path: Path, fact: NumberFact, metric: dict[str, Any], parsed: ParsedNumber
) -> bool:
    """Whether the fact's unit, currency and percentage agree with its metric's kind."""
    ok = True
    kind = metric["metric_kind"]
    if fact.unit is not None and fact.unit != metric["unit"]:
        checks.add(
            path,
            fact.line,
            fact.id,
            f"unit {fact.unit!r} is not the metric's unit {metric['unit']!r}",
            "leave unit out: it comes from the metric",
        )
        ok = False
    if kind == "money" and fact.currency is None:
        checks.add(
            path, fact.line, fact.id, f"metric {fact.metric} is money but the fact has no currency"
        )
        ok = False
    if kind != "money" and fact.currency is not None:
        checks.add(
            path,
            fact.line,
            fact.id,
            f"metric {fact.metric} is {kind}, not money, but the number has a currency",
        )
        ok = False
    if (kind in ("percent", "share")) != parsed.is_percent:
        checks.add(
            path,
            fact.line,
            fact.id,
            f"metric {fact.metric} is {kind} but {fact.number!r} "
            f"{'is' if parsed.is_percent else 'is not'} a percentage",
        )
        ok = False
    return ok


def value_bounds(full_value: float, comparator: str) -> tuple[float | None, float | None]:
    """The (low, high) bounds a comparator puts on a value: "more than 30" is (30, None)."""
    if comparator == "exact":
        return full_value, full_value
    if comparator in ("more_than", "at_least"):
        return full_value, None
    if comparator in ("less_than", "at_most", "close_to"):
        return None, full_value
    return None, None
