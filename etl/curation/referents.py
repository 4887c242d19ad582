"""Who a relation is about: the firms a trigger belongs to, told from how the sentence
refers to them ("it" is the subject, "the brand" the firm named last, "the venture" the
firm named as a joint venture, "which" the firm before it, "of"/"by"/"with" the firms
after), and the firm a sentence is about for the next one to refer back to."""

from __future__ import annotations

import re
from dataclasses import dataclass

# what a firm is called when it is not named: "the company", "the steelmaker"
FIRM_NOUN = (
    r"(?:company|group|firm|conglomerate|\w*maker|startup|start-up|giant|manufacturer|producer|"
    r"supplier|developer|operator|designer|builder|shipbuilder|refiner|miner|retailer|carrier|"
    r"airline|lender|insurer|provider|specialist)"
)
BACK_REF = re.compile(
    rf"\b(?:it|its|the\s+(?:[\w-]+\s+){{0,2}}?{FIRM_NOUN})\b",
    re.IGNORECASE,
)


# "X bought Y; the brand ..." and "Y, the business ...": the firm named last, not the subject
OBJECT_REF = re.compile(
    r"\b(?:the|that|this)\s+(?:[\w-]+\s+)?(?:business|brand|unit|subsidiary|division|arm|"
    r"acquisition|operation)\b",
    re.IGNORECASE,
)


VENTURE_REF = re.compile(r"\b[Tt]he (?:[\w-]+ )?(?:joint )?venture\b")
APPOSED = re.compile(r",\s+(?:an?|the)\s+(?:[\w-]+\s+){0,5}?[\w-]+\s+(?:whose|which|that)\b")
# "It controls Changhong Meiling ... and runs a factory": the verb after "and" is the subject's
COORDINATED = re.compile(
    r"\band\s+(?:also\s+|now\s+|still\s+)?[a-z]+(?:s|ed)\s+(?:[\w-]+\s+){0,4}$"
)
PLACE_SUBJECT = re.compile(
    r"(?:The|Its)\s+(?:[\w-]+\s+)?(?:city|province|government|municipality|zone|district|region|"
    r"park|county|town|authorities)\b|Officials\b"
)
CLAUSE = re.compile(r",\s+(?:and|but|while|whereas)\s+|;\s+")


def last_named(firms: list[Mention], sentence: str) -> Mention | None:
    """The firm named last, passing over sellers and sources ("from Ford", "by IDC")."""
    for f in reversed(firms):
        if not re.search(r"\b(?:from|by|according to|than)\s+$", sentence[: f.start]):
            return f
    return None


@dataclass
class Mention:
    key: str  # an id: of the reference data, or of a proposed entry
    start: int
    end: int
    kind: str = ""  # for places: the place type


LIST_GAP = re.compile(
    r"(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s+or\s+|\s+as well as\s+|"
    r"\s*,?\s*(?:(?:and|as well as)\s+)?(?:[\w-]+\s+){0,4}?(?:like|such as|including)\s+|"
    r"\s*,?\s+(?:and|as well as)\s+(?:[\w'’-]+\s+){1,3})"
)
ASIDE = re.compile(
    r",\s+(?:an?|the|which|who|whose|its|also|designed|made|built|sold|owned|backed|led|"
    r"founded|known|developed|once|formerly|now part|part|long)\b[^,]*(?:,|$)"
)
# a sentence whose subject is the firm of the sentence before: "It ...", "The group ..."
REFERS_BACK = re.compile(rf"(?:It|Its|The\s+(?:[\w-]+\s+){{0,2}}(?:{FIRM_NOUN}|business|brand))\b")


def subject(sentence: str, firms: list[Mention]) -> Mention | None:
    """The firm a sentence is about: the first named outside an aside (", a Foshan-based CATL
    subsidiary,", ", which supplies Tesla and BMW,")."""
    asides = [m.span() for m in ASIDE.finditer(sentence)]
    outside = [
        f
        for f in firms
        if not any(a < f.start < b for a, b in asides)
        and not re.search(
            r"(?:according to|data from|analysts at|said|by)\s+(?:\w+\s+){0,2}$",
            sentence[: f.start],
        )
    ]
    return outside[0] if outside else (firms[0] if firms else None)


def listed_with(first: Mention, firms: list[Mention], sentence: str) -> list[Mention]:
    """The firms named in one list with ``first``: "iFlytek ... Qihoo 360 and Kingsoft"."""
    group = [first]
    i = firms.index(first)
    for step in (1, -1):
        j, cur = i + step, first
        while 0 <= j < len(firms):
            nxt = firms[j]
            gap = sentence[cur.end : nxt.start] if step == 1 else sentence[nxt.end : cur.start]
            if not LIST_GAP.fullmatch(gap):
                break
            group.append(nxt)
            cur, j = nxt, j + step
    return group


def firms_of(
    sentence: str,
    start: int,
    end: int,
    kind: str,
    firms: list[Mention],
    last_firm: str | None,
    last_venture: str | None,
) -> tuple[str, list[str]]:
    """The firms a trigger at ``start:end`` belongs to, and its kind ("hosts" becomes
    "office"): the firm before it, the firm a reference points back to ("it", "the brand",
    "the venture", "which"), or the firms after "of", "by", "with"."""
    before = [f for f in firms if f.end <= start]
    # "Huawei spent ..., and its device subsidiary, Huawei Device, has moved its
    # headquarters": the firms of the trigger's own clause, when it names any
    clauses = [m.end() for m in CLAUSE.finditer(sentence[:start])]
    in_clause = bool(clauses) and any(f.start >= clauses[-1] for f in before)
    if in_clause:
        before = [f for f in before if f.start >= clauses[-1]]
    gap_from = before[-1].end if before else 0
    after = [f for f in firms if f.start >= end]
    of_after = [
        f
        for f in after[:1]
        if re.fullmatch(
            r"\s+(?:of|by|for|with|from|between)\s+(?:[\w-]+\s+){0,3}", sentence[end : f.start]
        )
        and not (kind == "joint_venture" and before and re.match(r"\s+with\b", sentence[end:]))
    ]  # (a venture "with" a partner is the partner's too: see below)
    apposed = before and re.fullmatch(
        r",\s+(?:(?:an?|the)\s+(?:[\w-]+\s+){0,4}|whose\s+(?:[\w-]+\s+){0,4}?)",
        sentence[before[-1].end : start],
    )  # "JAC Motors, a state-owned carmaker based in", "Wuliangye, whose head office"
    run_by = [
        f
        for f in after[:1]
        if re.fullmatch(
            r"(?:[\s,]+[\w'’-]+){0,4}?\s+(?:operated|owned|run|managed) by\s+",
            sentence[end : f.start],
        )
    ]  # "a module plant run by LG Display": the firm after
    sold_to = [
        f
        for f in after[:1]
        if re.search(r"\bsold\s+(?:[\w-]+\s+){0,4}$", sentence[gap_from:start])
        and re.fullmatch(r"\s+to\s+(?:[\w'’-]+\s+){0,3}?", sentence[end : f.start])
    ]  # "sold its Kunshan plant to Dongguan-based Luxshare": the buyer's now
    if run_by or sold_to:
        keys, group = [(run_by or sold_to)[0].key], []
    elif kind == "hosts" or of_after:
        # "the city is home to ... Dell and IBM", "the research centres of ... Alibaba"
        kind = "office" if kind == "hosts" else kind
        group = listed_with(after[0], firms, sentence) if after else []
        keys = []
    elif apposed:
        keys, group = [before[-1].key], []
    elif (
        before
        and APPOSED.match(sentence, before[-1].end)
        and not re.search(r"[;:]|\.\s", sentence[before[-1].end : start])
        and not BACK_REF.search(sentence, APPOSED.match(sentence, before[-1].end).end(), start)
    ):
        # "Galanz, the microwave-oven maker whose head office is in Ronggui"
        keys, group = [before[-1].key], []
    elif (
        before
        and COORDINATED.search(sentence, before[-1].end, start)
        and (before[0].start == 0 or (last_firm and REFERS_BACK.match(sentence)))
    ):
        keys = [before[0].key if before[0].start == 0 else last_firm]
        group = []
    elif (which := re.search(r",\s+which\s+[^,]*$", sentence[:start])) and any(
        f.end <= which.start() for f in before
    ):
        # "its main China unit, which then moved its headquarters": the firm before "which"
        keys = [[f for f in before if f.end <= which.start()][-1].key]
        group = []
    elif VENTURE_REF.search(sentence[gap_from:start]) and last_venture:
        keys, group = [last_venture], []  # "The venture, which keeps its headquarters in"
    elif OBJECT_REF.search(sentence[gap_from:start]) and before:
        # "bought Volvo Cars from Ford; the brand now assembles ...": the firm named last
        named = last_named(before, sentence)
        keys = [named.key] if named else []
        group = []
    elif BACK_REF.search(sentence[gap_from:start]) and (
        before or (last_firm and not PLACE_SUBJECT.match(sentence))
    ):
        # "CATL, which supplies Tesla, said it would invest ... in its plant": the subject
        free = [
            f
            for f in before
            if not re.search(
                r"\b(?:by|of|from|with|for|than|to|at|according to)\s+(?:[\w-]+\s+){0,2}$",
                sentence[: f.start],
            )
        ]
        primary = free[0] if free else None
        keys = [primary.key] if primary else [last_firm]
        group = listed_with(primary, firms, sentence) if primary else []
    elif before:
        asides = [m.span() for m in ASIDE.finditer(sentence[:start])]
        free = [f for f in before if not any(a < f.start < b for a, b in asides)]
        if (
            len(before) > 1
            and re.fullmatch(r"['’]s\s+", sentence[before[-2].end : before[-1].start])
            and re.fullmatch(r"\s+(?:[\w-]+\s+){0,2}", sentence[before[-1].end : start])
        ):
            free = [before[-2]]  # "Sinopec's Zhongke refinery": Sinopec's
        if not free and last_firm and REFERS_BACK.match(sentence):
            # "Its AITO cars, designed with Huawei ..., are built at a factory in ..."
            keys, group = [last_firm], []
        else:
            group = listed_with((free or before)[-1], firms, sentence)
            keys = []
    else:
        after = [
            f
            for f in firms
            if f.start >= end
            and re.fullmatch(
                r"\s+(?:of|by|for|with|from)\s+(?:[\w-]+\s+){0,3}|(?:[\s,]+[\w'’-]+){0,6}?\s+"
                r"(?:operated|owned|run|built|opened|managed|used) by\s+",
                sentence[end : f.start],
            )
        ]  # "the research centres of ... Alibaba", "the plant in Ningde is run by CATL"
        group = listed_with(after[0], firms, sentence) if after else []
        # "Another complex, in Baotou, is under construction": the firm of the last sentence
        again = re.match(r"(?:Another|A second|A third|Its other|The other)\b", sentence)
        keys = (
            []
            if group or PLACE_SUBJECT.match(sentence)  # "The city said it will build"
            else ([last_firm] if last_firm and (BACK_REF.search(sentence) or again) else [])
        )
    keys += [f.key for f in group if f.key not in keys]
    return kind, [k for k in keys if k]  # "its" with no firm named yet: no relation


# "a cell factory in the zone", "headquartered there": a place named before, by a noun or
# "there" (not "there are"; not "the city's Lianchi District": the place named after it)
PLACE_REF = re.compile(
    r"\b(?:(?:the|that|this)\s+(?:same\s+|new\s+|development\s+|industrial\s+|economic\s+|"
    r"high-tech\s+|free[- ]trade\s+|free\s+|bonded\s+)*(zone|park|new area|development area|district|"
    r"county|city|province|town|village)\b(?!['’]s|\s+of\s+(?:the\s+)?[A-Z])|(there)\b(?!\s+(?:is|are|was|were|have|has|had|will|"
    r"would|remain|seem|appear)\b))"
)
STATE_AFTER = re.compile(r"\s+(?:state|province|prefecture|region)\b")
REF_KINDS = {
    "zone": ("zone",),
    "park": ("zone",),
    "new area": ("zone", "district"),
    "development area": ("zone",),
    "district": ("district",),
    "county": ("district",),
    "city": ("city", "municipality"),
    "town": ("city", "district"),
    "village": ("city", "district"),
    "province": ("province",),
}


# the words before a stock market's city: "listed in Shenzhen", "traded on ..."
LISTED_IN = re.compile(r"\b(?:listed|traded|trading)\s+(?:[\w-]+\s+){0,2}?(?:in|on)\s+$")


def based(sentence: str, place: Mention) -> bool:
    """ "Shanghai-based", "listed in Shenzhen": another firm's home, or a stock market, not
    a place things happen in."""
    return sentence[place.end : place.end + 6] == "-based" or bool(
        LISTED_IN.search(sentence[: place.start])
    )


def place_refs(
    sentence: str, places: list[Mention], last_of: dict[str, str], last_place: str | None
) -> list[Mention]:
    """Mentions of places the article named before: "the zone" is the zone named last,
    "the city" the city, "there" the place named last (of this sentence, else before)."""
    out = []
    for m in PLACE_REF.finditer(sentence):
        if any(p.start < m.end() and m.start() < p.end for p in places):
            continue
        if m.group(2):
            # "founded in Changchun and still headquartered there": the place before it
            before = [
                p for p in places
                if p.end <= m.start() and p.kind != "country" and not based(sentence, p)
                and not STATE_AFTER.match(sentence, p.end)
            ]  # fmt: skip
            # "Liushi is a town in Yueqing, ..., and Chint is still headquartered there": the
            # place the sentence is about, not the last one named
            about = [
                p for p in before
                if p.start == 0 and re.match(r"\s+(?:is|was|remains|has become)\b", sentence[p.end :])
            ]  # fmt: skip
            key = (about or before)[-1].key if before else last_place
            if m.start() > 0 and key:
                out.append(Mention(key, m.start(2), m.end(2), "reference"))
            continue
        for kind in REF_KINDS[m.group(1)]:
            # "in Hefei under contract with JAC Motors, based in the same city": Hefei
            # ("Campinas, in Sao Paulo state, ... in that city": Campinas, not the state)
            here = [
                p.key for p in places
                if p.end <= m.start() and p.kind == kind and not based(sentence, p)
                and not (kind == "city" and STATE_AFTER.match(sentence, p.end))
            ]  # fmt: skip
            if here or kind in last_of:
                out.append(Mention((here or [last_of[kind]])[-1], m.start(), m.end(), kind))
                break
    return out


DEMONYM_COUNTRIES = {
    "Japanese": "JP", "Korean": "KR", "South Korean": "KR", "German": "DE", "American": "US",
    "French": "FR", "British": "GB", "Swiss": "CH", "Dutch": "NL", "Swedish": "SE",
    "Italian": "IT", "Taiwanese": "TW", "Danish": "DK", "Finnish": "FI", "Spanish": "ES",
    "Thai": "TH", "Indian": "IN", "Chinese": "CN", "Austrian": "AT", "Belgian": "BE",
    "US": "US", "U.S.": "US", "Canadian": "CA", "Australian": "AU", "Norwegian": "NO",
}  # fmt: skip
_DEMONYMS = "|".join(re.escape(d) for d in sorted(DEMONYM_COUNTRIES, key=len, reverse=True))
_OWNER = re.compile(r"((?:[A-Z][\w.-]*\s){0,2}[A-Z][\w.-]*)(?:['’]s|-based)\s+(?:[\w-]+\s+){0,2}$")
_DEMONYM = re.compile(rf"\b({_DEMONYMS})\s+(?:[\w-]+\s+){{0,2}}$")
# "SK hynix, South Korea's second-largest chipmaker", "Toyota, the Japanese carmaker"
_APPOSED_COUNTRY = re.compile(
    rf",\s+(?:(?:an?|the)\s+)?(?:({_DEMONYMS})\s|((?:[A-Z][\w.-]*\s){{0,2}}[A-Z][\w.-]*)"
    rf"(?:['’]s|-based)\s)(?:[\w-]+\s+){{0,2}}?{FIRM_NOUN}\b"
)
# "The Tokyo-based carmaker", "for the Korean group"
BASED_BACK = re.compile(
    rf"\b[Tt]he (?:({_DEMONYMS})|([A-Z][\w'’. -]+?)-based)\s+(?:[\w-]+\s+){{0,2}}?{FIRM_NOUN}\b"
)


def _country_of(name: str) -> str | None:
    from etl.curation.gazetteer import gazetteer

    place = gazetteer().lookup(name.strip())
    return place.country if place is not None and place.country else None


def countries_named(sentence: str, firms: list[Mention]) -> dict[str, str]:
    """The country an article gives a firm it names: "Japan's Honda Motor", "Tokyo-based
    TDK", "German chemicals maker BASF"."""
    out = {}
    for f in firms:
        before = sentence[max(0, f.start - 60) : f.start]
        if m := _DEMONYM.search(before):
            out[f.key] = DEMONYM_COUNTRIES[m.group(1)]
        elif (m := _OWNER.search(before)) and (country := _country_of(m.group(1))):
            out[f.key] = country
        elif m := _APPOSED_COUNTRY.match(sentence, f.end):
            country = DEMONYM_COUNTRIES[m.group(1)] if m.group(1) else _country_of(m.group(2))
            if country:
                out[f.key] = country
    return out


def based_back(
    sentence: str,
    firms: list[Mention],
    recent: list[str],
    countries: dict[str, str],
    last_firm: str | None,
) -> str | None:
    """ "The Tokyo-based carmaker also has ...", "bases in China for the Korean group": the
    firm named last whose country is the place's (Honda Motor, "Japan's Honda Motor"), not
    simply the firm named last; only before the sentence names a firm (not "Toyota, the
    Japanese carmaker")."""
    m = BASED_BACK.search(sentence)
    if m and firms and firms[0].start < m.start():
        m = None
    country = (
        (DEMONYM_COUNTRIES[m.group(1)] if m.group(1) else _country_of(m.group(2))) if m else None
    )
    if country in (None, "CN") or countries.get(last_firm or "") == country:
        return None  # "The Shenzhen-based company": the firm named last
    return next((k for k in reversed(recent) if countries.get(k) == country), None)
