"""Firm-place relations in general English, one sentence at a time.

A relation is a trigger ("headquarters", "plant", "R&D centre", "joint venture", "invest ...
in") with a firm (the nearest firm named before it, else the firm the sentence refers back to
with "it", "its", "the company") and a place (the nearest place after it, else before it).
"X-based Firm" and "Firm, a X-based ..." make a headquarters; "Firm ... headquartered in X"
too. Status comes from the verbs: will/plans/announced, opened/began, under construction,
otherwise operating."""

from __future__ import annotations

import re
from dataclasses import dataclass

# (pattern, presence type); the first that matches at a position wins
TRIGGERS: list[tuple[str, str]] = [
    (r"second headquarters", "second_headquarters"),
    (
        r"(?:global|world|China|Chinese|regional|Asia[- ]Pacific|national|international|new|"
        r"main|operational|5G|\w+)?\s?headquarters|headquartered|\bhome base\b|\bborn in\b|"
        r"\bbased in\b|\bhome to\b(?=[^.]*\b(?:headquarters|head office)\b)|\bhead office\b",
        "headquarters",
    ),
    (
        r"(?:research|R&D|research and development|innovation|design|engineering|technology)\s"
        r"(?:and development\s)?(?:cent(?:er|re)|institute|lab(?:oratory)?|hub|base)s?",
        "research_centre",
    ),
    (
        r"data cent(?:er|re)s?|\bcloud (?:computing )?(?:base|cent(?:er|re))|server farm",
        "data_centre",
    ),
    (r"joint ventures?|\bJV\b", "joint_venture"),
    (
        r"\blocal (?:[\w-]+ )?(?:business(?:es)?|units?)\b|\bunit\b|\bsubsidiar(?:y|ies)\b",
        "local_business_unit",
    ),
    (
        r"(?:gigafactory|factory|factories|plants?|\bfabs?\b|wafer fab\w*|assembly lines?|"
        r"(?:OLED|LCD|panel|display|screen|chip|battery|packaging|test) lines?|refiner(?:y|ies)|"
        r"smelters?|steel ?works|steel mills?|\bmills?\b|foundr(?:y|ies)|shipyards?|"
        r"production (?:base|lines?|sites?|phases?|facilit\w+)|manufacturing (?:base|sites?|"
        r"facilit\w+|hub|complex)|\bsite\b|complex|\bbuilds?\b|\bassembles?\b|\bmakes\b|produces|"
        r"\bproduction\b)",
        "factory",
    ),
    (
        r"\boffices?\b|branch(?:es)?|regional unit|business unit|\bset up (?:shop|operations)\b|"
        r"(?:delivery|service|operations|sales|support|customer) cent(?:er|re)s?",
        "office",
    ),
    (r"(?i:test(?:ing)? (?:base|ground|track|zone))", "test_base"),
    (r"\b(?:is|are|was) home to\b|\bhosts\b|\bhouses\b|\battract(?:ed|s)\b", "hosts"),
    (r"\binvest(?:s|ed|ing|ment)?\b", "investment"),
    (r"\bbase\b|\bhub\b|\bcampus\b|\bcent(?:er|re)\b", "office"),
]
TRIGGER_RE = [(re.compile(p), kind) for p, kind in TRIGGERS]
BACK_REF = re.compile(
    r"\b(?:it|its|the\s+(?:[\w-]+\s+){0,2}?(?:company|group|firm|carmaker|automaker|chipmaker|"
    r"maker|startup|start-up|giant|manufacturer|producer|supplier|developer|operator))\b",
    re.IGNORECASE,
)


# "X bought Y; the brand ..." and "Y, the business ...": the firm named last, not the subject
OBJECT_REF = re.compile(
    r"\b(?:the|that|this)\s+(?:[\w-]+\s+)?(?:business|brand|unit|subsidiary|division|arm|"
    r"acquisition|operation)\b",
    re.IGNORECASE,
)


VENTURE_REF = re.compile(r"\b[Tt]he (?:[\w-]+ )?(?:joint )?venture\b")
# up to two words between a place and its facility, none a verb or a function word
ADJECTIVES = re.compile(
    r"\s+(?:(?!(?:and|or|has|have|had|is|are|was|were|its|their|with|to|in|of|for|at|on|by|"
    r"the|a|an|also|which|that|it)\s)[a-z][\w-]*\s+){0,2}"
)
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


def _also_in(places: list[Mention], sentence: str, end: int, found: list) -> list[str]:
    """ "lines, one in Mianyang ... and another in Chongqing": each place after "and ... in",
    but not a listing ("and has been listed in Shanghai") or another trigger's place ("and
    has offices in Beijing")."""
    return [
        p.key
        for p in places
        if re.search(
            r"\b(?:and|another|one|also|as well as)\b[^,.;]{0,20}\bin\s+$", sentence[: p.start]
        )
        and not re.search(r"\b(?:listed|traded|trading)\b[^,.;]{0,20}$", sentence[: p.start])
        and not any(end <= t < p.start for t, _, _ in found)
    ]


def _last_named(firms: list[Mention], sentence: str) -> Mention | None:
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


def triggers(sentence: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    for rx, kind in TRIGGER_RE:
        for m in rx.finditer(sentence):
            if any(a <= m.start() < b or m.start() <= a < m.end() for a, b, _ in found):
                continue
            found.append((m.start(), m.end(), kind))
    return sorted(found)


def status_of(sentence: str) -> str:
    if re.search(
        r"under construction|is building|are building|being built|broke ground", sentence, re.I
    ):
        return "under_construction"
    if re.search(
        r"\b(?:will|would|plans?|planned|to build|to set up|to open|announced|agreed|signed|"
        r"expects?|aims?)\b",
        sentence,
        re.I,
    ):
        return "announced"
    if re.search(
        r"\bopen(?:ed|s|ing)\b|\bbegan\b|\bstarted (?:production|operat)|came online|inaugurat",
        sentence,
        re.I,
    ):
        return "opened"
    return "operating"


LIST_GAP = re.compile(
    r"(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s+or\s+|\s+as well as\s+|"
    r"\s*,?\s*(?:(?:and|as well as)\s+)?(?:[\w-]+\s+){0,4}?(?:like|such as|including)\s+|"
    r"\s*,?\s+(?:and|as well as)\s+(?:[\w-]+\s+){1,3})"
)
BASED = re.compile(
    r"([A-Z][\w'’-]*(?:\s[A-Z][\w'’-]*)?)(?:,\s[A-Z][\w'’-]*)?-(?:based|headquartered)\b"
)


ASIDE = re.compile(
    r",\s+(?:an?|the|which|who|whose|its|also|designed|made|built|sold|owned|backed|led|"
    r"founded|known|developed)\b[^,]*(?:,|$)"
)
# a sentence whose subject is the firm of the sentence before: "It ...", "The group ..."
REFERS_BACK = re.compile(
    r"(?:It|Its|The\s+(?:[\w-]+\s+){0,2}(?:group|company|firm|automaker|carmaker|maker|"
    r"chipmaker|giant|manufacturer|business|brand|supplier|developer))\b"
)


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


def _listed_with(first: Mention, firms: list[Mention], sentence: str) -> list[Mention]:
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


def _based(sentence, firms, places, last_firm) -> list[tuple[str, str, str, str]]:
    """ "Hefei-based NIO", "NIO, a Shanghai-based carmaker", "the Palo Alto, California-based
    company" (the firm named before): headquarters."""
    out = []
    for m in BASED.finditer(sentence):
        place = next((p for p in places if m.start(1) <= p.start < m.end(1)), None)
        if place is None:
            continue
        after = [f for f in firms if f.start >= m.end()]
        before = [
            f
            for f in firms
            if f.end <= m.start()
            and re.fullmatch(
                r"(?:'s)?,\s*(?:an?|the|its)\s+(?:[\w-]+\s+){0,2}", sentence[f.end : place.start]
            )
        ]
        owner = before[-1].key if before else None
        if (
            owner is None
            and after
            and re.fullmatch(
                r"\s+(?:[a-z][\w-]*\s+){0,4}", sentence[m.end() : after[0].start] + " "
            )
        ):
            owner = after[0].key
        if owner is None and re.search(r"\b[Tt]he\s+$", sentence[: place.start]):
            named = _last_named([f for f in firms if f.end <= m.start()], sentence)
            owner = named.key if named else last_firm
        if owner:
            out.append((owner, place.key, "headquarters", "operating"))
    return out


def relations_in(
    sentence: str,
    firms: list[Mention],
    places: list[Mention],
    last_firm: str | None,
    last_place: str | None,
    last_venture: str | None = None,
) -> list[tuple[str, str, str, str]]:
    """(firm, place, presence type, status) of each relation the sentence states."""
    status = status_of(sentence)
    # a country is a firm's home only as "Luxembourg-based"
    places = [p for p in places if p.kind != "country" or sentence[p.end : p.end + 6] == "-based"]
    # a place inside a firm's name ("Guangdong Brunp", "Dongfeng") is the firm's; a firm inside
    # a place's name is the place's
    places = [p for p in places if not any(f.start <= p.start and p.end <= f.end for f in firms)]
    firms = [f for f in firms if not any(p.start <= f.start and f.end <= p.end for p in places)]
    out = _based(sentence, firms, places, last_firm)
    found = triggers(sentence)
    facilities = [k for _, _, k in found if k not in ("investment", "hosts")]
    for start, end, kind in found:
        if kind == "investment" and facilities:
            continue  # "invest 5 billion yuan to build a plant": the plant is the relation
        if sentence[start - 1 : start] == "-" or sentence[end : end + 6] == "-based":
            continue
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
        if kind == "hosts" or of_after:
            # "the city is home to ... Dell and IBM", "the research centres of ... Alibaba"
            kind = "office" if kind == "hosts" else kind
            group = _listed_with(after[0], firms, sentence) if after else []
            keys = []
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
            named = _last_named(before, sentence)
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
            group = _listed_with(primary, firms, sentence) if primary else []
        elif before:
            asides = [m.span() for m in ASIDE.finditer(sentence[:start])]
            free = [f for f in before if not any(a < f.start < b for a, b in asides)]
            if not free and last_firm and REFERS_BACK.match(sentence):
                # "Its AITO cars, designed with Huawei ..., are built at a factory in ..."
                keys, group = [last_firm], []
            else:
                group = _listed_with((free or before)[-1], firms, sentence)
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
            group = _listed_with(after[0], firms, sentence) if after else []
            keys = (
                []
                if group or PLACE_SUBJECT.match(sentence)  # "The city said it will build"
                else ([last_firm] if last_firm and BACK_REF.search(sentence) else [])
            )
        keys += [f.key for f in group if f.key not in keys]
        keys = [k for k in keys if k]  # "its" with no firm named yet: no relation
        if not keys:
            continue
        after_p = [
            p
            for p in places
            if p.start >= end
            and not re.search(
                r"\b(?:between|despite|than|unlike|compared|rather|versus)\b",
                sentence[end : p.start],
            )
            and sentence[p.end : p.end + 6] != "-based"  # another firm's home
        ]
        # "The Suwon-based group ... the site": the home is not the site
        before_p = [p for p in places if p.end <= start and sentence[p.end : p.end + 6] != "-based"]
        place = None
        more: list[str] = []
        gap = sentence[end : after_p[0].start] if after_p else ""
        far = before_p and re.match(r"(?:In|At)\s+$", sentence[: before_p[-1].start])
        far = far and len(gap) > 40 and re.search(r",\s+(?:and|but|while)\s", gap)
        adjacent = before_p and re.fullmatch(ADJECTIVES, sentence[before_p[-1].end : start])
        # "the Shenyang joint venture", "its Xi'an chip plant"
        made = before_p and re.search(r"\bma(?:de|kes?|king)\s+$", sentence[: before_p[-1].start])
        w = [m.start() for m in re.finditer(r",\s+where\b", sentence[:start])]
        where = [p for p in before_p if w and p.end <= w[-1]]
        if where and (not adjacent or before_p[-1].kind in ("province", "region", "country")):
            # "hums in the Sanjiang New Area ..., where CATL began production at its Sichuan
            # base": the place before "where"
            place = where[-1].key
        elif made and re.fullmatch(
            r"\s+(?:its|their)\s+(?:[\w-]+\s+){0,3}", sentence[before_p[-1].end : start]
        ):
            place = before_p[-1].key  # "has made Zhengzhou its main hub in Asia"
        elif adjacent:
            place = before_p[-1].key
        elif far:
            # "In Chengdu, the company opened a plant in 2017 that ..., and it is building two
            # lines, one in Mianyang ... and another in Chongqing": Chengdu, and the others
            place = before_p[-1].key
            more = _also_in(after_p, sentence, end, found)
        elif after_p and not re.search(r"[;]|\.\s", gap):
            # "a plant in Yibin, Sichuan province": the first (most specific) place after;
            # "lines, one in Mianyang ... and another in Chongqing": each place after "in"
            place = after_p[0].key
            moved_to = [
                p for p in after_p[1:] if re.search(r"\bto\s+(?:the\s+)?$", sentence[: p.start])
            ]
            if re.search(r"\bfrom\s+$", sentence[: after_p[0].start]) and moved_to:
                after_p = moved_to  # "moved its headquarters from Suzhou to Shanghai"
                place = after_p[0].key
            if len(after_p) > 1 and re.fullmatch(
                r"['’]s\s+", sentence[after_p[0].end : after_p[1].start]
            ):
                place = after_p[1].key  # "in Hefei's Xinzhan ... Zone": the zone
            # "offices in Beijing and Shanghai", "in Chengdu, Tianjin and Qingdao": one list
            # (but not "Yibin, Sichuan": a city, then its province)
            prev = after_p[0]
            for nxt in after_p[1:]:
                gap = sentence[prev.end : nxt.start]
                if not re.fullmatch(r"\s*,\s*(?:and\s+)?|\s+and\s+", gap):
                    break
                if nxt.kind not in ("province", "region", "country"):
                    more.append(nxt.key)  # "in Shihezi, Xinjiang, and Baotou": not Xinjiang
                prev = nxt
            more += _also_in(after_p[1:], sentence, end, found)
        elif before_p:
            # "In the Yuheng industrial zone south of Yulin city, X ... has run a plant": the
            # place the sentence opens with, else the nearest before
            lead = [
                p
                for p in before_p
                if re.fullmatch(r"(?:In|At|Across|Inside)\s+(?:the\s+)?", sentence[: p.start])
            ]
            place = (lead or before_p[-1:])[0].key
        elif last_place and (
            re.search(
                r"\b(?:there|the city|locally|the zone|the park|the (?:site|plant|factory|campus|"
                r"facility)|the (?:new |development |industrial )?(?:area|zone|district|county|port))\b",
                sentence,
            )
            or re.match(
                r"(?:It|The (?:zone|park|area|base|valley|city|district|province|region|town))\b",
                sentence,
            )
        ):
            place = last_place  # "It also houses ...": the place the last sentence named
        if place is None:
            continue
        out += [(k, pl, kind, status) for k in keys for pl in [place, *more]]
    # the partner of a joint venture: "a joint venture with SAIC Motor in Liyang"
    for m in re.finditer(r"joint[- ]ventures?\s+(?:\w+\s){0,3}?with\s", sentence):
        partners = [
            f
            for f in firms
            if f.start >= m.end()
            and not re.search(r"[.;]", sentence[m.end() : f.start])
            and not re.search(r"\b(?:called|named|known as)\s+$", sentence[: f.start])
        ]  # (not the venture itself: "a joint venture with the government, called Huaxintong")
        # "its joint venture in Wuhan with Tokyo-based Honda": Wuhan, not Honda's home
        within = [p for p in places if m.start() < p.start < m.end()]
        adjacent = [
            p
            for p in places
            if p.end <= m.start() and re.fullmatch(ADJECTIVES, sentence[p.end : m.start()])
        ]
        places_after = (
            within
            or adjacent
            or [p for p in places if p.start >= m.end() and sentence[p.end : p.end + 6] != "-based"]
            or [p for p in places if p.end <= m.start()][-1:]  # "Also in Pingfang, a joint ..."
        )
        if partners and places_after:
            out.append((partners[0].key, places_after[0].key, "joint_venture", status))
    seen, unique = set(), []
    for r in out:
        if r[:3] not in seen and r[0] != r[1]:
            seen.add(r[:3])
            unique.append(r)
    return unique
