import pytest

from etl.sources.numbers import NumberParseError, matches_stated, parse_number


@pytest.mark.parametrize(
    ("text", "value", "scale", "comparator", "currency", "percent"),
    [
        ("more than 840", 840, None, "more_than", None, False),
        ("21.192 million", 21.192, "million", "exact", None, False),
        ("one out of every three", 100 / 3, None, "exact", None, True),
        ("one out of every 10", 10, None, "exact", None, True),
        ("$741.3 million", 741.3, "million", "exact", "USD", False),
        ("US$1 billion", 1, "billion", "exact", "USD", False),
        ("close to 2 billion yuan", 2, "billion", "close_to", "CNY", False),
        ("exceed 1 trillion yuan", 1, "trillion", "more_than", "CNY", False),
        ("over 90,000", 90000, None, "more_than", None, False),
        ("as many as 29,000", 29000, None, "exact", None, False),
        ("nearly 20 percent", 20, None, "close_to", None, True),
        ("107 per cent", 107, None, "exact", None, True),
        ("about one-third", 100 / 3, None, "approximately", None, True),
        ("more than a quarter", 25, None, "more_than", None, True),
        ("less than two", 2, None, "less_than", None, False),
        ("Two", 2, None, "exact", None, False),
        ("top three", 3, None, "at_most", None, False),
        ("1988", 1988, None, "exact", None, False),
        ("245,000", 245000, None, "exact", None, False),
        ("a decade", 10, None, "exact", None, False),
        ("more than three decades", 30, None, "more_than", None, False),
        ("about a dozen", 12, None, "approximately", None, False),
        ("some 150", 150, None, "approximately", None, False),
        ("passed 1.2 trillion yuan", 1.2, "trillion", "more_than", "CNY", False),
    ],
)
def test_parses_surface_forms(text, value, scale, comparator, currency, percent):
    parsed = parse_number(text)
    assert parsed.value == pytest.approx(value)
    assert parsed.scale == scale
    assert parsed.comparator == comparator
    assert parsed.currency == currency
    assert parsed.is_percent is percent


def test_full_value_applies_scale():
    assert parse_number("21.192 million").full_value == pytest.approx(21_192_000)
    assert parse_number("close to 2 billion yuan").full_value == pytest.approx(2e9)


@pytest.mark.parametrize("text", ["", "many", "several thousand firms", "840 companies", "$5 yuan"])
def test_rejects_what_it_cannot_read(text):
    with pytest.raises(NumberParseError):
        parse_number(text)


def test_matches_to_the_decimals_the_curator_wrote():
    assert matches_stated(100 / 3, 33.33)
    assert not matches_stated(100 / 3, 33.4)
    assert matches_stated(90000.0, 90000)
    assert not matches_stated(90000.0, 90001)
