"""The number phrases the proposer looks for in a sentence, built on the validator's own
tables (``etl.sources.numbers``): qualifiers, word numbers, shares, ranks, a dollar figure
after a yuan amount, and the words that make a year a founding or opening year."""

from __future__ import annotations

import re

from etl.sources.numbers import QUALIFIERS, WORD_NUMBERS

# the validator's qualifiers and word numbers (etl.sources.numbers), longest first
QUALIFIER = (
    r"(?:(?:"
    + "|".join(re.escape(q) for q, _ in sorted(QUALIFIERS, key=lambda q: -len(q[0])))
    + r")\s+)?"
)
WORD_NUMBER_RE = "|".join(
    sorted((w for w in WORD_NUMBERS if w not in ("a", "an", "zero", "hundred")), key=len)[::-1]
)
MULTIPLE = r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten)\s(?:decades?|dozen)"
PLAIN = (
    QUALIFIER
    + r"(?:US\$|\$|RMB\s?|¥)?"
    + rf"(?:\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|{MULTIPLE}|(?:{WORD_NUMBER_RE})(?=\s))"
    + r"(?:\s(?:thousand|million|billion|trillion))?"
    + r"(?:\s(?:yuan|US dollars|dollars))?"
    + r"(?:\s?(?:percent|per cent|%))?"
)
SHARE = QUALIFIER + r"(?:one out of every \w+|(?:a|one)[- ](?:quarter|third|half|fifth|tenth))"
# (a unit may follow a hyphen: "a 1,035-kilometre railway")
NUMBER_RE = re.compile(rf"(?<![\w$.,/-])(?:{SHARE}|{PLAIN})(?![\w]|-(?![a-z]))", re.IGNORECASE)
SKIP_SEGMENT = re.compile(
    r"copyright|registration number|identification code|tel:|e-mail|license for|resolution|all rights reserved",
    re.IGNORECASE,
)
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE_NEAR = re.compile(
    rf"(?:{MONTHS}|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?\s*$", re.IGNORECASE
)
ESTABLISH = re.compile(
    r"establish|found(?:ed|ing)|set up|became home|launched|created|went public|listed|listing|"
    r"\bIPO\b|opened|\bopen(?:s|ing)?\b|began|started|completed|inaugurat|incorporated|debut|"
    r"arrived|\bformed\b|designated (?:as|a)\b|approved|spun (?:out|off)|carved out|dates from|first delivery",
    re.IGNORECASE,
)
NOT_A_QUANTITY = re.compile(r"\b(?:Model|Series|Phase|Line|Fab|Gen|No\.?|Number)\s*$")
ORDINALS = {
    w: i + 1
    for i, w in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth".split()
    )
}
RANK_RE = re.compile(
    r"\bNo\.?\s?(\d{1,3})\b|\b(second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)"
    r"(?:[- ](?:largest|biggest|busiest|richest|most\b|highest|fastest|smallest|lowest|poorest)|"
    r"(?=\s+(?:among|in the|on the|place|globally|worldwide|nationally|only to)\b))|"
    r"(?<=\branked )(\w+)\b|(?<=\bplaced it )(\d+(?:st|nd|rd|th))\b",
    re.IGNORECASE,
)
USD_AFTER = re.compile(
    r"\s*(?:\(|,?\s+or\s+)((?:about|roughly|around|nearly|some|almost|approximately|over|"
    r"more than)?\s*(?:US)?\$[\d.,]+(?:\s(?:million|billion|trillion))?)\)?"
)


def yuan_before(before: str) -> bool:
    """The text before a bracketed dollar figure ends with a yuan amount ("8 billion yuan (");
    after reais, euros or won the dollar figure is the amount a candidate can carry."""
    return bool(re.search(r"(?:yuan|RMB|renminbi|CNY)\s*\(\s*$", before, re.IGNORECASE))
