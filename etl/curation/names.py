"""Organisation names the reference data does not know, found with rules (no model).

A name is a run of capitalised words (with &, - and digits inside) that either ends in a
corporate word ("Technology", "Motor", "Co Ltd"), stands before a reporting or action verb
("NIO said", "BYD will build"), follows a role noun ("carmaker SAIC Motor"), or is set off as
an apposition ("Vision Plus, a Hangzhou-based ..."). Places, people's titles, months and
sentence-starting function words are not names."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from etl.curation.gazetteer import is_town, personal_name
from etl.curation.name_words import ACRONYMS, DEMONYMS, LEADING, STOP, TITLES

_WORD = r"(?:[A-Z][\w&'.-]*[\w&]|[A-Z]{2,}|[A-Z]\d*)"
_NAME = rf"{_WORD}(?:\s(?:&\s)?{_WORD}){{0,7}}"
NAME_RE = re.compile(rf"(?<![\w-])({_NAME})(?:\s\(([A-Z][\w&-]+)\))?")
SUFFIX = re.compile(
    r"\b(?:Co|Ltd|Inc|Corp|Corporation|Group|Holdings?|Technolog(?:y|ies)|Motors?|Electronics|"
    r"Automotive|Automobiles?|Auto|Semiconductor|Systems|Industries|Industry|Energy|Logistics|Networks?|"
    r"Airlines|Robotics|Capital|Cloud|Display|Software|Materials|Pharma\w*|Bank|Telecom|"
    r"Manufacturing|Intelligence|AG|SE|GmbH|plc|Limited|Appliances|Brewery|Pharmaceuticals|Foods|"
    r"Chemicals?|Steel|Media|Power|Solar|Batter(?:y|ies)|Devices|Instruments|Optical|"
    r"Optoelectronics|Biotech|Medical|Insurance|Securities|Vehicles?|Aviation|Aerospace|"
    r"Microelectronics|Communications|Quantum|Labs?|Semiconductors|Chips?|Mobile|Unicom|Cars|"
    r"Computers?|Electric|Electrical|Machinery|Equipment|Engineering|Construction|Shipping|"
    r"Mining|Cement|Aircraft|Airways|Railway|Precision|Fibre|Cable|Photonics|Solutions|Material|"
    r"Food|Services|Petrochemicals?|Petroleum|Refining|Textiles?|Tyres?|Glass|Paper|Metals|"
    r"Minerals|Resources|International|Lithium|Cobalt|Nickel|Silicon|Titanium|Copper|Aluminium)"
    r"\.?$"
)
VERB_AFTER = re.compile(
    r"(?:,\s*(?:meanwhile|however|though|too|also|in turn|for its part),)?"
    r"(?:,\s+(?:headquartered|based|founded|listed|set up|established|once|also|now|owned|"
    r"formerly|long|part of)\s+[^,]{1,40}(?:,\s[A-Z][^,]{1,30})?,)?"
    r"\s*(?:,\s*(?:which|whose)\b|(?<=,)\s(?:which|whose)\b|\s(?:said|says|announced|will|would|plans?|planned|"
    r"opened|opens|runs|operates|keeps|kept|builds|built|is|was|has|had|set up|sets up|began|"
    r"started|aims|expects|invested|invests|signed|moved|makes|produces|assembles|employs|"
    r"launched|unveiled|agreed|completed|broke ground|went public|listed|owns|holds|also|paid|"
    r"pays|traces|bought|buys|acquired|reported|reports|posted|ranked|ranks|took|takes|sells|"
    r"sold|supplies|supplied|ships|shipped|hired|raised|won|leads|led|controls|exported|"
    r"delivered|delivers|remains|became|grew|chose|picked|added|expanded|entered|partnered|"
    r"teamed|employs|employed|now|first|still|spent|spends|announces|plans|unveils|debuted|"
    r"overtook|surpassed|designs|designed|develops|developed|rolled out|came|went|got|made|saw|"
    r"ran|rose|fell|held|put|set|arrived|joined)\b)"
)
ROLE_BEFORE = re.compile(
    r"(?:carmaker|automaker|maker|firm|company|giant|manufacturer|supplier|rival|partner|"
    r"start-?up|startups? like|subsidiary|unit|operator|developer|group|brand|heavyweights?|"
    r"including|such as|producer|chipmaker|peers?|customers?|and|with|owns|bought|acquired|"
    r"took control of|a stake in|-based|[A-Z][a-z]+'s|(?:acquired|bought|purchased)\s+"
    r"(?:[\w-]+\s+){0,3}?from|(?:paid|spent)\s+[^,.;]{1,30}?\s+for|merged with|"
    r"(?:joined|joins) (?:hands )?with|rivals?|competitors?|clients?|suppliers?|"
    r"(?:subsidiary|unit|arm|affiliate|division),|(?:champion|leader|player|employer|exporter|"
    r"taxpayer|name|newcomer) (?:is|was|remains)|\b(?:set up|founded|co-founded|established|formed)|"
    r"(?:now |later |since )?(?:called|named|"
    r"renamed|known as|rebranded as))\s+$",
    re.IGNORECASE,
)

TITLE_BEFORE = re.compile(
    r"(?:according to|said|told|spokes\w+|director|official|chairman|mayor|deputy|head)\W*$", re.I
)


# a person's role after their name: "Lyu Hongqing, an official with ...", "Zhang Wei, the
# company's chief engineer" (the words before it are not "whose ...", nor a firm's noun)
ROLE_WORDS = r"(?:(?!(?:whose|who|which|that|maker|company|firm)\s)[\w-]+\s+){0,4}?"
ROLE = (
    r"(?:official|director|chairman|chairwoman|president|head of|spokes\w+|analyst|professor|"
    r"manager|founder|chief|secretary|mayor|deputy|governor|engineer|researcher|executive|vice|"
    r"economist|partner at|dean)\b"
)
# (or "Li Hanyang, Yuchai's chairman")
PERSON_AFTER = re.compile(rf",\s+(?:an?|the|its|[A-Z][\w-]*['’]s)\s+{ROLE_WORDS}{ROLE}")


def _not_a_name(name: str) -> bool:
    words = name.split()
    return (
        name in ACRONYMS
        or bool(re.search(r"\b(?:Market|Exchange|Index)$|^(?:Nasdaq|NYSE)$", name))  # markets
        or bool(re.fullmatch(r"[A-Z][a-z]+(?:ists|ians)", name))  # "the Communists", "Russians"
        or words[0] in TITLES  # "Minister Peter Szijjarto": a person
        or (len(words) == 1 and bool(SUFFIX.fullmatch(name)))
        or bool(re.fullmatch(r"[A-Z]{1,3}-?\d{1,4}[A-Za-z]?", name))  # "A350", "Y-12": models
        or bool(re.fullmatch(r"[A-Z]{2,5}s", name))  # "SUVs", "EVs": plural nouns
    )


@functools.lru_cache(maxsize=1)
def _country_stems() -> frozenset[str]:
    import pycountry

    names = {getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    return frozenset(n.split()[0][:4] for n in names)


def demonym(word: str) -> bool:
    """ "Slovenian", "American", "Japanese": a people's adjective, not a firm. A word of
    the known irregular ones, or one ending like a demonym whose first letters begin a
    country's name (pycountry)."""
    return word in DEMONYMS or (
        bool(re.fullmatch(r"[A-Z][a-z]{3,}(?:an|ian|ese|ish|i|ic)", word))
        and word[:4] in _country_stems()
    )


@dataclass
class NameMention:
    name: str
    start: int
    end: int
    short: str | None  # an acronym in brackets after it: "Contemporary Amperex Technology (CATL)"
    evidence: str  # why it is a name: suffix, verb, role, apposition, repeated


def _trim(name: str) -> str:
    words = name.split()
    for i, w in enumerate(words):  # "South Korea's LG Display": the name after the 's
        if w.endswith(("'s", "’s")) and i < len(words) - 1:
            words = words[i + 1 :]
            break
    for i in range(len(words) - 1, -1, -1):  # "New Taipei-based HTC": the name after it
        if re.search(r"-(?:based|headquartered)$", words[i]) and i < len(words) - 1:
            words = words[i + 1 :]
            break
    while words and (
        words[0] in LEADING
        or (
            len(words) > 1
            and re.fullmatch(
                r"[A-Z][a-z]+maker|Shipbuilder|Retailer|Lender|Insurer|Rival", words[0]
            )
        )
        or re.search(
            r"-(?:based|headquartered|owned|built|run|backed|funded|listed|controlled|led)$",
            words[0],
        )
    ):
        words = words[1:]
    while len(words) > 1 and words[-1] in ("No", "The", "And"):
        words = words[:-1]  # "OPPO No 3"
    return " ".join(words)


FACILITY_AFTER = re.compile(
    r"\s+(?:[a-z][\w-]*\s+)?(?:refinery|plant|factory|mill|works|mine|smelter|complex|campus|"
    r"site|project|yard|shipyard|fab)\b"
)


def _owner(raw: str, offset: int, is_place, after: str = "") -> NameMention | None:
    """ "Tesla's Shanghai factory": the firm whose place it is (the place is not a firm);
    "Sinopec's Zhongke refinery": the firm whose facility it is."""
    found = re.search(r"['’]s\s", raw)
    if not found:
        return None
    words = raw[: found.start()].split()
    while words and words[0] in LEADING:
        words = words[1:]
    owner = " ".join(words)
    rest = raw[found.end() :]
    if (
        not owner
        or not (is_place(rest) or FACILITY_AFTER.match(after))
        or is_place(owner)
        or all(w in STOP for w in words)
        or demonym(owner)
        or owner in ACRONYMS
    ):
        return None
    start = offset + found.start() - len(owner)
    return NameMention(owner, start, start + len(owner), None, "possessive")


# a brand written in lower case before a corporate word ("smart Automobile", "vivo Mobile"):
# a word that is not one of English's small words nor an adjective or verb form
LOWER_BRAND = re.compile(
    r"(?<![\w'’-])(?!(?:the|a|an|its|their|his|her|our|your|of|by|for|to|in|on|at|from|with|"
    r"and|or|as|into|via|new|old|state|local|rival|parent|sister|joint|foreign|private|public|"
    r"national|regional|global|main|big|small|large|major|leading|listed|own|other|another|"
    r"each|every|both|this|that|these|those|which|whose|what|is|was|are|were|be|has|have|had|"
    r"will|would|can|could|also|now|still|than|per|car|auto|electric|energy|power|"
    r"chip|steel|solar)\s)([a-z][a-z0-9]{2,11})(?<!ed)(?<!ing)(?<!ly)\s$"
)


def name_mentions(sentence: str, is_place) -> list[NameMention]:
    """Candidate organisation names in one sentence. ``is_place(name)`` tells a place name."""
    out: list[NameMention] = []
    for m in NAME_RE.finditer(sentence):
        raw = m.group(1)
        owner = _owner(raw, m.start(1), is_place, sentence[m.end() :])
        if owner:
            out.append(owner)
        name = _trim(raw)
        if not name or len(name) < 2:
            continue
        start = m.start(1) + raw.index(name)
        end = start + len(name)
        before, _after = sentence[:start], sentence[m.end() :]
        if name.endswith("'s"):
            name, end = name[:-2], end - 2
        lower = " " not in name and SUFFIX.fullmatch(name) and LOWER_BRAND.search(before)
        if lower:  # "smart Automobile": a brand
            name, start = f"{lower.group(1)} {name}", lower.start(1)
            before = sentence[:start]
        if all(w in STOP for w in name.split()) or is_place(name) or _not_a_name(name):
            continue
        tail = AND_TAIL.match(sentence, end)
        if tail and SUFFIX.fullmatch(tail.group(1)) and " " in name:
            name, end = (
                sentence[start : tail.end()],
                tail.end(),
            )  # "Baosteel Zhanjiang Iron and Steel"
        if PERSON_AFTER.match(sentence[end:]):
            continue  # "Lyu Hongqing, an official with ...": a person
        owned = re.search(r"([A-Z][\w'’-]+(?:\s[A-Z][\w'’-]+)?)['’]s\s+(?:own\s+)?$", before)
        if (
            personal_name(name)
            and not SUFFIX.search(name)
            and not (owned and is_place(owned.group(1)))  # "Beijing's Li Ning": a city's firm
        ):
            continue  # "Li Shufu", "Zhang Ruimin": a Chinese surname and a given name
        if TITLE_BEFORE.search(before) and len(name.split()) == 2 and not SUFFIX.search(name):
            continue  # "according to Li Wen", "said Wang Tao": a person
        if re.match(
            r"(?:\s+and\s+[A-Z][\w-]+(?:\s[A-Z][\w-]+)?)?\s+(?:(?:industrial|economic|development|"
            r"high-tech|free trade|special economic)\s+)?(?:areas?|districts?|county|zones?|parks?|"
            r"province|city|town|township|port|bay|lakes?|rivers?|mountains?)\b",
            sentence[end:],
        ):
            continue  # "Shanghai's Lingang area": a place
        if demonym(name) and re.match(r"\s+[a-z]", sentence[end:]):
            continue  # "Slovenian appliance maker", "American presence"
        why, short = None, m.group(2)
        if SUFFIX.search(name) or m.group(2):
            why = "suffix"
        elif re.match(
            r"['’]s\s+(?:[A-Za-z][\w-]*\s+){0,2}(?:business|unit|arm|division|subsidiary|shares|"
            r"stake|plants?|factor(?:y|ies)|headquarters|chips?|cars|brand|founder|chairman|"
            r"refinery|smelter|mill|works|mine|campus|site|parent|owner|"
            r"chief executive|revenue|sales)\b",
            sentence[end:],
        ):
            why = "possessive"
        elif ROLE_BEFORE.search(before):
            why = "role"
        elif VERB_AFTER.match(sentence[end:]) or (
            re.fullmatch(r"(?:[A-Z][\w-]*(?:\s[\w-]+){0,3},\s)?", before)
            and re.match(
                r"\s[a-z]{2,}(?:ed|s)\b(?<!ers)(?<!ors)(?<!ies)(?<!ics)(?<!ists)"
                r"(?!\s+(?:[a-z]+ed|are|were|have|had|will|would|can|could|say|said)\b)",
                sentence[end:],
            )
            and len(name.split()) <= 3
        ):
            why = "verb"  # "NIO said", "Geely followed": a subject before its verb
        elif re.match(
            r",\s+[^,]{1,40},\s+(?:has|had|is|was|runs|ran|makes|made|keeps|kept|"
            r"opened|built|builds|operates|employs|owns|will|plans)\b",
            sentence[end:],
        ):
            why = "apposition"  # "Chia Tai Tianqing, the other big name, has its head office"
        elif known := re.match(r",\s+(?:also |better )?known as\s+([A-Z][\w&-]+)", sentence[end:]):
            why, short = (
                "apposition",
                known.group(1),
            )  # "Yunnan Energy New Material, known as SEMCORP"
        elif re.match(
            r",\s+(?:a|an|the|its|their|another|one of (?:the|[A-Z][\w']+)|"
            r"(?:[A-Z][\w-]+\s)?[A-Z][\w-]+['’]s)\s+(?:[\w-]+\s){0,4}?(?:[\w-]+-based|"
            r"compan(?:y|ies)|firms?|makers?|"
            r"subsidiary|unit|giant|group|manufacturer|supplier|startup|start-up|brand|venture|"
            r"developer|operator|retailer|carrier|airline|lender|insurer|bank|producer|miner|"
            r"builder|specialist|provider|platform|designer|arm|division|affiliate|offshoot|"
            r"spin-off|rival|conglomerate)\b",
            sentence[end:],
        ):
            why = "apposition"
        if why is None or (why == "role" and is_town(name)):
            continue  # "European towns such as Verona": not firms
        if (
            re.match(r"\s+(?:said|says|told)\b", sentence[end:])
            and len(name.split()) == 2
            and not SUFFIX.search(name)
            and start > 0
            and not re.search(r"\b(?:firm|company|maker)\s+$", before)
            and re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", name)
        ):
            continue  # "Li Wen said": two capitalised words before 'said' are most often a person
        known_as = re.match(r",\s+(?:also |better )?known as\s+([A-Z][\w&-]+)", sentence[end:])
        out.append(NameMention(name, start, end, short or (known_as and known_as.group(1)), why))
    numbered = _numbered(sentence, out)  # "361 Degrees" over "Degrees"
    out = [f for f in out if not any(n.start < f.end and f.start < n.end for n in numbered)]
    out += numbered
    out = _joined(sentence, out + _listed(sentence, out, is_place))
    # over the names inside them ("Rotterdam"), not over a longer name that starts before
    # ("Aviation Industry Corporation of China")
    named = [
        o
        for o in _of_names(sentence)
        if not any(f.start < o.start and o.start < f.end + 2 for f in out)
    ]
    return named + [f for f in out if not any(o.start < f.end and f.start < o.end for o in named)]


# "the Port of Rotterdam", "Bank of Communications": an organisation named with "of"
OF_NAME = re.compile(
    r"\b((?:Port|Bank|Corporation|Authority|Institute)\s+of\s+[A-Z][\w'’-]+(?:\s[A-Z][\w'’-]+){0,2})"
)


def _of_names(sentence: str) -> list[NameMention]:
    return [
        NameMention(m.group(1), m.start(1), m.end(1), None, "suffix")
        for m in OF_NAME.finditer(sentence)
    ]


# "OPPO and vivo, which together ...": a brand in lower case, listed after a name as one
# subject (not a plural: "Huawei and others, which")
LOWER_LISTED = re.compile(
    r"\s+and\s+([a-z][a-z0-9]{2,11})(?<!s)(?=,\s+(?:which|both)\b|\s+(?:are|were|both|each|"
    r"together)\b)"
)


# "361 Degrees runs its main factory": a name that starts with a number (a capitalised word
# after a number is not a unit), as the subject of a verb
NUMBERED = re.compile(
    r"(?<![\w$.,])(?!(?:19|20)\d\d\b)(\d{2,4}\s[A-Z][a-z]+)\b"
)  # not "2019 Tesla"


def _numbered(sentence: str, found: list[NameMention]) -> list[NameMention]:
    out = []
    for m in NUMBERED.finditer(sentence):
        word = m.group(1).split()[1]
        inside = [f for f in found if f.start < m.end() and m.start() < f.end]
        if word in STOP or any(f.name != word for f in inside):
            continue
        if VERB_AFTER.match(sentence[m.end() :]):
            out.append(NameMention(m.group(1), m.start(), m.end(), None, "verb"))
    return out


# "Tangshan Iron and Steel", "Yangtze Optical Fibre and Cable": a corporate word after "and";
# "Aviation Industry Corporation of China (AVIC)", "Lanzhou Institute of Biological Products"
AND_TAIL = re.compile(r" and ([A-Z][\w-]+)(?![\w-]| [A-Z])")
OF_TAIL = re.compile(
    r" of ((?:the )?[A-Z][\w'-]+(?: (?:and )?[A-Z][\w'-]+){0,3})(?:\s\(([A-Z][\w&-]+)\))?"
)

OF_HEAD = re.compile(
    r"(?<![\w-])([A-Z][\w'-]+(?: [A-Z][\w'-]+){0,4} (?:Corporation|Bank|Company|Institute|Academy))"
    r" of (?:the )?$"
)


def _tails(sentence: str, m: NameMention) -> NameMention:
    tail = AND_TAIL.match(sentence, m.end)
    if tail and SUFFIX.fullmatch(tail.group(1)) and " " in m.name:
        return NameMention(sentence[m.start : tail.end()], m.start, tail.end(), m.short, m.evidence)
    head = OF_HEAD.search(sentence[: m.start])
    if head:  # "Biological Products" found: the name is "Lanzhou Institute of Biological Products"
        return NameMention(
            sentence[head.start(1) : m.end], head.start(1), m.end, m.short, m.evidence
        )
    tail = OF_TAIL.match(sentence, m.end)
    if tail and re.search(r"\b(?:Corporation|Bank|Company|Institute|Academy)$", m.name):
        end = tail.end(1)
        short = m.short or tail.group(2)
        return NameMention(sentence[m.start : end], m.start, end, short, m.evidence)
    return m


def _joined(sentence: str, found: list[NameMention]) -> list[NameMention]:
    """ "Henan Civil Aviation Development and Investment Co": one name with "and" inside,
    when the part after it ends in a corporate word and the part before has none."""
    found = sorted((_tails(sentence, m) for m in found), key=lambda m: m.start)
    found = [  # not "Cable" of "Yangtze Optical Fibre and Cable"
        m for m in found if not any(o.start <= m.start and m.end <= o.end and o != m for o in found)
    ]
    out: list[NameMention] = []
    for m in found:
        prev = out[-1] if out else None
        if (
            prev
            and sentence[prev.end : m.start] == " and "
            and (
                re.search(r"\b(?:Co|Ltd|Corp|Company|Group|Corporation|Holdings)\.?$", m.name)
                or (" " not in m.name and SUFFIX.fullmatch(m.name) and " " in prev.name)
            )
            and not SUFFIX.search(prev.name)
        ):
            out[-1] = NameMention(
                sentence[prev.start : m.end], prev.start, m.end, m.short, prev.evidence
            )
            continue
        out.append(m)
    return out


def _listed(sentence: str, found: list[NameMention], is_place) -> list[NameMention]:
    """Names in one list with a name found: "China Mobile, China Unicom and China Telecom"."""
    extra: list[NameMention] = []
    spans = {(m.start, m.end) for m in found}
    while True:
        more = _listed_once(sentence, found + extra, spans, is_place)
        if not more:
            return extra
        extra += more
        spans |= {(m.start, m.end) for m in more}


def _listed_once(sentence, found, spans, is_place) -> list[NameMention]:
    extra: list[NameMention] = []
    for m in NAME_RE.finditer(sentence):
        name = _trim(m.group(1))
        start = m.start(1) + m.group(1).rfind(name) if name else m.start(1)
        if name.endswith(("'s", "’s")):
            name = name[:-2]  # "Hon Hai, Foxconn's flagship": Foxconn
        end = start + len(name)
        if (
            not name
            or (start, end) in spans
            or is_place(name)
            or all(w in STOP for w in name.split())
        ):
            continue
        if is_town(name):
            continue
        for other in found:
            gap = sentence[end : other.start] if end <= other.start else sentence[other.end : start]
            if re.fullmatch(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s+or\s+", gap):
                extra.append(NameMention(name, start, end, m.group(2), "listed"))
                spans = spans | {(start, end)}
                break
    return extra
