"""Every bad input named in the issue gives a clear error: file, line, fact id, hint; all at once."""

from __future__ import annotations

import gc
import hashlib
import re
from datetime import date
from pathlib import Path

import pytest

from etl.checks.quotes import ArticleText
from etl.checks.validate import validate_seeds
from etl.problems import ValidationFailed
from tests.helpers import edit

FACTS = "facts/inland-innovation-2022.yml"


def problems_of(seeds: Path) -> list:
    with pytest.raises(ValidationFailed) as info:
        validate_seeds(seeds)
    return info.value.problems


def test_real_seeds_are_valid(seeds_copy):
    corpus = validate_seeds(seeds_copy)
    counts = corpus.counts()
    assert counts["sources"] == 5
    assert 35 <= counts["numbers"] <= 50
    assert 20 <= counts["relations"] <= 30
    # every quote was found, with offsets inside its article
    bodies = {s["source_id"]: s["body"] for s in corpus.sources}
    for ev in corpus.evidence:
        text = bodies[ev["source_id"]][ev["evidence_start"] : ev["evidence_end"]]
        assert " ".join(text.split()) == " ".join(ev["quote"].split())


def test_quote_not_in_article(seeds_copy):
    edit(
        seeds_copy,
        FACTS,
        "the city was home to more than 840 AI-related companies",
        "the city was home to more than 840 artificial-intelligence companies",
        count=2,
    )
    problems = problems_of(seeds_copy)
    hit = [p for p in problems if p.item_id == "hefei-ai-companies-2021"]
    assert hit and "quote not found" in hit[0].message
    assert hit[0].path.name == "inland-innovation-2022.yml" and hit[0].line > 0
    assert "differs at" in hit[0].hint


def test_value_does_not_match_quote(seeds_copy):
    edit(
        seeds_copy,
        FACTS,
        'number: "more than 840"\n    value: 840',
        'number: "more than 840"\n    value: 804',
    )
    [p] = problems_of(seeds_copy)
    assert p.item_id == "hefei-ai-companies-2021"
    assert "value 804 does not match the quote" in p.message


def test_comparator_and_scale_must_match(seeds_copy):
    edit(
        seeds_copy,
        FACTS,
        "value: 840\n    comparator: more_than",
        "value: 840\n    comparator: exact",
    )
    edit(
        seeds_copy, FACTS, "value: 21.192\n    scale: million", "value: 21.192\n    scale: billion"
    )
    messages = " ".join(p.message for p in problems_of(seeds_copy))
    assert "comparator 'exact' does not match" in messages
    assert "scale 'billion' does not match" in messages


def test_unknown_place_and_metric(seeds_copy):
    edit(seeds_copy, FACTS, "place: hefei", "place: hefei_city")
    edit(seeds_copy, FACTS, "metric: iot_company_count", "metric: iot_firms")
    problems = problems_of(seeds_copy)
    assert any("unknown place 'hefei_city'" in p.message and p.hint for p in problems)
    assert any("unknown metric 'iot_firms'" in p.message for p in problems)


def test_malformed_file(seeds_copy):
    (seeds_copy / FACTS).write_text(
        "source_id: inland-innovation-2022\nnumbers:\n  - id: x\n   bad: [\n"
    )
    problems = problems_of(seeds_copy)
    assert any("malformed YAML" in p.message and p.line > 0 for p in problems)


def test_unknown_key_is_reported_with_a_hint(seeds_copy):
    edit(seeds_copy, FACTS, "    value_type: actual\n", "    value_type: actual\n    valeu: 3\n")
    [p] = problems_of(seeds_copy)
    assert "valeu" in p.message and "Extra inputs" in p.message and p.hint


def test_changed_article(seeds_copy):
    article = seeds_copy / "articles" / "rising-tech-hubs-2017.txt"
    article.write_bytes(article.read_bytes().replace(b"107 per cent", b"170 per cent"))
    problems = problems_of(seeds_copy)
    assert any(
        p.path.name == "rising-tech-hubs-2017.txt" and "article bytes changed" in p.message
        for p in problems
    )


def test_unregistered_article(seeds_copy):
    (seeds_copy / "articles" / "stray.txt").write_text("An article nobody registered.")
    assert any("not in the manifest" in p.message for p in problems_of(seeds_copy))


def test_missing_article_file(seeds_copy):
    (seeds_copy / "articles" / "rising-tech-hubs-2017.txt").unlink()
    problems = problems_of(seeds_copy)
    assert any(
        p.path.name == "manifest.yml"
        and p.item_id == "rising-tech-hubs-2017"
        and "article file rising-tech-hubs-2017.txt is missing" in p.message
        for p in problems
    )
    # a folder where the file should be is no article either
    (seeds_copy / "articles" / "rising-tech-hubs-2017.txt").mkdir()
    assert any("is missing" in p.message for p in problems_of(seeds_copy))


def test_all_problems_reported_together(seeds_copy):
    edit(seeds_copy, FACTS, "place: hefei", "place: nowhere")
    edit(seeds_copy, "facts/rising-tech-hubs-2017.yml", "value: 107", "value: 701")
    edit(
        seeds_copy,
        "facts/lenovo-baidu-southwest-2020.yml",
        "metric: digital_economy_growth",
        "metric: no_such_metric",
    )
    problems = problems_of(seeds_copy)
    files = {p.path.name for p in problems}
    assert {
        "inland-innovation-2022.yml",
        "rising-tech-hubs-2017.yml",
        "lenovo-baidu-southwest-2020.yml",
    } <= files
    rendered = ValidationFailed(problems).render()
    assert "nothing was loaded" in rendered and rendered.count("\n") >= 3


def test_fx_rate_far_from_series_needs_a_note(seeds_copy):
    edit(
        seeds_copy,
        "facts/wuhan-xiaomi-optics-valley-2019.yml",
        "    fx_note: >-\n",
        "    notes: >-\n",
    )
    [p] = problems_of(seeds_copy)
    assert p.item_id == "wuhan-high-tech-output-2018"
    assert "implied rate 6.9930" in p.message and "fx_note" in p.hint


def test_period_must_not_end_before_start(seeds_copy):
    edit(
        seeds_copy,
        FACTS,
        "period: {start: 2021-12-31, end: 2021-12-31, precision: day}",
        "period: {start: 2021-12-31, end: 2021-01-31, precision: day}",
    )
    [p] = problems_of(seeds_copy)
    assert "ends (2021-01-31) before it starts" in p.message


def test_same_fact_id_in_two_sources_must_agree(seeds_copy):
    edit(
        seeds_copy,
        "facts/lenovo-baidu-southwest-2020.yml",
        "speaker_role: vice-president of Lenovo",
        "speaker_role: president of Lenovo",
    )
    [p] = problems_of(seeds_copy)
    assert p.item_id == "lenovo-southwest-china-standout" and "speaker_role" in p.message


def test_duplicate_statement_is_one_fact_with_two_sources(seeds_copy):
    corpus = validate_seeds(seeds_copy)
    assert [s["fact_id"] for s in corpus.statements] == ["lenovo-southwest-china-standout"]
    sources = {
        e["source_id"] for e in corpus.evidence if e["fact_id"] == "lenovo-southwest-china-standout"
    }
    assert sources == {"inland-innovation-2022", "lenovo-baidu-southwest-2020"}


def test_correction_that_no_longer_applies_fails(seeds_copy):
    edit(
        seeds_copy,
        "reference/corrections.yml",
        "Landlocked cities such as Guizhou",
        "Landlocked towns such as Guizhou",
    )
    [p] = problems_of(seeds_copy)
    assert p.item_id == "guizhou-is-a-province" and "no longer applies" in p.message


def test_unreviewed_fact_is_refused(seeds_copy):
    edit(
        seeds_copy,
        FACTS,
        "    value_type: actual\n",
        "    value_type: actual\n    status: unreviewed\n",
    )
    [p] = problems_of(seeds_copy)
    assert "not reviewed" in p.message


def test_whitespace_normalised_offsets():
    text = ArticleText("One  line\nand   the next one.")
    start, end = text.find("line and the next")
    assert text.text[start:end] == "line\nand   the next"
    assert text.find("absent words") is None


def test_cache_skips_unchanged_files_and_only_those(seeds_copy, tmp_path):
    cache = tmp_path / "cache"
    first = validate_seeds(seeds_copy, cache)
    assert first.stats == {"files_checked": 5, "files_from_cache": 0, "files_in_staging": 0}
    second = validate_seeds(seeds_copy, cache)
    assert second.stats == {"files_checked": 0, "files_from_cache": 5, "files_in_staging": 0}
    assert second.numbers == first.numbers and second.evidence == first.evidence
    edit(
        seeds_copy,
        "facts/rising-tech-hubs-2017.yml",
        "    notes: From a report",
        "    notes: Per a report",
    )
    assert validate_seeds(seeds_copy, cache).stats == {
        "files_checked": 1,
        "files_from_cache": 4,
        "files_in_staging": 0,
    }
    edit(seeds_copy, "reference/firms.csv", "consumer electronics", "electronics", count=1)
    assert validate_seeds(seeds_copy, cache).stats == {
        "files_checked": 5,
        "files_from_cache": 0,
        "files_in_staging": 0,
    }
    # a cached file is still checked against the others: a clash with a changed file is found
    edit(
        seeds_copy,
        "facts/lenovo-baidu-southwest-2020.yml",
        "speaker_role: vice-president of Lenovo",
        "speaker_role: president of Lenovo",
    )
    with pytest.raises(ValidationFailed, match="speaker_role"):
        validate_seeds(seeds_copy, cache)


def test_csv_facts_file_reads_like_yaml(seeds_copy):
    yml = seeds_copy / "facts" / "wuhan-valleys-rebound-2021.yml"
    yml.unlink()
    (seeds_copy / "facts" / "wuhan-valleys-rebound-2021.csv").write_text(
        "kind,id,metric,place,firm,quote,number,value,comparator,comparator_reason,period,value_type,"
        "presence_type,status\n"
        "number,wuhan-high-tech-share-of-growth-2020,high_tech_share_of_growth,wuhan,,"
        '"High-tech sectors contributed to more than a quarter of Wuhan\'s economic growth in 2020.",'
        "more than a quarter,25,more_than,,2020,actual,,\n"
        'relation,dongfeng-hq-wuhan,,wuhan,dongfeng,"according to the Wuhan-based automaker Dongfeng",,,,,'
        "as_of,,headquarters,operating\n"
        'number,bad-one,gdp_growth,wuhan,,"High-tech sectors contributed",7 percent,7,exact,,'
        "relative: last year,actual,,\n",
        encoding="utf-8",
    )
    problems = problems_of(seeds_copy)
    assert [(p.path.name, p.line, p.item_id) for p in problems] == [
        ("wuhan-valleys-rebound-2021.csv", 4, "bad-one")
    ]
    path = seeds_copy / "facts" / "wuhan-valleys-rebound-2021.csv"
    path.write_text("\n".join(path.read_text().splitlines()[:3]) + "\n")
    corpus = validate_seeds(seeds_copy)
    assert "dongfeng-hq-wuhan" in {r["fact_id"] for r in corpus.relations}


def test_an_article_known_by_its_digest_is_still_checked_when_read(seeds_copy, tmp_path):
    """With the fingerprint's digests an article is read only when its text is needed; bytes
    that are not UTF-8 are then reported as when it was read at once."""
    from etl.build.fingerprint import SeedDigests, input_fingerprint
    from etl.settings import Settings

    article = seeds_copy / "articles" / "wuhan-valleys-rebound-2021.txt"
    data = article.read_bytes().replace(b"Wuhan", b"Wuh\xe4n", 1)
    article.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    manifest = seeds_copy / "articles" / "manifest.yml"
    text = manifest.read_text(encoding="utf-8")
    old = re.search(r"source_id: wuhan-valleys-rebound-2021\n(?:    .*\n)*?    sha256: (\w+)", text)
    manifest.write_text(text.replace(old.group(1), digest), encoding="utf-8")
    digests = SeedDigests()
    input_fingerprint(Settings(seeds_dir=seeds_copy, warehouse_dir=tmp_path / "wh"), False, digests)
    assert digests[str(article)] == digest
    for given in (None, digests):
        with pytest.raises(ValidationFailed) as info:
            validate_seeds(seeds_copy, digests=given)
        assert any(
            p.path == article and "article is not UTF-8" in p.message for p in info.value.problems
        ), given is None


def test_content_hash_tells_apart_any_change_of_key_value_or_type():
    from etl.checks.corpus import content_hash

    row = {"fact_id": "a", "value": 1.0, "unit": None, "period_start": date(2020, 1, 1)}
    same = dict(row)
    variants = [
        {**row, "value": 1.5},
        {**row, "value": 1},  # an int, not a float
        {**row, "value": "1.0"},  # text
        {**row, "unit": "None"},
        {**row, "period_start": date(2020, 1, 2)},
        {"fact_id": "a", "value": 1.0, "unit": None, "period_end": date(2020, 1, 1)},  # a key
        {"value": 1.0, "fact_id": "a", "unit": None, "period_start": date(2020, 1, 1)},  # order
    ]
    hashes = {content_hash(v) for v in variants}
    assert content_hash(same) == content_hash(row)
    assert len(hashes) == len(variants) and content_hash(row) not in hashes


@pytest.mark.parametrize("workers", [False, True])
def test_validation_makes_no_cyclic_garbage(tmp_path, monkeypatch, workers):
    """Validation pauses Python's cyclic collector (etl/checks/validate.py, collector_paused): that
    holds only while what it drops is freed by reference counting alone."""
    from etl.checks import validate
    from etl.curation.synth import synth
    from tests.conftest import SEEDS

    synth(tmp_path / "seeds", 40, 3, SEEDS / "reference", numbers=20, relations=4)
    if workers:
        monkeypatch.setattr(validate, "PARALLEL_MIN_FILES", 1)
    validate_seeds(tmp_path / "seeds", tmp_path / "cache")  # imports and caches warmed
    gc.disable()
    try:
        gc.collect()
        corpus = validate_seeds(tmp_path / "seeds", tmp_path / "cache2")
        assert gc.collect() == 0
    finally:
        gc.enable()
    assert corpus.stats["files_checked"] == 40


def test_validation_leaves_the_collector_as_it_found_it(seeds_copy):
    assert gc.isenabled()
    validate_seeds(seeds_copy)
    assert gc.isenabled()
    edit(
        seeds_copy,
        FACTS,
        'number: "more than 840"\n    value: 840',
        'number: "more than 840"\n    value: 804',
    )
    with pytest.raises(ValidationFailed):
        validate_seeds(seeds_copy)
    assert gc.isenabled()
    gc.disable()
    try:
        with pytest.raises(ValidationFailed):
            validate_seeds(seeds_copy)
        assert not gc.isenabled()
    finally:
        gc.enable()
