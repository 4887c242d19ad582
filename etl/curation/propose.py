"""Propose candidate facts for an article: rules and the reference gazetteer, no model.

Every number-bearing statement becomes a candidate number (quote, number phrase,
parsed value, comparator, scale, currency, likely place, firm and metric, period
resolved from the article's date); firm-place statements become candidate relations.
Every candidate is written unreviewed: validation refuses it until a curator checks it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from etl.sources.numbers import NumberParseError, parse_number
from etl.sources.periods import PeriodError, StatementDate, resolve_period

_QUALIFIER = (
    r"(?:(?:as many as|more than|over|exceed(?:ed|s|ing)?|above|at least|up to|at most|less than|fewer than|"
    r"close to|nearly|almost|about|around|approximately|roughly|top)\s+)?"
)
_WORD_NUMBERS = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty"
_PLAIN = (
    _QUALIFIER
    + r"(?:US\$|\$|RMB\s?|¥)?"
    + rf"(?:\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|(?:{_WORD_NUMBERS})(?=\s))"
    + r"(?:\s(?:thousand|million|billion|trillion))?"
    + r"(?:\s(?:yuan|US dollars|dollars))?"
    + r"(?:\s?(?:percent|per cent|%))?"
)
_SHARE = _QUALIFIER + r"(?:one out of every \w+|(?:a|one)[- ](?:quarter|third|half|fifth|tenth))"
NUMBER_RE = re.compile(rf"(?<![\w$.,/-])(?:{_SHARE}|{_PLAIN})(?![\w-])", re.IGNORECASE)
_SKIP_SEGMENT = re.compile(
    r"copyright|registration number|identification code|tel:|e-mail|license for|resolution|all rights reserved",
    re.IGNORECASE,
)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE_NEAR = re.compile(
    rf"(?:{_MONTHS}|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?\s*$", re.IGNORECASE
)
_ESTABLISH = re.compile(r"establish|founded|set up|became home|launched|created", re.IGNORECASE)

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

PRESENCE_RULES: list[tuple[str, str]] = [
    (r"second headquarters", "second_headquarters"),
    (r"headquarters|\bborn in\b|-based", "headquarters"),
    (r"research cent(?:er|re)|R&D cent(?:er|re)", "research_centre"),
    (r"data cent(?:er|re)", "data_centre"),
    (r"joint venture", "joint_venture"),
    (r"test base|testing ground", "test_base"),
    (r"\bunit\b|local \w+ businesses", "local_business_unit"),
    (r"\boffices?\b|is home to|attracted", "office"),
]


@dataclass
class Segment:
    text: str
    start: int


@dataclass
class Proposal:
    numbers: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    unknown_firms: list[str] = field(default_factory=list)
    unknown_places: list[str] = field(default_factory=list)


def segments(text: str) -> list[Segment]:
    """Sentences with their offsets: split at line breaks, then after . ! ? before a capital."""
    out = []
    for line in re.finditer(r"[^\n]+", text):
        pos = line.start()
        for part in re.split(r"(?:(?<=[.!?])|(?<=[.!?][\"”]))\s+(?=[A-Z\"“])", line.group()):
            idx = text.find(part, pos)
            if part.strip():
                out.append(Segment(part.strip(), idx + (len(part) - len(part.lstrip()))))
            pos = idx + len(part)
    return out


class Gazetteer:
    """Names and aliases of places and firms from the reference data, longest first."""

    def __init__(self, places: list[dict], firms: list[dict]):
        self.places = {p["place_id"]: p for p in places}
        self.place_names: list[tuple[str, str]] = []
        for p in places:
            names = {p["place_name"], re.sub(r"\s*\(.*\)", "", p["place_name"])}
            names |= set(filter(None, (p.get("aliases") or "").split("|")))
            for name in names:
                self.place_names.append((name, p["place_id"]))
        self.place_names.sort(key=lambda n: -len(n[0]))
        self.firm_names: list[tuple[str, str]] = []
        for f in firms:
            for name in {f["firm_name"], *filter(None, (f.get("aliases") or "").split("|"))}:
                self.firm_names.append((name, f["firm_id"]))
        self.firm_names.sort(key=lambda n: -len(n[0]))

    @staticmethod
    def _find(text: str, names: list[tuple[str, str]]) -> list[tuple[int, str]]:
        found, taken = [], []
        for name, key in names:
            for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w])", text):
                if any(a <= m.start() < b for a, b in taken):
                    continue
                taken.append((m.start(), m.end()))
                found.append((m.start(), key))
        return sorted(found)

    def places_in(self, text: str) -> list[tuple[int, str]]:
        return self._find(text, self.place_names)

    def firms_in(self, text: str) -> list[tuple[int, str]]:
        return self._find(text, self.firm_names)


SPECIFICITY = {
    "zone": 0,
    "district": 0,
    "city": 1,
    "municipality": 1,
    "group": 2,
    "province": 3,
    "region": 4,
    "country": 5,
}


def _most_specific(found: list[tuple[int, str]], gaz: Gazetteer) -> str | None:
    """Of the places a sentence names, the smallest ("Chongqing's Liangjiang New Area" -> the zone)."""
    ranked = [
        (SPECIFICITY.get(gaz.places[k]["place_type"], 9), p, k)
        for p, k in found
        if gaz.places[k]["place_type"] != "country"
    ]
    return min(ranked)[2] if ranked else None


def _nearest(found: list[tuple[int, str]], pos: int) -> str | None:
    """The mention nearest before ``pos`` (or else after it)."""
    before = [k for p, k in found if p <= pos]
    if before:
        return before[-1]
    after = [k for p, k in found if p > pos]
    return after[0] if after else None


def _period(
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
    m = re.search(rf"\bIn ({_MONTHS})\b", sentence)
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


def _value_type(sentence: str) -> str:
    if re.search(
        r"\bgoal\b|\btarget\b|\baims? to\b|\bplans? to\b(?!.*invest)", sentence, re.IGNORECASE
    ):
        return "target"
    if re.search(r"would invest|will invest|plans to invest|to invest", sentence, re.IGNORECASE):
        return "plan"
    return "actual"


def _metric(sentence: str, after: str, kind: str) -> str:
    for scope in (after, sentence):
        for pattern, metric, applies in METRIC_RULES:
            if applies in (kind, "any") and re.search(pattern, scope, re.IGNORECASE):
                return metric
    return "TODO"


def propose_article(
    text: str, stated: StatementDate, places: list[dict], firms: list[dict]
) -> Proposal:
    gaz = Gazetteer(places, firms)
    proposal = Proposal()
    last_place: str | None = None
    last_city: str | None = None
    last_firm: str | None = None
    seen_ids: set[str] = set()
    for seg in segments(text):
        sentence = seg.text
        place_hits = gaz.places_in(sentence)
        firm_hits = gaz.firms_in(sentence)
        if _SKIP_SEGMENT.search(sentence) or len(sentence.split()) < 5:
            continue
        consumed: list[tuple[int, int]] = []
        for m in NUMBER_RE.finditer(sentence):
            if any(a <= m.start() < b for a, b in consumed):
                continue
            phrase = m.group(0).strip()
            before, after = sentence[: m.start()], sentence[m.end() : m.end() + 60]
            if _DATE_NEAR.search(before) or re.match(r"\s*(?::|\d)", after):
                continue
            word_only = re.fullmatch(rf"(?:{_WORD_NUMBERS})", phrase, re.IGNORECASE)
            if word_only and (m.start() > 0 or re.match(r"\s*of\b", after)):
                continue  # "one of the", "the other two": a bare word number mid-sentence is rarely a fact
            if before.rstrip().endswith("(") and "$" in phrase:
                continue  # a USD figure in brackets belongs to the amount before it
            try:
                parsed = parse_number(phrase)
            except NumberParseError:
                continue
            is_year = (
                parsed.scale is None
                and not parsed.is_percent
                and parsed.currency is None
                and parsed.value.is_integer()
                and 1900 <= parsed.value <= 2100
                and re.fullmatch(r"\d{4}", phrase)
            )
            if is_year and not _ESTABLISH.search(sentence):
                continue
            kind = (
                "pct"
                if parsed.is_percent
                else "money"
                if parsed.currency
                else "year"
                if is_year
                else "count"
            )
            comparator = parsed.comparator
            reason = None
            if (
                re.search(r"among (?:the )?(?:[\w']+ )?$", before, re.IGNORECASE)
                and re.match(
                    r"[\w\s-]{0,30}(?:best|top|largest|biggest|leading)", after, re.IGNORECASE
                )
                and comparator == "exact"
            ):
                comparator, reason = "at_most", "'among the N' sets an upper bound on a rank"
            metric = "year_established" if is_year else _metric(sentence, after, kind)
            countries = {k for _, k in place_hits if gaz.places[k]["place_type"] == "country"}
            # the smallest place named before the number ("Hefei, capital of Anhui province, ... 1,200"),
            # else the smallest named after it
            place = (
                _most_specific([h for h in place_hits if h[0] <= m.start()], gaz)
                or _most_specific([h for h in place_hits if h[0] > m.start()], gaz)
                or (
                    "china"
                    if "china" in countries and metric == "designated_tech_hub_count"
                    else None
                )
                or (last_city if re.search(r"\bthe city\b", sentence) else last_place)
            )
            firm = None
            if metric in (
                "investment",
                "project_duration_years",
                "national_motor_manufacturing_rank",
            ):
                firm = _nearest(firm_hits, m.start()) or last_firm
            usd = re.match(
                r"\s*\((\$[\d.,]+(?:\s(?:million|billion|trillion))?)\)", sentence[m.end() :]
            )
            if usd:
                consumed.append((m.end(), m.end() + usd.end()))
            period, period_basis = _period(
                sentence, m.start(), stated, int(parsed.value) if is_year else None
            )
            try:
                resolve_period(period, stated)
            except PeriodError:
                period, period_basis = "as_of", "the phrase could not be resolved: check it"
            base = re.sub(r"[^a-z0-9]+", "-", f"{place or 'unknown'}-{metric}".lower()).strip("-")
            fact_id, n = base, 2
            while fact_id in seen_ids:
                fact_id, n = f"{base}-{n}", n + 1
            seen_ids.add(fact_id)
            entry: dict[str, Any] = {
                "id": fact_id,
                "status": "unreviewed",
                "metric": metric,
                "place": place,
                "firm": firm,
                "quote": sentence,
                "number": phrase,
                "value": int(parsed.value)
                if parsed.value.is_integer()
                else round(parsed.value, 2)
                if re.search(r"out of|quarter|third|half|fifth|tenth", phrase)
                else parsed.value,
                "scale": parsed.scale,
                "currency": parsed.currency,
                "usd_number": usd.group(1) if usd else None,
                "comparator": comparator,
                "comparator_reason": reason,
                "period": period,
                "value_type": _value_type(sentence),
                "notes": f"proposed: period from {period_basis}",
            }
            proposal.numbers.append({k: v for k, v in entry.items() if v is not None})
        context = last_city if re.search(r"\bthe city\b", sentence) else last_place
        proposal.relations.extend(
            _relations(sentence, place_hits, firm_hits, context, last_firm, gaz)
        )
        for m in re.finditer(
            r"(?:firm|company|giant|automaker|heavyweights?|startups like|including)\s+((?:[A-Z][\w&-]*\s?){1,3})",
            sentence,
        ):
            name = m.group(1).strip()
            if (
                name
                and not gaz.firms_in(name)
                and not gaz.places_in(name)
                and name not in proposal.unknown_firms
            ):
                proposal.unknown_firms.append(name)
        for m in re.finditer(
            r"((?:[A-Z][a-z]+\s){1,2})(?:province|city|district|New Area)\b", sentence
        ):
            name = m.group(1).strip()
            if (
                name not in ("The", "This", "That", "Its", "Each")
                and not gaz.places_in(name)
                and name not in proposal.unknown_places
            ):
                proposal.unknown_places.append(name)
        subjects = [
            (p, k)
            for p, k in place_hits
            if gaz.places[k]["place_type"] not in ("country", "region")
        ]
        if subjects:
            # "there", "it", "the base" in the next sentence: most often the smallest place named here
            last_place = _most_specific(subjects, gaz)
        cities = [
            k for _, k in place_hits if gaz.places[k]["place_type"] in ("city", "municipality")
        ]
        if cities:
            last_city = cities[0]
        if firm_hits:
            last_firm = firm_hits[-1][1]
    return proposal


def _relations(
    sentence: str, place_hits, firm_hits, last_place, last_firm, gaz: Gazetteer
) -> list[dict]:
    kinds = [
        (m.start(), kind)
        for pattern, kind in PRESENCE_RULES
        for m in re.finditer(pattern, sentence, re.IGNORECASE if kind == "test_base" else 0)
    ]
    if not kinds:
        return []
    firms = list(firm_hits)
    if (
        not firms
        and last_firm
        and re.search(r"\bthe company\b|-based company|\bits\b", sentence, re.IGNORECASE)
    ):
        firms = [(len(sentence), last_firm)]  # the firm the sentence refers back to
    out = []
    based = re.search(r"([A-Z][a-z]+)-based", sentence)
    based_place = _nearest(gaz.places_in(based.group(1)), 0) if based else None
    for pos, firm in firms:
        kind = min(kinds, key=lambda k: abs(k[0] - pos))[1]
        # "Hangzhou-based venture capital firm Vision Plus Capital" (the first firm after it), or
        # "China Center for Information Industry Development, a Beijing-based think tank" (apposition)
        owns_based = based is not None and (
            (pos > based.start() and not any(based.start() < p < pos for p, _ in firms))
            or bool(re.fullmatch(r"[\w\s&.'-]+,\s*an?\s+", sentence[pos : based.start()]))
        )
        if owns_based:
            kind, place = "headquarters", based_place
        else:
            if based and kind == "headquarters":
                # "-based" speaks of another firm: this one's presence is another keyword, if any
                others = [k for k in kinds if k[1] != "headquarters"]
                if not others:
                    continue
                kind = min(others, key=lambda k: abs(k[0] - pos))[1]
            place = _most_specific(place_hits, gaz) or last_place
        if place is None:
            continue
        status = (
            "opened"
            if re.search(r"\bopen(?:ed|ing)\b", sentence, re.IGNORECASE)
            else "announced"
            if re.search(r"announced|would|will", sentence, re.IGNORECASE)
            else "under_construction"
            if re.search(r"under construction", sentence, re.IGNORECASE)
            else "operating"
        )
        out.append(
            {
                "id": re.sub(r"[^a-z0-9]+", "-", f"{firm}-{kind}-{place}").strip("-"),
                "review": "unreviewed",
                "firm": firm,
                "place": place,
                "presence_type": kind,
                "status": status,
                "period": "as_of",
                "quote": sentence,
            }
        )
    return out


def render(proposal: Proposal, source_id: str) -> str:
    """The draft facts file: every candidate unreviewed, unknown names listed for the reference."""
    head = [
        f"# Candidate facts for {source_id}, proposed by `techhubs propose`. NOTHING HERE IS REVIEWED.",
        "# For each candidate: check it against the article, fix what is wrong, then set",
        "# status: reviewed (numbers) or review: reviewed (relations); delete what is not a fact.",
        "# `techhubs validate` refuses unreviewed candidates. Format: docs/curating.md.",
    ]
    if proposal.unknown_firms or proposal.unknown_places:
        head.append("#")
        head.append("# Names not in seeds/reference/ (add the real ones there before using them):")
        head += [f"#   firm?  {name}" for name in proposal.unknown_firms]
        head += [f"#   place? {name}" for name in proposal.unknown_places]
    # dedupe relations on id, keeping the first
    relations, seen = [], set()
    for r in proposal.relations:
        if r["id"] not in seen:
            seen.add(r["id"])
            relations.append(r)
    body = yaml.safe_dump(
        {"source_id": source_id, "numbers": proposal.numbers, "relations": relations},
        sort_keys=False,
        allow_unicode=True,
        width=10_000,
    )
    return "\n".join(head) + "\n" + body
