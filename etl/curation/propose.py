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

from etl.curation.mentions import NameFinder
from etl.curation.metrics import MONEY_FOR, metric_of, period_of, value_type
from etl.curation.number_phrases import (
    DATE_NEAR,
    ESTABLISH,
    NOT_A_QUANTITY,
    NUMBER_RE,
    ORDINALS,
    RANK_RE,
    SKIP_SEGMENT,
    USD_AFTER,
    WORD_NUMBER_RE,
    yuan_before,
)
from etl.curation.referents import (
    LISTED_IN,
    REFERS_BACK,
    based,
    based_back,
    countries_named,
    listed_with,
    place_refs,
    subject,
)
from etl.curation.relations import relations_in
from etl.curation.sentences import segments
from etl.sources.numbers import NumberParseError, parse_number
from etl.sources.periods import PeriodError, StatementDate, resolve_period


@dataclass
class Proposal:
    numbers: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    unknown_firms: list[str] = field(default_factory=list)
    unknown_places: list[str] = field(default_factory=list)
    proposed_places: list[dict[str, Any]] = field(default_factory=list)
    proposed_firms: list[dict[str, Any]] = field(default_factory=list)


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
    def spans(text: str, names: list[tuple[str, str]]) -> list[tuple[int, int, str]]:
        """(start, end, key) of each name in ``text``, longest names first, none overlapping."""
        found: list[tuple[int, int, str]] = []
        for name, key in names:
            if name not in text:  # a substring test is far cheaper than a pattern per name
                continue
            for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w])", text):
                if not any(a <= m.start() < b for a, b, _ in found):
                    found.append((m.start(), m.end(), key))
        return found

    @classmethod
    def _find(cls, text: str, names: list[tuple[str, str]]) -> list[tuple[int, str]]:
        return sorted((start, key) for start, _, key in cls.spans(text, names))

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


# "BMW Brilliance, the joint venture that ...", "formed Leapmotor International, in which
# Stellantis holds 51 percent": the venture "the venture" means after it
VENTURE_RE = re.compile(
    r",\s+(?:(?:the|a|an|their|its)\s+(?:[\w-]+\s+){0,2}?(?:joint\s+)?venture\b|in which\s)"
)


def propose_article(
    text: str, stated: StatementDate, places: list[dict], firms: list[dict]
) -> Proposal:
    gaz = Gazetteer(places, firms)
    finder = NameFinder(text, gaz)
    proposal = Proposal()
    last_place: str | None = None
    last_city: str | None = None
    last_of: dict[str, str] = {}  # the place named last of each type
    last_firm: str | None = None
    last_venture: str | None = None  # "BMW Brilliance, the joint venture that ..."
    partners: tuple[str, ...] = ()  # the firms of the last joint venture, for "the partners"
    seen_ids: set[str] = set()
    recent: list[str] = []  # the firms named so far, in order
    firm_countries: dict[str, str] = {}  # a firm's country, as the article gives it
    for seg in segments(text):
        sentence = seg.text
        place_hits = gaz.places_in(sentence)
        firm_hits = gaz.firms_in(sentence)
        if SKIP_SEGMENT.search(sentence):
            continue
        if len(sentence.split()) < 5:  # "Intel came first.": no facts, but the next "it"
            named_firms = finder.mentions(sentence)[0]
            last_firm = subject(sentence, named_firms).key if named_firms else last_firm
            continue
        firm_mentions, place_mentions = finder.mentions(sentence)
        # not a number inside a firm's name ("361 Degrees", "Qihoo 360")
        consumed: list[tuple[int, int]] = [(f.start, f.end) for f in firm_mentions]
        invested: list[int] = []  # this sentence's investments, by index in proposal.numbers
        for m in NUMBER_RE.finditer(sentence):
            if any(a <= m.start() < b for a, b in consumed):
                continue
            phrase = m.group(0).strip()
            before, after = sentence[: m.start()], sentence[m.end() : m.end() + 60]
            dated_year = re.fullmatch(r"(?:19|20)\d\d", phrase) and ESTABLISH.search(sentence)
            if (
                (DATE_NEAR.search(before) and not dated_year)
                or re.match(r"\s*(?::|\d)", after)
                or NOT_A_QUANTITY.search(before)
            ):
                continue
            word_only = re.fullmatch(rf"(?:{WORD_NUMBER_RE})", phrase, re.IGNORECASE)
            counted = re.match(
                r"\s+(?:(?!of\s)[A-Za-z][\w-]*\s+){0,3}?[a-z][\w-]*s\b(?<!\bthis)", after
            ) or (re.search(r"\bto\s+$", before) and re.match(r"\s*(?:[,.;]|$)", after))
            # "eight of the 16 units" is a count; "one of the", "two of the only four" are not
            counted = counted or re.match(r"\s+of\s+the\s+\d", after)
            if word_only and not counted and (m.start() > 0 or re.match(r"\s*of\b", after)):
                continue  # "one of the", "the other two": a bare word number is a count before a plural
            if "$" in phrase and yuan_before(before):
                continue  # a USD figure in brackets belongs to the yuan amount before it
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
            if is_year and not (ESTABLISH.search(sentence) or re.search(r"\bsince\s+$", before)):
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
            metric = "year_established" if is_year else metric_of(sentence, after, kind)
            if kind == "money" and MONEY_FOR.match(after):
                metric = "investment"  # "a 10 billion yuan ($1.4 billion) cell plant"
            if metric == "investment":
                invested.append(len(proposal.numbers))
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
            usd = USD_AFTER.match(sentence[m.end() :]) if parsed.currency == "CNY" else None
            if usd:
                consumed.append((m.end(), m.end() + usd.end()))
            period, period_basis = period_of(
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
                "value_type": value_type(sentence),
                "notes": f"proposed: period from {period_basis}",
            }
            proposal.numbers.append({k: v for k, v in entry.items() if v is not None})
        for m in RANK_RE.finditer(sentence):
            word = (m.group(2) or m.group(3) or m.group(4) or "").lower()
            digits = re.match(r"\d+", word)
            value = (
                int(m.group(1) or digits.group()) if m.group(1) or digits else ORDINALS.get(word)
            )
            if value is None:
                continue
            place = _most_specific(place_hits, gaz) or last_place
            proposal.numbers.append(
                _rank(m.group(0), value, sentence, place, _nearest(firm_hits, m.start()), seen_ids)
            )
        context = last_city if re.search(r"\bthe city\b", sentence) else last_place
        named = [  # places named here: not a firm's home ("-based") or market, nor in a firm's name
            p
            for p in place_mentions
            if not based(sentence, p)
            and not any(f.start <= p.start and p.end <= f.end for f in firm_mentions)
        ]
        place_mentions = sorted(
            place_mentions + place_refs(sentence, named, last_of, last_of.get("")),
            key=lambda p: p.start,
        )
        firm_countries.update(countries_named(sentence, firm_mentions))
        last_firm = (
            based_back(sentence, firm_mentions, recent, firm_countries, last_firm) or last_firm
        )
        recent += [f.key for f in firm_mentions]
        # a venture named earlier in this sentence is the one "the venture" means after it
        venture = next(
            (f.key for f in firm_mentions if VENTURE_RE.match(sentence, f.end)), last_venture
        )
        found = relations_in(
            sentence, firm_mentions, place_mentions, last_firm, context, venture, partners
        )
        for firm, place, kind, status in found:
            proposal.relations.append(_relation(firm, place, kind, status, sentence))
            finder.used(firm, place, kind)
        # an investment's firm and place are those of the facility or project it pays for
        facility = [r for r in found if r[2] not in ("headquarters", "second_headquarters")]
        facility.sort(key=lambda r: r[2] == "local_business_unit")  # "a unit of X": the owner
        for i in invested if facility else []:
            proposal.numbers[i]["firm"], proposal.numbers[i]["place"] = facility[0][:2]
        if (
            firm_mentions
            and not (
                REFERS_BACK.match(sentence)
                and firm_mentions[0].start > 0
                and last_firm
                # "Its anchor customer will be BMW": BMW, the new topic
                and not re.fullmatch(
                    r"(?:Its|Their)\s+(?:[\w-]+\s+){0,3}(?:is|was|are|were|will be)\s+(?:[\w-]+\s+){0,2}",
                    sentence[: firm_mentions[0].start],
                )
            )
        ):  # "The state-owned group owns 50 percent of Changan Mazda": still the group
            last_firm = subject(sentence, firm_mentions).key
        if re.search(r"\bjoint[- ]venture|\bstake\b|\bpartner(?:ed|ship)?\b|teamed up", sentence):
            # the firms of a venture or a deal, for "the partners" after it: a list of them
            # ("between X and Y", "X and Y formed"), else the first two named
            lists = [listed_with(f, firm_mentions, sentence) for f in firm_mentions]
            pair = max(lists, key=len, default=[])
            keys = list(dict.fromkeys(f.key for f in (pair if len(pair) > 1 else firm_mentions)))
            partners = tuple(keys[:3]) if len(keys) > 1 else partners
        last_venture = venture
        subjects = [
            (p, k)
            for p, k in place_hits
            if gaz.places[k]["place_type"] not in ("country", "region")
            and not LISTED_IN.search(sentence[:p])  # "listed in Shenzhen": not the topic
        ]
        if subjects:
            # "there", "it", "the base" in the next sentence: most often the smallest place named here
            last_place = _most_specific(subjects, gaz)
        zones = [
            p.key
            for p in place_mentions
            if p.kind in ("zone", "district") and sentence[p.end : p.end + 6] != "-based"
        ]
        if zones:  # "... in the Yancheng ... Zone." then "a cell factory in the zone"
            last_place = zones[-1]
        cities = [
            p.key
            for p in place_mentions
            if p.kind in ("city", "municipality") and sentence[p.end : p.end + 6] != "-based"
        ]
        if cities:  # "... Zhongwei ..." then "data centres in the city"
            last_city = cities[0]
        last_of.update({p.kind: p.key for p in named})
        if [p for p in named if p.kind != "country"]:  # the place named last, for "there"
            last_of[""] = [p for p in named if p.kind != "country"][-1].key
    unique: dict[str, dict[str, Any]] = {}
    for r in proposal.relations:  # one candidate per firm, kind and place: the first quote
        unique.setdefault(r["id"], r)
    proposal.relations = list(unique.values())
    proposal.proposed_firms = finder.proposed_firms()
    proposal.proposed_places = finder.proposed_places()
    proposal.unknown_firms = [f["firm_name"] for f in proposal.proposed_firms]
    proposal.unknown_places = [p["place_name"] for p in proposal.proposed_places]
    return proposal


def _rank(
    phrase: str, value: int, sentence: str, place: str | None, firm: str | None, seen: set[str]
) -> dict[str, Any]:
    """A rank ("No 3", "the second-largest"): a count the curator gives a rank metric."""
    base = re.sub(r"[^a-z0-9]+", "-", f"{firm or place or 'unknown'}-rank".lower()).strip("-")
    fact_id, n = base, 2
    while fact_id in seen:
        fact_id, n = f"{base}-{n}", n + 1
    seen.add(fact_id)
    entry = {
        "id": fact_id,
        "status": "unreviewed",
        "metric": "TODO",
        "place": place,
        "firm": firm,
        "quote": sentence,
        "number": phrase,
        "value": value,
        "comparator": "exact",
        "period": "as_of",
        "value_type": "actual",
        "notes": "proposed: a rank; choose or add a rank metric",
    }
    return {k: v for k, v in entry.items() if v is not None}


def _relation(firm: str, place: str, kind: str, status: str, sentence: str) -> dict[str, Any]:
    entry = {
        "id": re.sub(r"[^a-z0-9]+", "-", f"{firm}-{kind}-{place}").strip("-"),
        "review": "unreviewed",
        "firm": firm,
        "place": place,
        "presence_type": "office" if kind == "investment" else kind,
        "status": status,
        "period": "as_of",
        "quote": sentence,
    }
    if kind == "investment":
        # the warehouse has no presence type for an investment alone
        entry["notes"] = (
            "proposed: an investment into the place, no facility named; choose the presence type"
        )
    return entry
