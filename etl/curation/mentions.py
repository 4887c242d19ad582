"""Who and where a sentence names: the reference data's firms and places first, then the
organisation names the rules find (``names``) and the places the packages know
(``gazetteer``), each of those a proposed reference entry with the sentence it came from."""

from __future__ import annotations

import re
from typing import Any

from etl.curation.gazetteer import Place, gazetteer, is_region_abroad, personal_name, slug
from etl.curation.names import (
    LOWER_BRAND,
    LOWER_LISTED,
    ROLE,
    ROLE_WORDS,
    STOP,
    SUFFIX,
    name_mentions,
)
from etl.curation.referents import Mention
from etl.curation.sentences import segments

PERSON = re.compile(
    r"(?:\b(?:said|says|told|according to|Mr|Ms|Mrs|Dr)\s+([A-Z][a-z]+(?:\s[A-Z][a-z]+){1,2})\b)|"
    rf"(?:\b([A-Z][a-z]+(?:\s[A-Z][a-z]+){{1,2}}),\s+(?:(?:an?|the|[A-Z][\w-]*['’]s)\s+)?{ROLE_WORDS}{ROLE})|"
    r"(?:\b([A-Z][a-z]+\s[A-Z][a-z]+)\s+(?:said|says|told)\b)"
)


def _persons(text: str) -> set[str]:
    """The words of people's names ("Li Wen said", "said Wang Tao", "Lyu Hongqing, an
    official"): a surname alone later ("Li said") is a person too, not a firm."""
    words: set[str] = set()
    for m in PERSON.finditer(text):
        name = next(g for g in m.groups() if g)
        if not SUFFIX.search(name):  # "Micron Technology said": a firm
            words.update(name.split())
    return words


LOWER_APPOSED = re.compile(
    r"(?:^|(?<=- )|(?<=\. )|(?<=\n))([a-z][a-z0-9]{2,11}),\s+(?:the|a|an)\s+(?:[\w-]+\s+){0,4}?"
    r"(?:group|company|firm|maker|giant|start-?up|developer|brand|manufacturer|supplier)\b"
)
BARE = re.compile(
    r"\s+(?:(?:Economic and Technological |High-tech Industrial |Hi-tech Industrial )?Development "
    r"(?:Zone|Area)|Hi-?[Tt]ech (?:Industrial )?(?:Zone|Park)|High-tech Zone|New District|New Area|"
    r"Industrial Park|Science Park|District|County|Zone|Park|Lake|Bay|district|county|area|"
    r"(?:bonded|free trade|industrial|high-tech|development|economic) (?:zone|park))$"
)


class NameFinder:
    """Mentions of firms and places in the sentences of one article."""

    def __init__(self, text: str, reference: Any):
        self.ref = reference
        self.world = gazetteer()
        self._firms: dict[str, dict[str, Any]] = {}  # proposed, by name
        self._places: dict[str, dict[str, Any]] = {}  # proposed, by id
        self._bare: dict[str, tuple[str, str]] = {}  # "Pingfang" of "Pingfang District": id
        self._ref_place_by_name = {n.lower(): k for n, k in reference.place_names}
        self._text = text
        self._case_aliases: list[tuple[str, str]] = []  # a reference firm written otherwise
        whole = self.world.find(text)
        self._named_places = {p.place_name for _, _, p in whole}  # towns found where expected
        found = [
            (m, seg.text) for seg in segments(text) for m in name_mentions(seg.text, self._is_place)
        ]
        persons = _persons(text)
        self._districts = self._districts_named(text, persons, whole)
        # a town the article names as a place once ("in Debrecen") is one where it names it
        # again ("its Debrecen factory")
        for _, _, place in whole:
            if place.country not in ("CN", "") and place.place_type in ("city", "district"):
                self._districts.setdefault(place.place_name, place)
        # "Chen said" after "founded by Chen Xuehua": the surname alone is the person
        surnames = {
            m.group(1)
            for m in re.finditer(r"\b([A-Z][a-z]+)\s[A-Z][a-z]+\b", text)
            if personal_name(m.group(0))
        }
        for m, sentence in found:
            if m.name in surnames:
                continue
            if (
                m.evidence == "verb"
                and " " not in m.name
                and re.search(rf"\b{re.escape(m.name.lower())}\b", text)
            ):
                continue  # "Memory is the foundation ...": a word the article writes in lower case
            if not (
                set(m.name.split()) & persons
                and len(m.name.split()) <= 2
                and not SUFFIX.search(m.name)  # "Shougang Group" beside a "Shougang Jingtang"
            ):
                self._propose_firm(m.name, m.short, sentence)
        self._lower_listed(text)
        self._odd_cased(text)

    def _odd_cased(self, text: str) -> None:
        for name, sentence in odd_cased(text):
            if key := self._known_firm(name):  # "iflytek" for the reference's "iFlytek"
                self._case_aliases.append((name, key))
            else:
                self._propose_firm(name, None, sentence)

    def _lower_listed(self, text: str) -> None:
        names = [n for e in list(self._firms.values()) for n in e["names"]]
        for name, sentence in lower_listed(text, names + [n for n, _ in self.ref.firm_names]):
            self._propose_firm(name, None, sentence)

    def _districts_named(self, text: str, persons: set[str], whole: list) -> dict[str, Place]:
        """Districts named bare ("at Caofeidian", "in Zengcheng") in an article that names
        their city: the city tells which of the country's same-named districts it is."""
        cities = {key for _, _, key in self.ref.spans(text, self.ref.place_names)}
        cities |= {p.place_id for _, _, p in whole}
        provinces = {p.place_id for _, _, p in whole if p.place_type == "province"}
        out: dict[str, Place] = {}
        for city in cities:
            for d in self.world.districts_of(city):
                name = d.place_name
                # under a named province only where a place is expected: "in Luqiao, in
                # Zhejiang province"
                where = r"\b(?:in|at|near)\s+" if city in provinces else ""
                # the substring test first: a province has hundreds of districts, and a
                # pattern compiled for each would crowd every other out of re's cache
                if (
                    name in text
                    and name not in persons
                    and re.search(rf"{where}(?<![\w-]){re.escape(name)}(?![\w'’-])", text)
                ):
                    out.setdefault(name, d)
        return out

    def _is_place(self, name: str) -> bool:
        return (
            name.lower() in self._ref_place_by_name
            or (
                (place := self.world.lookup(name)) is not None
                and (place.place_type != "district" or self._named_as_place(name))
            )
            or bool(
                re.search(
                    r"\b(?:Province|District|New Area|Zone|Park|County|Island|Peninsula)$", name
                )
            )
            or is_region_abroad(name)
            or name in self._named_places
        )

    def _named_as_place(self, name: str) -> bool:
        """A county-level name is a place only where the article treats it as one ("Shunde
        District", "in Shunde"): "Tongwei runs polysilicon plants" names a firm."""
        n = re.escape(name)
        return bool(
            re.search(rf"\b{n}\s+(?:District|County|district|county)\b", self._text)
            or re.search(rf"\b(?:in|at|near|of)\s+{n}\b", self._text)
        )

    def _known_firm(self, name: str) -> str | None:
        for ref_name, key in self.ref.firm_names:
            if ref_name.lower() == name.lower():
                return key
        return None

    def _bare_names(self, name: str, key: str) -> set[str]:
        """A zone's shorter names: "Huizhou Zhongkai High-tech Zone", then "Zhongkai" (not
        "Hefei" of "Hefei High-tech Zone": a name of another place)."""
        bare = BARE.sub("", name)
        words = bare.split()
        while len(words) > 1 and self._is_place(words[0]):
            words = words[1:]
        out = {name}
        for short in (bare, " ".join(words)):
            other = self._ref_place_by_name.get(short.lower()) or (
                (found := self.world.lookup(short)) and found.place_id
            )
            if short != name and len(short) >= 4 and other in (None, key):
                out.add(short)
        return out

    def _short_name(self, entry: dict[str, Any]) -> list[str]:
        """ "Shougang" for "Shougang Group": the name without its place and corporate words,
        if that is a name of its own (capitalised, not a place, a corporate word or another
        firm's name)."""
        core = self._core(entry["firm_name"])
        words = core.split()
        if (
            core in entry["names"]
            or len(core) < 4
            or len(words) > 2
            or not all(re.fullmatch(r"[A-Z][\w'’-]*", w) for w in words)
            or any(w in STOP or SUFFIX.fullmatch(w) for w in words)
            or self._is_place(core)
            or self._known_firm(core)
        ):
            return []
        return [core]

    def _core(self, name: str) -> str:
        """ "Sichuan Changhong Electric" without its place and corporate words: "Changhong"."""
        words = name.split()
        while len(words) > 1 and self._is_place(words[0]):
            words = words[1:]
        while len(words) > 1 and SUFFIX.fullmatch(words[-1]):
            words = words[:-1]
        return " ".join(words)

    def _propose_firm(self, name: str, short: str | None, sentence: str) -> None:
        if self._known_firm(name) or (short and self._known_firm(short)):
            return
        for entry in self._firms.values():  # "SAIC" after "SAIC Motor": the same firm
            if name in entry["names"]:
                return
            if any(n.startswith(name + " ") or self._core(n) == name for n in entry["names"]):
                entry["names"].add(name)
                entry["aliases"] = "|".join(filter(None, [entry["aliases"], name]))
                return
        self._firms[name] = {
            "firm_id": slug(short or name),
            "firm_name": name,
            "aliases": short or "",
            "hq_place_id": "",
            "hq_country": "",
            "sector": "",
            "sentence": sentence,
            "names": {name, *([short] if short else [])},
        }

    def mentions(self, sentence: str) -> tuple[list[Mention], list[Mention]]:
        """The firms and places ``sentence`` names, in order; unknown ones become proposals."""
        firms: list[Mention] = []
        proposed = [
            Mention(entry["firm_id"], m.start(), m.end())
            for entry in self._firms.values()
            for name in [*entry["names"], *self._short_name(entry)]
            for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", sentence)
        ]
        # the longest name wins: "Foxconn Industrial Internet" over the reference's "Foxconn"
        for m in sorted(
            [Mention(k, s, e) for s, e, k in self.ref.spans(sentence, self.ref.firm_names)]
            + [Mention(k, s, e) for s, e, k in self.ref.spans(sentence, self._case_aliases)]
            + proposed,
            key=lambda m: m.start - m.end,
        ):
            if sentence[m.start : m.end].isdigit() and (
                re.search(r"[$€£¥\d.,]\s*$", sentence[: m.start])
                or re.match(r"\s*(?:%|[a-z])", sentence[m.end :])
            ):
                continue  # "$360 million": an amount, not Qihoo 360's "360"
            if not any(f.start < m.end and m.start < f.end for f in firms):
                firms.append(m)
        places = [
            Mention(key, s, e, self.ref.places[key]["place_type"])
            for s, e, key in self.ref.spans(sentence, self.ref.place_names)
        ]
        for start, end, place in self.world.find(sentence):
            inside = [p for p in places if start <= p.start and p.end <= end]
            if inside and end - start > max(p.end - p.start for p in inside):
                # "Hefei High-tech Industrial Development Zone" over the reference's "Hefei"
                places = [p for p in places if p not in inside]
            if any(p.start <= start < p.end or start <= p.start < end for p in places):
                continue
            key = self._ref_place_by_name.get(place.place_name.lower()) or self._propose_place(
                place, sentence
            )
            kind = (
                self.ref.places[key]["place_type"] if key in self.ref.places else place.place_type
            )
            places.append(Mention(key, start, end, kind))
            if kind in ("district", "zone"):  # "Beijiao, a town in ...", then "in Beijiao"
                for name in self._bare_names(sentence[start:end], key):
                    self._bare.setdefault(name, (key, kind))
        for bare, (key, kind) in self._bare.items():
            # "Pingfang District", then "Also in Pingfang": the same district
            for m in re.finditer(rf"(?<![\w-]){re.escape(bare)}(?![\w'’-])", sentence):
                taken = places + firms
                if not any(p.start < m.end() and m.start() < p.end for p in taken):
                    places.append(Mention(key, m.start(), m.end(), kind))
        for name, district in self._districts.items():
            for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w'’-])", sentence):
                taken = places + firms
                if not any(p.start < m.end() and m.start() < p.end for p in taken):
                    key = self._ref_place_by_name.get(name.lower()) or self._propose_place(
                        district, sentence
                    )
                    places.append(Mention(key, m.start(), m.end(), district.place_type))
        places = [self._capital(p, sentence) for p in places]
        return sorted(firms, key=lambda m: m.start), sorted(places, key=lambda m: m.start)

    def _capital(self, place: Mention, sentence: str) -> Mention:
        """ "based in the capital of Anhui province": the reference's capital of Anhui."""
        if place.kind == "province" and re.search(r"\bcapital of\s+$", sentence[: place.start]):
            for key, row in self.ref.places.items():
                if row["parent_place_id"] == place.key and row["is_provincial_capital"] == "true":
                    return Mention(key, place.start, place.end, row["place_type"])
        return place

    def _propose_place(self, place: Place, sentence: str) -> str:
        key = place.place_id
        if key not in self._places:
            parent = self._ref_place_by_name.get((place.parent or "").lower())
            self._places[key] = {
                "place_id": key,
                "place_name": place.place_name.replace("’", "'"),
                "place_name_zh": place.place_name_zh or "",
                "place_type": place.place_type,
                "parent_place_id": parent or (slug(place.parent) if place.parent else ""),
                "region_name": "",
                "latitude": place.latitude,
                "longitude": place.longitude,
                "is_provincial_capital": "false",
                "aliases": "|".join(place.aliases),
                "code": place.code or "",
                "population": place.population,
                "sentence": sentence,
            }
        return key

    def used(self, firm: str, place: str, kind: str) -> None:
        """A relation was proposed: a headquarters fills a proposed firm's hq_place_id; a
        country in a relation ("a module factory in Thailand") becomes a proposed place."""
        if place in self._places:
            self._places[place]["used"] = True
        if kind != "headquarters":
            return
        for entry in self._firms.values():
            if entry["firm_id"] == firm and not entry["hq_place_id"]:
                entry["hq_place_id"] = place

    def proposed_firms(self) -> list[dict[str, Any]]:
        return [{k: v for k, v in e.items() if k != "names"} for e in self._firms.values()]

    def proposed_places(self) -> list[dict[str, Any]]:
        """Every place proposed; a country only where a relation uses it or the article
        names it as a place ("a plant in India"; not "Japan's Honda")."""
        return [
            {k: v for k, v in p.items() if k != "used"}
            for p in self._places.values()
            if p["place_type"] != "country"
            or p.get("used")
            or re.search(
                rf"\b(?:in|into|to|at|from|across|outside)\s+{re.escape(p['place_name'])}\b",
                self._text,
            )
        ]


def odd_cased(text: str) -> list[tuple[str, str]]:
    """Names no capitalised-word rule finds, with the text around each: "SK hynix" (a
    lower-case word only ever after the same capitals, twice or more), "iflytek, the
    voice-recognition group" (a brand in lower case set off by an apposition)."""
    pairs: dict[str, str] = {}
    for m in re.finditer(r"(?<![\w-])([A-Z]{2,})\s([a-z][a-z0-9]{2,})(?![\w-])", text):
        low = m.group(2)
        alone = len(re.findall(rf"(?<![\w-]){low}(?![\w-])", text))
        with_caps = len(re.findall(rf"(?<![\w-]){m.group(1)}\s{low}(?![\w-])", text))
        if with_caps >= 2 and alone == with_caps and LOWER_BRAND.search(f"{low} "):
            pairs[m.group(0)] = text[max(0, m.start() - 100) : m.end() + 100]
    for m in LOWER_APPOSED.finditer(text):
        if LOWER_BRAND.search(f"{m.group(1)} "):
            pairs[m.group(1)] = text[max(0, m.start() - 100) : m.end() + 100]
    return list(pairs.items())


def lower_listed(text: str, names: list[str]) -> list[tuple[str, str]]:
    """ "OPPO and vivo, which together ...": a brand in lower case listed after one of
    ``names`` as one subject with it, with its sentence."""
    out = []
    for seg in segments(text):
        for name in names:
            if name not in seg.text:
                continue
            for m in re.finditer(rf"(?<![\w-]){re.escape(name)}", seg.text):
                low = LOWER_LISTED.match(seg.text, m.end())
                if low and LOWER_BRAND.search(f"{low.group(1)} "):  # not a small word
                    out.append((low.group(1), seg.text))
    return out
