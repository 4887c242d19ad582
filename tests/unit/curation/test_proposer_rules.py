"""The proposer's parts on their own: the gazetteer, organisation names, relations, the draft."""

from __future__ import annotations

import time

import yaml

from etl.curation.draft import render
from etl.curation.gazetteer import gazetteer
from etl.curation.names import name_mentions
from etl.curation.propose import propose_article
from etl.sources.periods import StatementDate
from etl.sources.seed_files import read_reference
from tests.conftest import SEEDS

REF = read_reference(SEEDS / "reference", [])


def propose(text: str, date: str = "2021-08-12"):
    return propose_article(text, StatementDate.parse(date), REF.places, REF.firms)


def relations(p) -> set[tuple[str, str, str]]:
    """(firm, place, presence type) of each relation proposed."""
    return {(r["firm"], r["place"], r["presence_type"]) for r in p.relations}


def test_gazetteer_fills_chinese_cities_provinces_and_world_homes_from_the_packages():
    g = gazetteer()
    yibin = g.lookup("Yibin")
    assert (yibin.place_name_zh, yibin.parent, yibin.place_type) == ("宜宾市", "Sichuan", "city")
    assert round(yibin.latitude, 1) == 28.8 and yibin.code == "511500"  # GB/T 2260
    assert g.lookup("Sichuan").code == "CN-SC" and g.lookup("Shaanxi").code == "CN-SN"
    assert g.lookup("Inner Mongolia").code == "CN-NM"
    assert g.lookup("Xi'an").parent == "Shaanxi"
    assert g.lookup("Chongqing").place_name_zh == "重庆市"
    assert g.lookup("Cupertino").parent == "US"
    found = [p.place_name for _, _, p in g.find("a plant in Yibin's Sanjiang New Area, Sichuan")]
    assert found == ["Yibin", "Sanjiang New Area", "Sichuan"]
    zone = g.find("Yibin's Sanjiang New Area")[1][2]
    assert (zone.place_type, zone.parent) == ("zone", "Yibin")
    # ordinary English words and small foreign towns are not places
    assert not g.find("Reading the Split said Mobile")


def test_names_finds_organisations_not_people():
    def names(sentence):
        return [m.name for m in name_mentions(sentence, lambda n: n in ("Hefei", "Shanghai"))]

    assert names("NIO said it will base its new China headquarters in Hefei.") == ["NIO"]
    assert names("Beyond Sichuan, it runs a joint venture with carmaker SAIC Motor in Liyang.") == [
        "SAIC Motor"
    ]
    assert "Guangdong Brunp Recycling Technology" in names(
        "Guangdong Brunp Recycling Technology, a Foshan-based subsidiary, is building a plant."
    )
    assert names("China Mobile, China Unicom and China Telecom run data centres there.") == [
        "China Telecom",
        "China Unicom",
        "China Mobile",
    ] or set(names("China Mobile, China Unicom and China Telecom run data centres there.")) == {
        "China Mobile",
        "China Unicom",
        "China Telecom",
    }
    assert names("Lyu Hongqing, an official with the city, said the base opened.") == []


def test_relations_in_general_english():
    text = (
        "NIO said it will base its new China headquarters in Hefei. "
        "NIO, which keeps its global headquarters in Shanghai, was founded in November 2014. "
        "Samsung Electronics runs a chip packaging plant in Xi'an, the capital of Shaanxi. "
        "Shenzhen-based Huawei opened a research centre in Wuhan last year."
    )
    p = propose(text)
    got = {(r["firm"], r["place"], r["presence_type"], r["status"]) for r in p.relations}
    assert ("nio", "hefei", "headquarters", "announced") in got
    assert ("nio", "shanghai", "headquarters", "operating") in got
    assert any(r[0] == "samsung_electronics" and r[1] == "xi_an" and r[2] == "factory" for r in got)
    assert ("huawei", "shenzhen", "headquarters", "operating") in got
    assert any(r[:3] == ("huawei", "wuhan", "research_centre") for r in got)
    assert {f["firm_name"] for f in p.proposed_firms} >= {"NIO", "Samsung Electronics"}
    xian = next(pl for pl in p.proposed_places if pl["place_id"] == "xi_an")
    assert (xian["place_name"], xian["place_name_zh"]) == ("Xi'an", "西安市")
    assert next(f for f in p.proposed_firms if f["firm_name"] == "NIO")["hq_place_id"] in (
        "hefei",
        "shanghai",
    )
    assert 2014 in [n["value"] for n in p.numbers]


def test_numbers_in_general_english():
    p = propose(
        "CATL said it would invest up to 12 billion yuan ($1.85 billion) in two production phases. "
        "Its market value is about 1.3 trillion yuan, or about $200 billion, ranking it No 3. "
        "Yibin is now the second-largest battery production centre, and output grew 8 percent. "
        "The Model 3 plant opened in 2020."
    )
    got = {(n["number"], n["value"], n["comparator"]) for n in p.numbers}
    assert ("up to 12 billion yuan", 12, "at_most") in got
    assert ("two", 2, "exact") in got
    assert ("No 3", 3, "exact") in got and ("second-largest", 2, "exact") in got
    assert ("8 percent", 8, "exact") in got and ("2020", 2020, "exact") in got
    money = {n["number"]: n for n in p.numbers if n.get("currency")}
    assert money["about 1.3 trillion yuan"]["usd_number"] == "about $200 billion"
    assert money["up to 12 billion yuan"]["usd_number"] == "$1.85 billion"
    assert not any("$" in n["number"] or n["number"] == "3" for n in p.numbers)


def test_draft_lists_proposed_reference_rows_and_stays_valid_yaml():
    p = propose("Samsung Electronics runs a chip packaging plant in Xi'an, the capital of Shaanxi.")
    draft = render(p, "x")
    assert "#   xi_an,Xi'an,西安市,city,shaanxi," in draft
    assert "Samsung Electronics" in draft
    body = yaml.safe_load(draft)
    assert body["relations"][0]["review"] == "unreviewed"


def test_propose_reads_a_thousand_words_quickly_enough_to_measure():
    text = (SEEDS / "articles" / "wuhan-xiaomi-optics-valley-2019.txt").read_text()
    words = text.split()
    article = " ".join((words * (1000 // len(words) + 1))[:1000])
    gazetteer()
    t0 = time.perf_counter()
    propose(article)
    # not a timing goal (scripts/measure_proposer.py prints it): a guard against a blow-up
    assert time.perf_counter() - t0 < 30


def test_towns_abroad_are_places_only_where_a_place_is_expected():
    g = gazetteer()

    def found(text):
        return {p.place_name: p for _, _, p in g.find(text)}

    # a town the package knows, after "based in" or before ", <state or country>"
    velenje = found("Gorenje, based in Velenje, makes fridges.")["Velenje"]
    assert (velenje.parent, velenje.code.startswith("geonames:")) == ("SI", True)
    louisville = found("the business, based in Louisville, Kentucky, sells ovens")["Louisville"]
    assert louisville.country == "US" and louisville.latitude
    # a town it does not know, before ", <state>": a town of that state, for a curator to fill
    camden = found("it opened a factory in Camden, South Carolina, in 2000")["Camden"]
    assert (camden.parent, camden.latitude) == ("South Carolina", None)
    # the same words in running text are not places
    assert "Mobile" not in found("Mobile payments grew fast; Reading the data is hard.")


def test_names_tell_firms_from_peoples_adjectives_and_persons():
    def names(sentence):
        return [m.name for m in name_mentions(sentence, lambda n: n in ("Qingdao", "Velenje"))]

    assert names("Geely followed a longer road.") == ["Geely"]
    assert names("Across town, Hisense traces its roots to a radio factory.") == ["Hisense"]
    assert names("Haier paid $5.4 billion for GE Appliances in 2016.") == ["Haier", "GE Appliances"]
    assert "Toshiba" in names("Hisense bought 95 percent of Toshiba's television business.")
    assert names("It took control of Slovenian appliance maker Gorenje, based in Velenje.") == [
        "Gorenje"
    ]
    assert names("Foreign firms arrived early.") == []
    assert names("Li Shufu founded the carmaker in 1986.") == []
    assert names("Government-backed investors have made bets.") == []


def test_relations_follow_back_references_to_the_right_firm():
    p = propose(
        "In 2010 Geely bought Volvo Cars from Ford for $1.8 billion; the Gothenburg-based brand "
        "now assembles cars at plants in Chengdu and Daqing. "
        "Founded in 1999 by a group of USTC students, iFlytek keeps its headquarters in the "
        "Hefei High-tech Industrial Development Zone."
    )
    got = relations(p)
    assert ("volvo_cars", "gothenburg", "headquarters") in got
    assert {("volvo_cars", "chengdu", "factory"), ("volvo_cars", "daqing", "factory")} <= got
    assert not any(r[0] == "ford" for r in got)
    # the zone, not the reference's "Hefei" inside its name; not USTC (named after "of")
    assert ("iflytek", "hefei_high_tech_industrial_development_zone", "headquarters") in got
    assert not any(r[0] == "ustc" for r in got)


def test_a_demonym_refers_back_to_the_firm_of_that_country():
    p = propose(
        "LG Energy Solution, South Korea's biggest battery maker, bought a plant in Dalian. "
        "It is run by Solidigm, a subsidiary headquartered in Rancho Cordova, California. "
        "Dalian is one of three bases in China for the Korean group. "
        "The group already runs a DRAM fab in Wuxi."
    )
    got = relations(p)
    assert ("lg_energy_solution", "wuxi", "factory") in got
    assert not any(r[0] == "solidigm" and r[1] == "wuxi" for r in got)
    # a firm before ", South Korea's ... maker": a firm, not a town of South Korea
    assert "LG Energy Solution" in {f["firm_name"] for f in p.proposed_firms}
    assert "Energy Solution" not in {pl["place_name"] for pl in p.proposed_places}


def test_relations_follow_which_the_venture_and_the_capital_of():
    p = propose(
        "Origin Quantum, a start-up based in the capital of Anhui province, built a computer. "
        "In 2020 state funds put 7 billion yuan into carmaker NIO for a stake in its main China "
        "unit, which then moved its headquarters to the Hefei Economic and Technological "
        "Development Area. "
        "BMW Brilliance Automotive, the joint venture that runs the site, makes cars. "
        "Brilliance Auto Group is in restructuring. "
        "The venture, which keeps its headquarters in Shenyang, sold 650,000 cars."
    )
    got = relations(p)
    assert ("origin_quantum", "hefei", "headquarters") in got  # the reference's capital of Anhui
    assert (
        "nio",
        "hefei_economic_and_technological_development_area",
        "headquarters",
    ) in got
    assert ("bmw_brilliance_automotive", "shenyang", "headquarters") in got
    assert not any(r[0] == "brilliance_auto_group" for r in got)


def test_relations_in_more_constructions():
    cases = {
        "Tesla's Shanghai factory delivered 700,000 cars last year.": ("factory", "shanghai"),
        "The plant in Ningde is operated by Contemporary Amperex Technology.": (
            "factory",
            "ningde",
        ),
        "AstraZeneca set up an R&D centre in Zhangjiang Hi-Tech Park in Shanghai.": (
            "research_centre",
            "zhangjiang_hi_tech_park",
        ),
        "GCL Technology moved its headquarters from Suzhou to Shanghai.": (
            "headquarters",
            "shanghai",
        ),
    }
    for sentence, (kind, place) in cases.items():
        got = [(r["presence_type"], r["place"]) for r in propose(sentence).relations]
        assert got == [(kind, place)], sentence
    daqo = propose("Daqo New Energy runs plants in Shihezi, Xinjiang, and Baotou.")
    assert {r["place"] for r in daqo.relations} == {"shihezi", "baotou"}
    smic = propose("SMIC broke ground on a wafer fab in Shanghai's Lingang area in 2021.")
    assert smic.unknown_firms == ["SMIC"] and smic.unknown_places == ["Lingang area"]


def test_joint_ventures_name_both_partners_and_the_place_before_the_facility():
    p = propose(
        "iFlytek keeps its headquarters in the Hefei High-tech Industrial Development Zone "
        "and has offices in Beijing and Shanghai. "
        "BMW set up the Shenyang joint venture with Brilliance China Automotive in 2003, "
        "after Beijing scrapped ownership caps. "
        "Micron plans to add 500 jobs, and will buy the equipment that Taiwan's Powertech "
        "Technology uses at its own factory in Xi'an."
    )
    got = relations(p)
    assert {("bmw", "shenyang", "joint_venture")} <= got
    assert ("brilliance_china_automotive", "shenyang", "joint_venture") in got
    assert not any(r[1] == "beijing" and r[2] == "joint_venture" for r in got)
    assert ("powertech_technology", "xi_an", "factory") in got  # "its": the clause's firm
    assert {("iflytek", "beijing", "office"), ("iflytek", "shanghai", "office")} <= got


def test_sentences_split_before_a_camel_case_name():
    from etl.curation.sentences import segments

    text = "It is listed in Shanghai. iFlytek reported revenue. The end."
    assert [s.text for s in segments(text)] == [
        "It is listed in Shanghai.",
        "iFlytek reported revenue.",
        "The end.",
    ]


def test_shorter_names_of_firms_and_zones_found_later_in_the_article():
    p = propose(
        "Sichuan Changhong Electric started life in 1958. Changhong listed in Shanghai in 1994. "
        "Revenue reached 99.6 billion yuan last year. "
        "It controls Changhong Meiling, a refrigerator maker based in Hefei, and runs a "
        "television factory in Nymburk, Czech Republic. "
        "TCL is based in the Huizhou Zhongkai High-tech Zone. "
        "The group also makes televisions in Zhongkai and in Zyrardow, Poland."
    )
    got = relations(p)
    changhong = next(f for f in p.proposed_firms if f["firm_name"] == "Sichuan Changhong Electric")
    assert changhong["aliases"] == "Changhong" and "Revenue" not in p.unknown_firms
    assert ("sichuan_changhong_electric", "nymburk", "factory") in got  # "It ... and runs"
    assert ("changhong_meiling", "hefei", "headquarters") in got
    assert ("tcl", "huizhou_zhongkai_high_tech_zone", "factory") in got  # "in Zhongkai"
    zyrardow = next(pl for pl in p.proposed_places if pl["place_name"] == "Zyrardow")
    assert zyrardow["aliases"] == "Żyrardów" and zyrardow["code"].startswith("geonames:")


def test_places_named_before_by_a_noun_or_there_and_bare_districts_of_a_named_city():
    p = propose(
        "Luoyang has long made tractors. "
        "The tractor maker First Tractor builds them at a works in Jianxi, west of the old town. "
        "Sinopec runs a refinery in the Luoyang High-tech Industrial Development Zone. "
        "Shenma Textiles opened a mill in the zone last year. "
        "Most glass firms moved their head offices to Zhengzhou. "
        "Henan Glass, founded in 1990, is now headquartered there but still makes panes in "
        "Xuchang, where Yutong Bus, based in the same city, also builds coaches."
    )
    got = relations(p)
    # "Jianxi" alone is a district of Luoyang, which the article names
    assert ("first_tractor", "jianxi", "factory") in got
    assert next(pl for pl in p.proposed_places if pl["place_id"] == "jianxi")["place_name_zh"]
    zone = "luoyang_high_tech_industrial_development_zone"
    assert ("shenma_textiles", zone, "factory") in got  # "the zone": the zone named last
    assert ("henan_glass", "zhengzhou", "headquarters") in got  # "there": the place named last
    assert ("henan_glass", "xuchang", "factory") in got  # not "there", before "but still makes"
    assert ("yutong_bus", "xuchang", "headquarters") in got  # "the same city": this sentence's
    # a bare district name of a city the article does not name is not a place
    assert not propose("Jianxi Foods makes noodles.").proposed_places


def test_homes_told_by_a_noun_or_before_the_firm():
    p = propose(
        "Shougang Group, the Beijing steelmaker, has moved its furnaces. "
        "The Hefei carmaker JAC Motors builds vans. "
        "Wistron, another Taipei company, sold a plant. "
        "Headquartered in Panzhihua, Sichuan, Pangang Group makes titanium. "
        "SK On, a unit of Seoul-based SK Innovation, makes cells. "
        "Astronergy runs a module factory in Thailand. "
        "Sany Heavy Industry also has factories in India, Indonesia and Brazil. "
        "Chery, with partners in Egypt, Japan's Honda and others, sold cars."
    )
    got = relations(p)
    assert ("shougang_group", "beijing", "headquarters") in got
    assert ("jac_motors", "hefei", "headquarters") in got
    assert ("wistron", "taipei", "headquarters") in got
    assert ("pangang_group", "panzhihua", "headquarters") in got
    assert ("sk_innovation", "seoul", "headquarters") in got
    assert ("sk_on", "seoul", "headquarters") not in got
    # a country where a facility is: a relation, and the country a proposed place
    assert ("astronergy", "thailand", "factory") in got
    assert "thailand" in {pl["place_id"] for pl in p.proposed_places}
    # every country of a list after "in"; not a country before a possessive ("Japan's Honda")
    assert {("sany_heavy_industry", c, "factory") for c in ("india", "indonesia", "brazil")} <= got
    assert not any(r[1] == "japan" for r in got)


def test_more_facilities_partners_between_and_asides_starting_with_once():
    p = propose(
        "Xijiu, once part of the Moutai group, runs its main distillery in Xishui county. "
        "GAC Honda, a joint venture between GAC Group and Honda Motor, builds cars at a plant "
        "in Huangpu District. "
        "BYD, headquartered in Shenzhen, makes batteries at a plant in Xining and has agreed to "
        "invest 5 billion yuan in a lithium project in Golmud."
    )
    got = relations(p)
    assert ("xijiu", "xishui", "factory") in got and not any(r[0] == "moutai" for r in got)
    assert {
        ("gac_group", "huangpu", "joint_venture"),
        ("honda_motor", "huangpu", "joint_venture"),
    } <= got
    assert ("byd", "golmud", "office") in got  # an investment after the plant: its own relation


def test_names_with_and_or_of_inside_and_after_an_aside():
    def names(sentence):
        return [(m.name, m.short) for m in name_mentions(sentence, lambda n: n == "China")]

    assert names(
        "The cable came from Yangtze Optical Fibre and Cable, a venture set up in 1988."
    ) == [("Yangtze Optical Fibre and Cable", None)]
    assert names("It sells to Aviation Industry Corporation of China (AVIC) and others.") == [
        ("Aviation Industry Corporation of China", "AVIC")
    ]
    assert names(
        "Vials are filled by the Lanzhou Institute of Biological Products, a vaccine maker."
    ) == [("Lanzhou Institute of Biological Products", None)]
    assert names("The best known is First Tractor, founded in 1955, whose tractors ploughed.") == [
        ("First Tractor", None)
    ]
    assert names(
        "Nearby, Daqing Petrochemical, also owned by PetroChina, turns crude into plastics."
    )[0] == ("Daqing Petrochemical", None)


def test_a_short_sentence_names_the_firm_the_next_one_refers_to():
    p = propose(
        "Intel came first. The US chipmaker opened an assembly plant in the Chengdu Hi-tech Zone. "
        "Headquartered in Chengdu, the group began as a feed business."
    )
    got = relations(p)
    assert ("intel", "chengdu_hi_tech_zone", "factory") in got
    assert ("intel", "chengdu", "headquarters") in got  # "Headquartered", capitalised


def test_homes_by_possessive_and_apposition_and_lists_with_prefectures():
    p = propose(
        "Bengbu's own Fengyuan, a maker of citric acid, grew fast, and so did Shanghai's STAR Market. "
        "Sales beat those of Beijing's Lenovo. "
        "Yangfan Foods, a state-owned maker based in the same city as Bengbu Glass, employs 900. "
        "Dali Tea, whose head office and tea halls stand in Xiaguan District, employs 300. "
        "Longi Green Energy operates wafer plants in Lijiang, Baoshan, Chuxiong and Qujing. "
        "Apple, based in Cupertino, California, declined to comment. "
        "Qianjiang Motorcycle has made motorbikes in Wenling since 1985. "
        "Kaiyuan Steel, founded by Hu Wei and still based in Anhai, grew next door."
    )
    got = relations(p)
    assert ("fengyuan", "bengbu", "headquarters") in got
    assert ("lenovo", "beijing", "headquarters") in got
    assert not any(r[0] == "star_market" for r in got)
    assert ("dali_tea", "xiaguan_district", "headquarters") in got
    assert {("longi_green_energy", k, "factory") for k in ("lijiang", "chuxiong", "qujing")} <= got
    assert not any(r[1] == "california" for r in got)  # the city's state, not a second place
    assert ("qianjiang_motorcycle", "wenling", "factory") in got
    assert ("kaiyuan_steel", "anhai", "headquarters") in got  # "Anhai" after "in": a place


def test_numbers_since_a_year_decades_dozens_and_hyphenated_units():
    p = propose(
        "Baoji Drilling has built rigs in Baoji since 1937, some 150 kilometres from Xi'an. "
        "City leaders have spent two decades and about a dozen plans on it, and revenue passed "
        "1.2 trillion yuan. Harbin Electric supplied eight of the 16 units on a 1,035-kilometre "
        "line. The province was the third-smallest economy, and a survey placed it 68th overall. "
        "Chengdu and Chongqing are two of the only four cities with more than 20 million people."
    )
    got = {(n["number"], n["value"], n["comparator"]) for n in p.numbers}
    assert ("1937", 1937, "exact") in got
    assert ("some 150", 150, "approximately") in got
    assert ("two decades", 20, "exact") in got and ("about a dozen", 12, "approximately") in got
    assert ("passed 1.2 trillion yuan", 1.2, "more_than") in got
    assert ("eight", 8, "exact") in got and ("1,035", 1035, "exact") in got
    assert ("third-smallest", 3, "exact") in got and ("68th", 68, "exact") in got
    assert not any(n[0] == "two" for n in got)  # "two of the only four": not a count


def test_towns_named_once_as_places_and_passives_studios_and_new_topics():
    p = propose(
        "Semcorp, a separator maker based in Yuxi, began production at its Velenje factory. "
        "The plant sits in Velenje, Slovenia, near the lake. "
        "A module plant run by Panda Display operates in the Nanjing Economic and Technological "
        "Development Zone, and Tongfang Electronics makes routers nearby. "
        "NIO has run a design studio in Munich since 2015. "
        "Its anchor customer will be BMW, which is finishing a plant in Debrecen. "
        "The Munich-based carmaker plans to start building cars there next year. "
        "SAIC-CP, a joint venture between Shanghai's SAIC Motor and the Thai conglomerate "
        "Charoen Pokphand Group, has built cars at a plant in Rayong since 2014."
    )
    got = relations(p)
    assert ("semcorp", "velenje", "factory") in got  # "its Velenje factory": named as a town later
    zone = "nanjing_economic_and_technological_development_zone"
    assert ("panda_display", zone, "factory") in got
    assert ("nio", "munich", "research_centre") in got
    assert ("bmw", "munich", "headquarters") in got
    assert {
        ("saic_motor", "rayong", "joint_venture"),
        ("charoen_pokphand_group", "rayong", "joint_venture"),
    } <= got
    assert not any(r[1] == "shanghai" and r[2] == "joint_venture" for r in got)


def test_partners_run_from_possessive_facilities_and_firm_nouns():
    p = propose(
        "Wanxin Optical sold a 50 percent stake in 2010 to Essilor, the French lens maker. "
        "The partners now run a joint lens factory in the Danyang Economic Development Zone. "
        "Daqo New Energy, listed in New York since 2010 and run from Shanghai, makes polysilicon. "
        "Hasbro, based in Pawtucket, Rhode Island, has sourced toys from Chenghai for decades. "
        "Sinopec's Zhongke refinery, also on Donghai Island, began processing crude in 2020. "
        "Yuyue Medical Equipment, founded in Danyang and listed in Shenzhen, keeps its head "
        "office in the city. "
        "Advanced Micro Devices sold two plants. The chip designer, based in Santa Clara, "
        "California, kept 15 percent."
    )
    got = relations(p)
    zone = "danyang_economic_development_zone"
    assert {("wanxin_optical", zone, "joint_venture"), ("essilor", zone, "joint_venture")} <= got
    assert ("daqo_new_energy", "shanghai", "headquarters") in got
    assert ("hasbro", "pawtucket", "headquarters") in got
    assert ("sinopec", "donghai_island", "factory") in got
    assert not any(r[0] == "zhongke" for r in got)
    assert ("yuyue_medical_equipment", "danyang", "headquarters") in got  # not the listing's city
    assert ("advanced_micro_devices", "santa_clara", "headquarters") in got


def test_names_starting_with_a_number_and_towns_by_their_word():
    p = propose(
        "Xtep makes shoes in Quanzhou, while 361 Degrees runs its main factory in Jinjiang. "
        "In 2019 Tesla opened a plant. Seventeen years later it had grown. "
        "Anta is still headquartered in Jinjiang, beside its shoe factories in Chidian town. "
        "Great Wall took over a factory in Iracemápolis, in Sao Paulo state. "
        "Volvo also builds cars in Luqiao, in Zhejiang province."
    )
    got = relations(p)
    names = {f["firm_name"] for f in p.proposed_firms}
    assert "361 Degrees" in names and "Tesla" in names
    assert not names & {"2019 Tesla", "Seventeen", "Degrees"}
    assert not any(n["value"] == 361 for n in p.numbers)  # a number inside a name
    assert ("361_degrees", "jinjiang", "factory") in got
    assert ("anta", "chidian", "factory") in got
    places = {pl["place_name"] for pl in p.proposed_places}
    assert {"Iracemápolis", "Chidian", "Luqiao"} <= places  # Luqiao: a district of Zhejiang's


def test_openings_sales_projects_and_role_words_before_a_name():
    p = propose(
        "Nearby, in Longfeng District, Daqing Petrochemical turns crude into plastics. "
        "ZHANJIANG, Nov 20 (Eval) - On Donghai Island, BASF is finishing its biggest investment. "
        "Last year Wistron sold its Kunshan assembly plant to Dongguan-based Luxshare Precision. "
        "Longi Green Energy has announced a 10 billion yuan cell project in Yinchuan. "
        "Chipmaker Qualcomm, headquartered in San Diego, holds a stake in a venture."
    )
    got = relations(p)
    assert ("daqing_petrochemical", "longfeng", "factory") in got
    assert ("basf", "donghai_island", "office") in got  # an investment, the island it opens with
    assert ("luxshare_precision", "kunshan", "factory") in got
    assert not any(r[0] == "wistron" and r[1] == "kunshan" for r in got)  # sold
    assert ("longi_green_energy", "yinchuan", "office") in got  # a project: an investment
    assert ("qualcomm", "san_diego", "headquarters") in got


def test_stakes_lower_case_brands_ended_production_and_the_state_a_town_is_in():
    p = propose(
        "Hubei Sanjiang Trucks, based in Xiaogan, is a joint venture in which Dongfeng Motor "
        "holds 60 percent and Cummins holds 40 percent. "
        "Hefei is home to the head office of nova Technology, a joint venture in which "
        "Huawei and Bosch each hold 50 percent. "
        "Fiat ended car production in Argentina in 2019. "
        "Chery runs a plant in Joinville, in Santa Catarina state, and also makes engines in that "
        "city, while JAC is refitting a works in Goiania, also in Goias state. "
        "Renault pledged 2 billion euros ($2.2 billion) for the plant."
    )
    got = relations(p)
    assert ("dongfeng", "xiaogan", "joint_venture") in got  # each firm holding a stake
    assert ("cummins", "xiaogan", "joint_venture") in got
    assert "nova Technology" in [f["firm_name"] for f in p.proposed_firms]  # a lower-case brand
    assert ("nova_technology", "hefei", "headquarters") in got
    assert ("huawei", "hefei", "joint_venture") in got and (
        "bosch",
        "hefei",
        "joint_venture",
    ) in got
    assert not any(r[0] == "fiat" for r in got)  # production that has ended
    assert ("chery", "joinville", "factory") in got
    assert ("jac", "goiania", "factory") in got
    assert not any("santa" in r[1] or "goias" in r[1] for r in got)  # the states the towns are in
    assert "$2.2 billion" in [n["number"] for n in p.numbers]  # a dollar figure after euros
    eight = propose("The plant cost 8 billion yuan (about $1.1 billion).")
    assert [(n["number"], n.get("usd_number")) for n in eight.numbers] == [
        ("8 billion yuan", "about $1.1 billion")
    ]


def test_mines_regions_abroad_lists_with_countries_and_more_than():
    p = propose(
        "Zijin Mining spent more than $1 billion developing the Kamoa copper mine in Lualaba, "
        "which it has run since 2021. "
        "Hisense Appliances Mexico, the local unit, is run from Apodaca. "
        "Chery is building factories in Joinville, Brazil, and Izmir, Turkey."
    )
    got = relations(p)
    assert ("zijin_mining", "kamoa", "office") in got  # spent on a mine: an investment
    assert "Kamoa" in [x["place_name"] for x in p.proposed_places]
    assert "Lualaba" not in [f["firm_name"] for f in p.proposed_firms]  # a province of Congo
    assert ("hisense_appliances_mexico", "apodaca", "headquarters") in got
    assert {("chery", "joinville", "factory"), ("chery", "izmir", "factory")} <= got


def test_a_citys_personal_name_firm_lower_case_brands_in_a_list_and_countries_named_as_places():
    p = propose(
        "Xtep said sales rose 9 percent, far ahead of Shanghai's Wang Lin. "
        "Xtep and ulin, which together sell 90 million pairs, are both headquartered in Jinjiang. "
        "Xtep also ships shoes to Kenya. Japan's Asics is a rival."
    )
    got = relations(p)
    firms = [f["firm_name"] for f in p.proposed_firms]
    assert "Wang Lin" in firms and ("wang_lin", "shanghai", "headquarters") in got
    assert "ulin" in firms and ("ulin", "jinjiang", "headquarters") in got
    places = [x["place_name"] for x in p.proposed_places]
    assert "Kenya" in places and "Japan" not in places  # named as a place, not as an owner
    assert "Li Wen" not in [f["firm_name"] for f in propose("Li Wen said it grew.").proposed_firms]


def test_money_that_pays_for_a_facility_is_its_investment():
    p = propose(
        "Sunwoda Electronic, a unit of Shenzhen-based Xinwangda, opened a 8 billion yuan "
        "($1.1 billion) cell plant in Yibin in 2023."
    )
    money = [n for n in p.numbers if n["number"] == "8 billion yuan"]
    assert [(n["metric"], n["firm"], n["place"]) for n in money] == [
        ("investment", "sunwoda_electronic", "yibin")
    ]


def test_datelines_provinces_abroad_province_lists_and_every_partner_of_a_venture():
    p = propose(
        "Battery packs\n\n"
        "DELPHOS, Ohio (Wire) - Envision AESC said it had opened a plant in this village of "
        "about 7,000 people. Longi has its Vietnamese production in neighbouring Bac Giang "
        "province. EVE Energy runs production bases in Hubei, Sichuan and Yunnan provinces. "
        "Tsingshan is building a smelter at Sorowako in Indonesia through a joint venture with "
        "Vale Indonesia and Ford Motor. Hengyi Industries, a joint venture set up in Malaysia "
        "in which Hengyi Petrochemical holds 70 percent, runs a refinery."
    )
    got = relations(p)
    places = {x["place_name"]: x for x in p.proposed_places}
    assert ("envision_aesc", "delphos", "factory") in got and places["Delphos"]["parent_place_id"]
    assert ("longi", "bac_giang", "factory") in got
    assert (places["Bac Giang"]["place_type"], places["Bac Giang"]["code"]) == ("province", "VN-54")
    assert {("eve_energy", k, "factory") for k in ("hubei", "sichuan", "yunnan")} <= got
    assert {("vale_indonesia", "sorowako", "joint_venture")} <= got
    assert ("ford_motor", "sorowako", "joint_venture") in got
    assert any(r[0] == "hengyi_petrochemical" and r[2] == "joint_venture" for r in got)


def test_countries_by_the_names_articles_use():
    g = gazetteer()
    assert g.lookup("DR Congo").code == "CD" and g.lookup("Congo").code == "CG"
    assert g.lookup("Brunei").code == "BN" and g.lookup("Ivory Coast").code == "CI"
    assert g.lookup("UAE").code == "AE"


def test_the_tokyo_based_carmaker_is_the_japanese_firm_named_before():
    p = propose(
        "Dongfeng Nissan, a joint venture between Dongfeng Motor and Japan's Nissan Motor, "
        "builds cars at a plant in Huadu. "
        "The Yokohama-based carmaker also has a plant in Xiangyang. "
        "The Wuhan-based group also runs a plant in Shiyan."
    )
    got = relations(p)
    assert ("nissan_motor", "xiangyang", "factory") in got
    assert not any(r[0] == "dongfeng_nissan" and r[1] == "xiangyang" for r in got)


def test_a_surname_alone_and_whoever_are_not_firms_and_a_metal_word_is_corporate():
    p = propose(
        "Jiangxi Ganfeng Lithium, founded by Li Liangbin in 2000, runs plants in Xinyu. "
        "'We began here,' Li said. "
        "'Whoever controls the chemistry will control the margins,' said an analyst. "
        "Ganfeng also makes batteries in Xinyu."
    )
    firms = {f["firm_name"]: f for f in p.proposed_firms}
    assert "Li" not in firms and "Whoever" not in firms
    assert "Ganfeng" in firms["Jiangxi Ganfeng Lithium"]["aliases"].split("|")


def test_months_markets_parks_and_common_words_are_not_names():
    p = propose(
        "Its latest funding round, completed in March 2024, raised about 10 billion yuan. "
        "The chipmaker plans a listing on Shanghai's STAR Market. "
        "'Memory is the foundation of the digital economy,' an official said of memory chips. "
        "Across town, Nexchip Semiconductor runs four fabs. "
        "Most plants are in the Quang Chau and Van Trung industrial parks near Hanoi. "
        "Boviet Solar has run a module plant in Bac Giang's Song Khe industrial park since 2014."
    )
    firms = [f["firm_name"] for f in p.proposed_firms]
    places = [x["place_name"] for x in p.proposed_places]
    assert not {"STAR Market", "Memory", "Quang Chau", "Van Trung"} & set(firms)
    assert not {"March", "Across", "Bac Giang's"} & set(places)
    assert "Without BYD" not in [
        f["firm_name"] for f in propose("Without BYD, Xi'an would make few cars.").proposed_firms
    ]


def test_a_town_listed_after_a_town_and_a_medical_city():
    p = propose(
        "Minth Group runs car-parts plants in Loznica and Sabac. "
        "AstraZeneca opened a plant in China Medical City in 2019."
    )
    got = {(r["firm"], r["place"]) for r in p.relations}
    assert {("minth_group", "loznica"), ("minth_group", "sabac")} <= got
    assert ("astrazeneca", "china_medical_city") in got


def test_a_unit_of_a_parent_is_not_the_parents_presence():
    p = propose(
        "Huanghe Hydropower Development, the Xining-based unit of State Power Investment Corp, "
        "operates a solar power base in Gonghe county."
    )
    got = relations(p)
    assert not any(r[2] == "local_business_unit" for r in got)
    assert ("huanghe_hydropower_development", "xining", "headquarters") in got


def test_titles_demonyms_plural_groups_and_oceans_are_not_firms():
    p = propose(
        "Foreign Minister Peter Szijjarto said CATL would build a plant in Debrecen. "
        "The Communists took the city in 1948 and ran the works. "
        "Spanish officials hope Chery will build cars in Barcelona. "
        "Midea ships fridges across the Pacific from its plant in Monterrey."
    )
    firms = {f["firm_name"] for f in p.proposed_firms}
    assert (
        not {"Minister Peter Szijjarto", "Peter Szijjarto", "Communists", "Spanish", "Pacific"}
        & firms
    )


def test_a_part_of_a_named_place_and_a_venture_named_earlier_in_the_sentence():
    p = propose(
        "Nissan once ran a car plant in Barcelona's Zona Franca. "
        "Chery Automobile began assembling SUVs in the Zona Franca last month. "
        "The partners formed Leapmotor International, in which Stellantis holds 51 percent; "
        "the venture is based in Amsterdam."
    )
    got = relations(p)
    assert "Zona Franca" in [x["place_name"] for x in p.proposed_places]
    assert "Zona Franca" not in [f["firm_name"] for f in p.proposed_firms]
    assert ("chery_automobile", "zona_franca", "factory") in got
    assert ("leapmotor_international", "amsterdam", "headquarters") in got
    assert ("stellantis", "amsterdam", "headquarters") not in got


def test_partners_of_a_venture_at_the_place_there_means_but_not_an_owner_in_an_aside():
    p = propose(
        "Ansteel Group, the Anshan steelmaker, rebuilt its furnaces at Bayuquan. "
        "The plant there is run by Ansteel Bayuquan, a joint venture in which Ansteel holds "
        "51 percent and Benxi Steel, now part of HBIS Group, holds the remaining 49 percent."
    )
    got = relations(p)
    assert ("ansteel_group", "bayuquan", "joint_venture") in got  # "Ansteel": its short name
    assert ("benxi_steel", "bayuquan", "joint_venture") in got
    assert not any(r[0] == "hbis_group" for r in got)


def test_there_is_the_place_the_sentence_is_about():
    p = propose(
        "Beijiao is a town in Shunde, south of Foshan, and Midea is still headquartered there."
    )
    got = relations(p)
    assert any(r[1] == "beijiao" and r[2] == "headquarters" for r in got), got


def test_odd_cased_names_names_with_of_and_a_firms_chairman():
    p = propose(
        "DALIAN (Wire) - SK hynix said on Monday it would expand its memory fab in Dalian. "
        "SK hynix bought the plant from Intel in 2020. "
        "HEFEI (Wire) - iflytek, the voice-recognition group, runs a data centre in Hefei. "
        "The venture is owned by the Port of Rotterdam, which holds a 50 percent stake. "
        "'We want more,' Li Hanyang, Yuchai's chairman, told reporters."
    )
    got = relations(p)
    firms = [f["firm_name"] for f in p.proposed_firms]
    assert "SK hynix" in firms and any(r[0] == "sk_hynix" and r[1] == "dalian" for r in got)
    assert any(r[0] == "iflytek" and r[2] == "data_centre" for r in got)  # the reference's iFlytek
    assert "Port of Rotterdam" in firms and "Rotterdam" not in firms
    assert "Li Hanyang" not in firms


def test_an_amount_is_not_a_firm_named_by_a_number():
    p = propose(
        "iFlytek said it would spend 2.6 billion yuan ($360 million) on a computing centre in "
        "Hefei. Qihoo 360 runs a data centre in Zhongwei."
    )
    got = relations(p)
    assert not any(r[0] == "qihoo_360" and r[1] == "hefei" for r in got)
    assert ("qihoo_360", "zhongwei", "data_centre") in got


def test_a_stock_markets_city_is_not_where_a_firm_is():
    p = propose(
        "Founded in 1999, iFlytek is headquartered in Hefei, was listed in Shenzhen in 2008 "
        "and has left New York's Nasdaq."
    )
    got = relations(p)
    assert ("iflytek", "hefei", "headquarters") in got
    assert not any(r[1] in ("shenzhen", "new_york") for r in got)
    assert "Nasdaq" not in [f["firm_name"] for f in p.proposed_firms]


def test_a_freezone_and_a_listing_city_is_not_the_topic():
    p = propose(
        "United Solar has started production at its plant in the Sohar Freezone. "
        "JA Solar, listed in Shenzhen since 2019, will build a module plant in the same free zone. "
        "The operator of the zone is a joint venture between Oman and the Port of Rotterdam."
    )
    got = relations(p)
    assert ("ja_solar", "sohar_freezone", "factory") in got
    assert ("port_of_rotterdam", "sohar_freezone", "joint_venture") in got
    assert not any(r[1] == "shenzhen" for r in got)
