"""Firm-place relations in general English, one sentence at a time.

A relation is a trigger ("headquarters", "plant", "R&D centre", "joint venture", "invest ...
in") with its firms (``etl.curation.referents``: the firm before it, or the firm "it", "the
brand" or "which" points back to) and a place (``_place_of``: the first place after it, a
place just before it, the place the sentence opens with, or the sentence before's).
"X-based Firm" and "Firm, a X-based ..." make a headquarters; "Firm ... headquartered in X"
too. Status comes from the verbs: will/plans/announced, opened/began, under construction,
otherwise operating."""

from __future__ import annotations

import re

from etl.curation.referents import (
    ASIDE,
    FIRM_NOUN,
    LISTED_IN,
    STATE_AFTER,
    Mention,
    firms_of,
    last_named,
    listed_with,
)
from etl.curation.triggers import ENDED, status_of, triggers

# up to two words between a place and its facility, none a verb or a function word
ADJECTIVES = re.compile(
    r"\s+(?:(?!(?:and|or|has|have|had|is|are|was|were|its|their|with|to|in|of|for|at|on|by|"
    r"the|a|an|also|which|that|it|but|still|now|then|yet|so|only)\s)[a-z][\w-]*\s+){0,2}"
)


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
        # "in Iracemapolis, also in Sao Paulo state": the state the town is in
        and not (
            STATE_AFTER.match(sentence, p.end)
            and re.search(r",\s+also\s+in\s+$", sentence[: p.start])
        )
    ]


BASED = re.compile(
    r"([A-Z][\w'’-]*(?:\s[A-Z][\w'’-]*)?)(?:,\s[A-Z][\w'’-]*)?-(?:based|headquartered)\b"
)


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
        owner = (
            before[-1].key
            if before and not re.search(r"\bof\s+$", sentence[: place.start])
            else None
        )
        if (
            owner is None
            and after
            and re.fullmatch(
                r"\s+(?:[a-z][\w-]*\s+){0,4}", sentence[m.end() : after[0].start] + " "
            )
        ):
            owner = after[0].key
        if owner is None and re.search(r"\b[Tt]he\s+$", sentence[: place.start]):
            named = last_named([f for f in firms if f.end <= m.start()], sentence)
            owner = named.key if named else last_firm
        if owner:
            out.append((owner, place.key, "headquarters", "operating"))
    return (
        out
        + _home_noun(sentence, firms, places)
        + _home_first(sentence, firms, places)
        + _home_owner(sentence, firms, places)
    )


def _home_owner(sentence, firms, places) -> list[tuple[str, str, str, str]]:
    """ "Bengbu's own Fengyuan", "Beijing's Li Ning": a city's firm is at home there."""
    out = []
    for p in places:
        if p.kind in ("city", "municipality", "district"):
            f = next(
                (
                    f
                    for f in firms
                    if re.fullmatch(r"['’]s\s+(?:own\s+)?", sentence[p.end : f.start])
                ),
                None,
            )
            # a firm, then a verb or the clause's end ("Beijing's Li Ning."); not "Shanghai's
            # STAR Market", nor "Tesla's Shanghai factory" (the other way round)
            if (
                f
                and re.match(
                    r"\s*[,.;]|\s+(?:and|or|has|had|is|was|will|said|says|[a-z]+(?:s|ed))\b",
                    sentence[f.end :],
                )
                and not re.search(r"\b(?:Market|Exchange|Board)$", sentence[f.start : f.end])
            ):
                out.append((f.key, p.key, "headquarters", "operating"))
    return out  # fmt: skip


def _home_first(sentence, firms, places) -> list[tuple[str, str, str, str]]:
    """ "Headquartered in Panzhihua, Sichuan, Pangang Group ...": the firm after the places."""
    lead = re.match(r"(?:Headquartered|Based|Head-quartered)\s+in\s+", sentence)
    after = [p for p in places if lead and p.start >= lead.end()]
    firm = next(
        (f for f in firms if after and f.start > after[0].end
         and re.fullmatch(r"[^.;:]*?,\s+", sentence[after[0].end : f.start])),
        None,
    )  # fmt: skip
    return [(firm.key, after[0].key, "headquarters", "operating")] if firm else []


# "Shougang Group, the Beijing steelmaker," and "the Hefei carmaker NIO": a home
HOME_NOUN = re.compile(rf"\s+(?:[\w-]+\s+){{0,2}}?{FIRM_NOUN}\b")


def _home_noun(sentence, firms, places) -> list[tuple[str, str, str, str]]:
    out = []
    for p in places:
        noun = HOME_NOUN.match(sentence, p.end)
        if p.kind in ("country", "region") or not noun or sentence[p.end : p.end + 1] == "-":
            continue
        before = [
            f for f in firms if f.end <= p.start
            and re.fullmatch(r",\s+(?:an?|the|another)\s+", sentence[f.end : p.start])
        ]  # fmt: skip
        after = [
            f for f in firms if f.start >= noun.end()
            and re.fullmatch(r"\s+", sentence[noun.end() : f.start])
            and re.search(r"\b(?:[Tt]he|an?)\s+$", sentence[: p.start])
        ]  # fmt: skip
        for f in before[-1:] + after[:1]:
            out.append((f.key, p.key, "headquarters", "operating"))
    return out


# the place a sentence opens with: "In Chengdu, ...", "Nearby, in Longfeng District, ...",
# "ZHANJIANG, Nov 20 (Eval) - On Donghai Island, ..."
LEAD = re.compile(
    r"(?:[^.]*?\(\w+\)\s+-\s+|[A-Z][a-z]+,\s+)?(?:[Ii]n|[Aa]t|[Oo]n|Across|Inside)\s+(?:the\s+)?"
)


def _place_of(
    sentence: str,
    start: int,
    end: int,
    places: list[Mention],
    found: list[tuple[int, int, str]],
    last_place: str | None,
) -> tuple[str | None, list[str]]:
    """The place of a trigger at ``start:end`` (and more places in one list with it): the
    first place after it, a place just before it, the place the sentence opens with, or the
    place of the sentence before ("there", "the zone")."""
    after_p = [
        p
        for p in places
        if p.start >= end
        and not re.search(
            r"\b(?:between|despite|(?<!more )(?<!less )(?<!fewer )than|unlike|compared|rather|versus)\b",
            sentence[end : p.start],
        )
        and sentence[p.end : p.end + 6] != "-based"  # another firm's home
        and not LISTED_IN.search(sentence[: p.start])  # a stock market's city
    ]
    # "The Suwon-based group ... the site": the home is not the site
    before_p = [p for p in places if p.end <= start and sentence[p.end : p.end + 6] != "-based"]
    place = None
    more: list[str] = []
    gap = sentence[end : after_p[0].start] if after_p else ""
    far = before_p and re.match(r"(?:In|At)\s+$", sentence[: before_p[-1].start])
    far = far and len(gap) > 40 and re.search(r",\s+(?:and|but|while)\s", gap)
    adjacent = (
        before_p
        and before_p[-1].kind != "reference"  # "headquartered there but makes ...": not there
        and re.fullmatch(ADJECTIVES, sentence[before_p[-1].end : start])
    )
    # "the Shenyang joint venture", "its Xi'an chip plant"
    made = before_p and re.search(r"\bma(?:de|kes?|king)\s+$", sentence[: before_p[-1].start])
    w = [m.start() for m in re.finditer(r",\s+where\b", sentence[:start])]
    where = [p for p in before_p if w and p.end <= w[-1]]
    near_after = (  # "whose head office ... stand in Cuiping District": not the "where"
        after_p
        and after_p[0].kind not in ("province", "region", "country")
        and re.fullmatch(r"[^,;.]{0,40}", gap)
    )
    if (
        where
        and not near_after
        and (not adjacent or before_p[-1].kind in ("province", "region", "country"))
    ):
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
            # (a country after each: "in Camacari, Brazil, and Szeged, Hungary")
            if not re.fullmatch(r"\s*,\s*(?:and\s+)?|\s+and\s+|,\s[A-Z][\w-]+,\s+and\s+", gap):
                break
            listed = nxt.kind == "region" and (
                "and" in gap.split()
                or any(
                    re.fullmatch(r"\s*,\s*(?:and\s+)?|\s+and\s+", sentence[nxt.end : q.start])
                    for q in after_p
                    if q.start >= nxt.end
                )
            )
            # "bases in Anhui, Jiangsu and Jiangxi provinces": provinces listed after a province
            # (or countries after a country: "in India, Indonesia and Brazil")
            listed = listed or (
                after_p[0].kind == nxt.kind == prev.kind and nxt.kind in ("province", "country")
            )
            if nxt.kind not in ("province", "region", "country") or listed:
                # "in Shihezi, Xinjiang, and Baotou": not Xinjiang; "in Lijiang, Chuxiong and
                # Qujing": Chuxiong (a prefecture, inside the list)
                more.append(nxt.key)
            prev = nxt
        more += _also_in(after_p[1:], sentence, end, found)
    elif before_p:
        # "In the Yuheng industrial zone south of Yulin city, X ... has run a plant": the
        # place the sentence opens with, else the nearest before
        lead = [p for p in before_p if re.fullmatch(LEAD, sentence[: p.start])]
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
    return place, more


def _partners(
    sentence: str, firms: list[Mention], places: list[Mention], status: str, last_place=None
) -> list:
    """The partner of a joint venture: "a joint venture with SAIC Motor in Liyang"."""
    out = []
    for m in re.finditer(
        r"joint[- ]ventures?\s+(?:(?:\w+\s){0,3}?(with|between|of|owned by)|(?:[\w-]+\s){0,6}?"
        r"(in which))\s",
        sentence,
    ):
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
            or [
                p
                for p in places
                if p.start >= m.end()
                and sentence[p.end : p.end + 6] != "-based"
                and not re.match(r"['’]s\s", sentence[p.end :])
                and not re.search(
                    r"\b(?:headquarters|head office)\s+(?:is|are)\s+in\s+$|\bnear\s+$",
                    sentence[: p.start],
                )  # "whose headquarters are in Fuchu, near Hiroshima, builds SUVs in Jiangning"
            ]
            # "Also in Pingfang, a joint ...", "a plant at Pomalaa in Indonesia through a joint
            # venture with ...": the last place before, a town over its country
            or [p for p in places if p.end <= m.start() and p.kind != "country"][-1:]
            or [p for p in places if p.end <= m.start()][-1:]
        )
        # "a joint venture between GAC Group and Japan's Honda Motor": both
        # "a joint venture in which Shaanxi Automobile holds 51 percent and Weichai Power
        # 49 percent": every firm of the clause
        # "a joint venture with Vale Indonesia and Ford Motor": both
        asides = [a.span() for a in ASIDE.finditer(sentence, m.end())]
        group = (
            [f for f in partners if not any(a < f.start < b for a, b in asides)]
            if m.group(2)
            else listed_with(partners[0], firms, sentence)
            if partners
            else []
        )
        place = places_after[0].key if places_after else None
        if place is None and re.search(
            r"\bthere\b|\bthe (?:zone|park|site|plant|city)\b", sentence
        ):
            place = last_place  # "The plant there is run by X, a joint venture in which ..."
        if place:
            out += [(f.key, place, "joint_venture", status) for f in group]
    return out


def _countries_listed(sentence: str, places: list[Mention]) -> set[int]:
    """The starts of countries listed after "in", every one a country and the list ending
    with "and" or "or": "in India, Indonesia and Brazil" (not "in China, Japan's Honda")."""
    out: set[int] = set()
    countries = [p for p in places if p.kind == "country" and p.key != "china"]
    for i, first in enumerate(countries):
        if not re.search(r"\b(?:in|at)\s+$", sentence[: first.start]):
            continue
        run = [first]
        for nxt in countries[i + 1 :]:
            gap = sentence[run[-1].end : nxt.start]
            if not re.fullmatch(r",\s+|,?\s+(?:and|or)\s+", gap):
                break
            run.append(nxt)
            if re.search(r"\b(?:and|or)\s+$", gap):
                if not re.match(r"['’]s\b|-", sentence[nxt.end :]):
                    out.update(p.start for p in run)
                break
    return out


PARTNERS_REF = re.compile(
    r"\b(?:[Tt]he|[Bb]oth) partners\b|\b[Tt]he two (?:companies|groups|firms)\b"
)


def relations_in(
    sentence: str,
    firms: list[Mention],
    places: list[Mention],
    last_firm: str | None,
    last_place: str | None,
    last_venture: str | None = None,
    partners: tuple[str, ...] = (),
) -> list[tuple[str, str, str, str]]:
    """(firm, place, presence type, status) of each relation the sentence states; ``partners``
    are the firms of the last joint venture named, for "the partners"."""
    status = status_of(sentence)
    # a country is a firm's home only as "Luxembourg-based"
    # or a factory's "in Thailand" (not "in China": the articles' setting), or one of a list
    # of countries after "in" ("factories in India, Indonesia and Brazil")
    listed = _countries_listed(sentence, places)
    places = [
        p
        for p in places
        if p.kind != "country"
        or sentence[p.end : p.end + 6] == "-based"
        or p.start in listed
        or (
            p.key != "china"
            and re.search(r"\b(?:in|at)\s+$", sentence[: p.start])
            and not re.match(r"\s*(?:,|and)\s*[A-Z]", sentence[p.end :])
        )
    ]
    # a place inside a firm's name ("Guangdong Brunp", "Dongfeng") is the firm's; a firm inside
    # a place's name is the place's
    # (the same words as both: a place after "in", else a firm: "based in Liushi")
    firms = [
        f
        for f in firms
        if not any(
            (p.start, p.end) == (f.start, f.end)
            and re.search(r"\b(?:in|at|near|to|from)\s+$", sentence[: p.start])
            for p in places
        )
    ]
    places = [p for p in places if not any(f.start <= p.start and p.end <= f.end for f in firms)]
    firms = [f for f in firms if not any(p.start <= f.start and f.end <= p.end for p in places)]
    out = _based(sentence, firms, places, last_firm)
    found = triggers(sentence)
    facilities = [a for a, _, k in found if k not in ("investment", "hosts")]
    for start, end, kind in found:
        if kind == "investment" and any(a > start for a in facilities):
            continue  # "invest 5 billion yuan to build a plant": the plant is the relation
        if sentence[start - 1 : start] == "-" or sentence[end : end + 6] == "-based":
            continue
        if ENDED.search(sentence[:start]):
            continue  # "when it ended vehicle production in Brazil": no presence now
        if kind == "local_business_unit" and re.match(r"\s+of\b", sentence[end:]):
            continue  # "X, the Xining-based unit of SPIC, operates ...": X is the firm
        kind, keys = firms_of(sentence, start, end, kind, firms, last_firm, last_venture)
        if (
            partners
            and PARTNERS_REF.search(sentence[:start])
            and not any(f.end <= start for f in firms)
        ):  # "The partners now run a joint lens factory in ...": each partner's venture
            kind, keys = "joint_venture", list(partners)
        if not keys:
            continue
        place, more = _place_of(sentence, start, end, places, found, last_place)
        if place is None:
            continue
        out += [(k, pl, kind, status) for k in keys for pl in [place, *more]]
    out += _partners(sentence, firms, places, status, last_place)
    seen, unique = set(), []
    for r in out:
        if r[:3] not in seen and r[0] != r[1]:
            seen.add(r[:3])
            unique.append(r)
    return unique
