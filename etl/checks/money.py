"""Rule: money has a rate for its year, and a dollar figure the article gives beside a yuan
amount is in the quote, in US dollars, and implies a rate near the series' rate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from etl.checks.context import Checks
from etl.checks.quotes import in_quote
from etl.sources.numbers import NumberParseError, parse_number
from etl.sources.periods import Period
from etl.sources.seed_files import NumberFact

FX_TOLERANCE = 0.05  # an article's implied CNY/USD rate may differ this much from the series


class MoneyRejected(Exception):
    """The fact's money fields failed a check (the problem is already recorded)."""


def check_money(
    checks: Checks,
    path: Path,
    fact: NumberFact,
    metric: dict[str, Any] | None,
    period: Period,
    full_value: float,
) -> tuple[int, float | None, float | None]:
    """(fx_year, usd_stated, implied_rate) of a fact; raises ``MoneyRejected`` on a problem.

    Money is normalised at the rate of the year the value describes; an as-of figure or a
    plan describes the statement's own year."""
    fx_year = period.year or period.end.year
    needs_rate = fact.usd_number is not None or (
        metric is not None and metric["metric_kind"] == "money"
    )
    if needs_rate and fx_year not in checks.fx:
        _reject(
            checks,
            path,
            fact,
            f"no {checks.fx_series_id} rate for {fx_year}",
            "add the year to seeds/reference/fx_rates.csv",
        )
    if fact.usd_number is None:
        return fx_year, None, None
    if fact.currency != "CNY":
        _reject(checks, path, fact, "usd_number is for a CNY amount the article also gives in USD")
    if not in_quote(fact.usd_number, fact.quote):
        _reject(checks, path, fact, f"usd_number {fact.usd_number!r} does not occur in the quote")
    try:
        usd = parse_number(fact.usd_number)
    except NumberParseError as exc:
        _reject(checks, path, fact, f"usd_number: {exc}")
    if usd.currency != "USD":
        _reject(checks, path, fact, f"usd_number {fact.usd_number!r} is not in US dollars")
    usd_stated = usd.full_value
    implied_rate = full_value / usd_stated
    series_rate = checks.fx[fx_year]  # present: checked above
    gap = implied_rate / series_rate - 1
    if abs(gap) > FX_TOLERANCE and not fact.fx_note:
        _reject(
            checks,
            path,
            fact,
            f"the article's implied rate {implied_rate:.4f} CNY/USD is {gap:+.1%} from the "
            f"{fx_year} rate {series_rate:.4f} of {checks.fx_series_id} (tolerance {FX_TOLERANCE:.0%})",
            "check the figures; if the article is right, say why in fx_note",
        )
    return fx_year, usd_stated, implied_rate


def _reject(
    checks: Checks, path: Path, fact: NumberFact, message: str, hint: str | None = None
) -> None:
    checks.add(path, fact.line, fact.id, message, hint)
    raise MoneyRejected(message)
