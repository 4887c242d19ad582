"""Parse the surface form of a number as an article writes it.

"more than 840", "21.192 million", "one out of every three", "$741.3 million",
"close to 2 billion yuan", "107 per cent", "more than a quarter".

The parser is deliberately small and strict: it accepts one number phrase
(qualifier, currency, number, scale, unit) and raises ``NumberParseError`` for
anything else, so that a curator's typo is caught rather than guessed at.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

SCALES: dict[str, float] = {
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
}

COMPARATORS = (
    "exact",
    "approximately",
    "at_least",
    "more_than",
    "at_most",
    "less_than",
    "close_to",
)

# Longest phrases first: "more than" before "more".
QUALIFIERS: list[tuple[str, str]] = [
    ("as many as", "exact"),
    ("as much as", "exact"),
    ("more than", "more_than"),
    ("greater than", "more_than"),
    ("in excess of", "more_than"),
    ("exceeding", "more_than"),
    ("exceeded", "more_than"),
    ("exceeds", "more_than"),
    ("exceed", "more_than"),
    ("surpassed", "more_than"),
    ("topped", "more_than"),
    ("passed", "more_than"),
    ("over", "more_than"),
    ("above", "more_than"),
    ("at least", "at_least"),
    ("no less than", "at_least"),
    ("not less than", "at_least"),
    ("at most", "at_most"),
    ("top", "at_most"),  # a rank: "top three" is third or better
    ("up to", "at_most"),
    ("no more than", "at_most"),
    ("less than", "less_than"),
    ("fewer than", "less_than"),
    ("under", "less_than"),
    ("below", "less_than"),
    ("close to", "close_to"),
    ("nearly", "close_to"),
    ("almost", "close_to"),
    ("approximately", "approximately"),
    ("about", "approximately"),
    ("around", "approximately"),
    ("roughly", "approximately"),
    ("some", "approximately"),
]

WORD_NUMBERS: dict[str, int] = {
    "zero": 0,
    "one": 1,
    "a": 1,
    "an": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
}

# Fractions written as words, as a percentage of the whole.
FRACTIONS: dict[str, float] = {
    "half": 50.0,
    "third": 100.0 / 3,
    "quarter": 25.0,
    "fifth": 20.0,
    "tenth": 10.0,
}

_CURRENCY_PREFIX = re.compile(r"^(US\$|USD\s*|\$|RMB\s*|CNY\s*|¥)")
_CURRENCY_SUFFIX = re.compile(r"\s*(yuan|renminbi|US dollars|dollars)$", re.IGNORECASE)
_PERCENT_SUFFIX = re.compile(r"\s*(percent|per cent|%|percentage points?)$", re.IGNORECASE)
_SCALE_SUFFIX = re.compile(r"\s*(thousand|million|billion|trillion)$", re.IGNORECASE)
_DIGITS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+(\.\d+)?$")
_ONE_OUT_OF = re.compile(r"^(one|1) (out )?of (every )?(\S+)$", re.IGNORECASE)
_FRACTION = re.compile(r"^(a|one|two|three)[- ](half|third|quarter|fifth|tenth)s?$", re.IGNORECASE)
# "a decade", "two decades", "about a dozen": a count of tens or twelves
MULTIPLES = {"decade": 10, "decades": 10, "dozen": 12}
_MULTIPLE = re.compile(r"^(\S+)\s+(decades?|dozen)$", re.IGNORECASE)


class NumberParseError(ValueError):
    """The text is not a number phrase this parser understands."""


@dataclass(frozen=True)
class ParsedNumber:
    """A number as stated: ``value`` before ``scale``, so "21.192 million" is 21.192."""

    value: float
    scale: str | None
    comparator: str
    currency: str | None  # "CNY" or "USD"
    is_percent: bool
    text: str

    @property
    def full_value(self) -> float:
        return self.value * SCALES[self.scale] if self.scale else self.value


def _word_number(token: str) -> float:
    token = token.lower().strip()
    if _DIGITS.match(token):
        return float(token.replace(",", ""))
    if token in WORD_NUMBERS:
        return float(WORD_NUMBERS[token])
    raise NumberParseError(f"not a number: {token!r}")


@functools.lru_cache(maxsize=1 << 16)
def parse_number(text: str) -> ParsedNumber:
    """Parse one number phrase; raise ``NumberParseError`` with a reason otherwise.

    Pure, so cached: corpora repeat phrases ("more than 20 million") a great deal."""
    original = text
    s = " ".join(text.strip().split())
    if not s:
        raise NumberParseError("empty number phrase")

    comparator = "exact"
    lowered = s.lower()
    for phrase, comp in QUALIFIERS:
        if lowered.startswith(phrase + " "):
            comparator = comp
            s = s[len(phrase) + 1 :]
            break

    currency: str | None = None
    m = _CURRENCY_PREFIX.match(s)
    if m:
        sym = m.group(1).strip()
        currency = "CNY" if sym in ("RMB", "CNY", "¥") else "USD"
        s = s[m.end() :].lstrip()
    m = _CURRENCY_SUFFIX.search(s)
    if m:
        word = m.group(1).lower()
        suffix_currency = "CNY" if word in ("yuan", "renminbi") else "USD"
        if currency and currency != suffix_currency:
            raise NumberParseError(f"two different currencies in {original!r}")
        currency = suffix_currency
        s = s[: m.start()]

    is_percent = False
    m = _PERCENT_SUFFIX.search(s)
    if m:
        is_percent = True
        s = s[: m.start()]

    scale: str | None = None
    m = _SCALE_SUFFIX.search(s)
    if m:
        scale = m.group(1).lower()
        s = s[: m.start()]

    s = s.strip()
    m = _ONE_OUT_OF.match(s)
    if m:
        if is_percent or scale or currency:
            raise NumberParseError(f"'one out of every N' cannot carry a unit: {original!r}")
        denominator = _word_number(m.group(4))
        if denominator <= 0:
            raise NumberParseError(f"'one out of every {denominator:g}' is not a share")
        return ParsedNumber(100.0 / denominator, None, comparator, None, True, original)

    m = _FRACTION.match(s)
    if m:
        if is_percent or scale or currency:
            raise NumberParseError(f"a fraction cannot carry a unit: {original!r}")
        count = _word_number(m.group(1))
        return ParsedNumber(
            count * FRACTIONS[m.group(2).lower()], None, comparator, None, True, original
        )

    m = _MULTIPLE.match(s)
    if m and not (is_percent or scale or currency):
        value = _word_number(m.group(1)) * MULTIPLES[m.group(2).lower()]
        return ParsedNumber(value, None, comparator, None, False, original)
    try:
        value = _word_number(s)
    except NumberParseError:
        raise NumberParseError(
            f"cannot read {original!r} as a number phrase "
            "(expected e.g. 'more than 840', '21.192 million', '$741.3 million', "
            "'close to 2 billion yuan', 'one out of every three')"
        ) from None
    return ParsedNumber(value, scale, comparator, currency, is_percent, original)


def decimals(value: float | int | str) -> int:
    """How many decimals a curator wrote: 33.33 -> 2, 90000 -> 0."""
    text = repr(value) if isinstance(value, float) else str(value)
    if "e" in text.lower():
        return 0
    return len(text.split(".", 1)[1]) if "." in text else 0


def matches_stated(
    parsed_value: float, stated: float | int, stated_text: str | None = None
) -> bool:
    """True when the curator's value is the parsed value, to the decimals the curator wrote.

    A curator writes 33.33 for "one out of every three": equal to two decimals.
    90000 for "over 90,000" must be equal exactly.
    """
    places = decimals(stated_text if stated_text is not None else stated)
    tolerance = 0.5 * 10 ** (-places) if places else 1e-9
    return abs(parsed_value - float(stated)) <= tolerance
