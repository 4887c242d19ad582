"""Which metric, period and value type a number phrase in an article states (the proposer's
guesses: a curator reviews every one)."""

from __future__ import annotations

import re
from typing import Any

from etl.curation.number_phrases import MONTHS
from etl.sources.periods import StatementDate

# (pattern in the words after the number or in the sentence, metric, kinds it applies to)
# kinds: "pct" (a percentage or share), "money", "count", "year", "any"
METRIC_RULES: list[tuple[str, str, str]] = [
    (r"laptop[^.]*sold|sold[^.]*laptop", "world_laptop_sales_share", "pct"),
    (r"smartphones", "world_smartphone_sales_share", "pct"),
    (r"iPads", "world_tablet_production_share", "pct"),
    (r"laptop", "world_laptop_production_share", "pct"),
    (r"electronic information", "world_electronic_information_share", "pct"),
    (r"economic growth", "high_tech_share_of_growth", "pct"),
    (r"\bGDP\b", "gdp_growth", "pct"),
    (r"output", "high_tech_industry_output_growth", "pct"),
    (r"digital economy", "digital_economy_growth", "pct"),
    (r"start-ups|new companies", "new_company_growth", "pct"),
    (r"\bAI\b", "ai_company_count_growth", "pct"),
    (r"invest", "investment", "money"),
    (r"output", "high_tech_industry_output", "money"),
    (r"\bGDP\b", "gdp", "money"),
    (r"AI-related compan|AI compan", "ai_company_count", "count"),
    (r"robotics", "robotics_company_registrations", "count"),
    (r"\bIoT\b|internet of things", "iot_company_count", "count"),
    (r"discussions", "blockchain_companies_in_talks", "count"),
    (r"\bbase\b", "blockchain_base_company_count", "count"),
    (r"\bVR\b|virtual reality", "vr_company_count", "count"),
    (r"patent", "patent_applications", "count"),
    (r"workday", "new_enterprises_per_workday", "count"),
    (r"register", "new_company_registrations", "count"),
    (r"graduates", "university_graduates_per_year", "count"),
    (r"incentives", "policy_incentive_count", "count"),
    (r"tech hubs", "designated_tech_hub_count", "count"),
    (r"clusters", "industrial_cluster_count", "count"),
    (r"best-performing", "economic_performance_rank", "count"),
    (r"manufacturing bases", "national_motor_manufacturing_rank", "count"),
    (r"\byears\b", "project_duration_years", "count"),
    (r"increase of|decrease of", "population_change", "count"),
    (r"population|residents", "population", "count"),
    (r"compan|enterprises|firms", "company_count", "count"),
]


def period_of(
    sentence: str, pos: int, stated: StatementDate, value_year: int | None
) -> tuple[Any, str]:
    if value_year is not None:
        return value_year, "the year the number states"
    m = re.search(r"(first|second) half of (\d{4})", sentence, re.IGNORECASE)
    if m:
        return f"{m.group(2)}-H{1 if m.group(1).lower() == 'first' else 2}", m.group(0)
    for phrase in ("the first half", "last year", "last month", "earlier this month", "this year"):
        if phrase in sentence.lower():
            return {"relative": phrase}, phrase
    m = re.search(r"in the past (\w+) years", sentence, re.IGNORECASE)
    if m:
        return {"relative": m.group(0)}, m.group(0)
    m = re.search(rf"\bIn ({MONTHS})\b", sentence)
    if m:
        return {"relative": f"in {m.group(1)}"}, m.group(0)
    years = [
        (abs(y.start() - pos), int(y.group(1)))
        for y in re.finditer(r"(?<![\d-])((?:19|20)\d\d)(?![\d-])", sentence)
    ]
    years = [(d, y) for d, y in years if y <= stated.last_possible.year + 10]
    if years:
        return min(years)[1], "the nearest year in the sentence"
    return "as_of", "no time stated: as of the article's date"


def value_type(sentence: str) -> str:
    if re.search(
        r"\bgoal\b|\btarget\b|\baims? to\b|\bplans? to\b(?!.*invest)", sentence, re.IGNORECASE
    ):
        return "target"
    if re.search(r"would invest|will invest|plans to invest|to invest", sentence, re.IGNORECASE):
        return "plan"
    return "actual"


def metric_of(sentence: str, after: str, kind: str) -> str:
    for scope in (after, sentence):
        for pattern, metric, applies in METRIC_RULES:
            if applies in (kind, "any") and re.search(pattern, scope, re.IGNORECASE):
                return metric
    return "TODO"


# money that pays for a facility named right after it: "a 10 billion yuan (about $1.4
# billion) blade-cell plant"
MONEY_FOR = re.compile(
    r"\s*(?:\([^)]{0,40}\)\s*)?(?:[\w-]+\s+){0,3}?(?:plant|factory|project|complex|base|fab|"
    r"refinery|mill|works|campus|cent(?:re|er)|line|facility|gigafactory)s?\b"
)
