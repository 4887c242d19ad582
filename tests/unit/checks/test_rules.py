"""Each rule family on its own: one fact in, the problems it raises out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from etl.checks.context import Checks
from etl.checks.duplicates import Merge
from etl.checks.money import FX_TOLERANCE, MoneyRejected, check_money
from etl.checks.periods import check_period
from etl.checks.quotes import ArticleText, evidence
from etl.checks.resolution import check_place_firm, metric_of
from etl.checks.surface import check_metric_kind, check_surface, value_bounds
from etl.sources.periods import StatementDate, resolve_period
from etl.sources.seed_files import NumberFact, RelationFact

PATH = Path("facts/x.yml")
QUOTE = "Hefei plans to invest 5 billion yuan ($741.3 million) in more than 30 projects."
STATED = StatementDate.parse("2019-06-01")


def number(**kw) -> NumberFact:
    base = dict(
        id="n1",
        metric="investment",
        place="hefei",
        quote=QUOTE,
        number="5 billion yuan",
        value=5,
        scale="billion",
        currency="CNY",
        comparator="exact",
        period="as_of",
        value_type="plan",
    )
    return NumberFact(**{**base, **kw})


def checks_with_reference() -> Checks:
    c = Checks()
    c.places = {"hefei": {"place_id": "hefei"}}
    c.firms = {"lenovo": {"firm_id": "lenovo"}}
    c.metrics = {
        "investment": {"metric_kind": "money", "unit": "yuan"},
        "project_count": {"metric_kind": "count", "unit": "projects"},
        "gdp_growth": {"metric_kind": "percent", "unit": "percent"},
    }
    c.fx = {2019: 6.9}
    c.fx_series_id = "test-series"
    return c


def messages(c: Checks) -> list[str]:
    return [p.message for p in c.problems]


def test_quote_rule_gives_offsets_of_the_original_text_or_a_hint():
    c = Checks()
    article = ArticleText("Intro.\n\n" + QUOTE.replace(" in ", "  in\n"))
    ev = evidence(c, PATH, number(), "src", article)
    assert ev is not None and not c.problems
    assert article.text[ev["evidence_start"] : ev["evidence_end"]].split() == QUOTE.split()
    assert evidence(c, PATH, number(quote="Hefei plans to spend it all."), "src", article) is None
    assert "quote not found" in messages(c)[0]
    assert "differs at 'spend it all.'" in c.problems[0].hint


def test_surface_rule_reads_the_number_phrase_as_the_fact_states_it():
    c = checks_with_reference()
    parsed, ok = check_surface(c, PATH, number())
    assert ok and parsed.scale == "billion" and not c.problems
    _, ok = check_surface(c, PATH, number(value=50, comparator="more_than", currency="USD"))
    assert not ok
    assert [m.split(":")[0] for m in messages(c)] == [
        "value 50 does not match the quote",
        "comparator 'more_than' does not match the quote",
        "currency 'USD' does not match the quote",
    ]
    c = checks_with_reference()
    assert check_surface(c, PATH, number(number="6 billion yuan"))[1] is False
    assert "does not occur in the quote" in messages(c)[0]
    c = checks_with_reference()
    parsed, ok = check_surface(
        c,
        PATH,
        number(number="more than 30", value=30, scale=None, currency=None, comparator="more_than"),
    )
    assert ok and not check_metric_kind(
        c, PATH, number(metric="gdp_growth", currency=None), c.metrics["gdp_growth"], parsed
    )
    assert "is not a percentage" in messages(c)[-1]


def test_value_bounds_follow_the_comparator():
    assert value_bounds(30, "exact") == (30, 30)
    assert value_bounds(30, "more_than") == (30, None)
    assert value_bounds(30, "at_most") == (None, 30)
    assert value_bounds(30, "approximately") == (None, None)


def test_resolution_rule_names_unknown_places_firms_and_metrics():
    c = checks_with_reference()
    check_place_firm(c, PATH, number(), "hefei", "lenovo")
    assert not c.problems
    check_place_firm(c, PATH, number(), "atlantis", "acme")
    check_place_firm(c, PATH, number(), None, None)
    assert metric_of(c, PATH, number(metric="nope")) is None
    assert messages(c) == [
        "unknown place 'atlantis'",
        "unknown firm 'acme'",
        "a fact needs a place, a firm or both",
        "unknown metric 'nope'",
    ]


def test_period_rule_resolves_against_the_article_date_and_refuses_reversed_periods():
    c = Checks()
    period = check_period(c, PATH, number(), {"relative": "last year", "__line__": 3}, STATED)
    assert period.start == dt.date(2018, 1, 1) and not c.problems
    assert (
        check_period(c, PATH, number(), {"relative": "in the year of the dragon"}, STATED) is None
    )
    assert messages(c)[0].startswith("period:")


def test_money_rule_checks_the_rate_and_the_dollar_figure():
    c = checks_with_reference()
    period = resolve_period("as_of", STATED)
    fx_year, usd, rate = check_money(
        c, PATH, number(usd_number="$741.3 million"), c.metrics["investment"], period, 5e9
    )
    assert (
        fx_year == 2019 and usd == pytest.approx(741.3e6) and rate == pytest.approx(6.745, abs=1e-3)
    )
    far = number(
        usd_number="$741.3 million",
        quote=QUOTE.replace("5 billion", "9 billion"),
        number="9 billion yuan",
        value=9,
    )
    with pytest.raises(MoneyRejected):
        check_money(c, PATH, far, c.metrics["investment"], period, 9e9)
    assert f"tolerance {FX_TOLERANCE:.0%}" in messages(c)[-1]
    c.fx = {}
    with pytest.raises(MoneyRejected):
        check_money(c, PATH, number(), c.metrics["investment"], period, 5e9)
    assert messages(c)[-1] == "no test-series rate for 2019"


def test_duplicate_rule_refuses_one_id_with_two_contents_and_two_values_for_one_subject():
    c = Checks()
    merge = Merge(c)
    row = {
        "fact_id": "n1",
        "metric_id": "m",
        "place_id": "p",
        "firm_id": None,
        "period_start": 1,
        "period_end": 2,
        "value_type": "actual",
        "content_hash": "a",
    }
    ev = {"fact_id": "n1", "source_id": "s1"}
    merge.add("number", row, ev, PATH, 3, "s1")
    merge.add(
        "number", dict(row, content_hash="b", value=2), dict(ev, source_id="s2"), PATH, 9, "s2"
    )
    merge.add(
        "number", dict(row, fact_id="n2", content_hash="c"), dict(ev, fact_id="n2"), PATH, 12, "s1"
    )
    merge.add("number", row, dict(ev, source_id="s3"), PATH, 15, "s3")  # same fact, second source
    assert [m.split(" (")[0].split(" at ")[0] for m in messages(c)] == [
        "fact id is also used",
        "same source, metric, subject, period and value type as n1",
    ]
    assert len(c.corpus.numbers) == 1 and len(c.corpus.evidence) == 2


def test_relation_rules_refuse_an_unreviewed_relation():
    from etl.checks.facts import check_relation

    c = checks_with_reference()
    rel = RelationFact(
        id="r1",
        firm="lenovo",
        place="hefei",
        presence_type="office",
        status="operating",
        quote=QUOTE,
        review="unreviewed",
    )
    assert check_relation(c, PATH, rel, STATED) is None
    assert messages(c) == ["relation is not reviewed"]
