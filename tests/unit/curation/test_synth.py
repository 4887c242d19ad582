"""The synthetic corpus is valid, deterministic and grows by appending; parallel validation
finds exactly what serial validation finds."""

from __future__ import annotations

import pickle

import pytest

from etl.checks import validate as validate_mod
from etl.checks.validate import validate_seeds
from etl.curation.synth import synth
from etl.problems import ValidationFailed
from etl.settings import PROJECT_DIR
from tests.helpers import edit

REFERENCE = PROJECT_DIR / "seeds" / "reference"


def test_synth_is_valid_deterministic_and_appends(tmp_path):
    a = synth(tmp_path / "a", 30, seed=7, reference_dir=REFERENCE, numbers=20, relations=4)
    assert (a.articles, a.numbers, a.relations) == (30, 600, 120)
    corpus = validate_seeds(tmp_path / "a")
    assert len(corpus.numbers) == 600 and len(corpus.relations) == 120
    assert {n["comparator"] for n in corpus.numbers} >= {
        "exact",
        "more_than",
        "close_to",
        "approximately",
    }
    assert {n["value_type"] for n in corpus.numbers} >= {"actual", "target", "plan"}
    assert {n["currency"] for n in corpus.numbers} >= {None, "CNY"}
    assert any(n["usd_stated"] for n in corpus.numbers)
    b = synth(tmp_path / "b", 30, seed=7, reference_dir=REFERENCE, numbers=20, relations=4)
    assert b.numbers == a.numbers
    for name in ("synth-000005.txt", "synth-000029.txt"):
        assert (tmp_path / "a" / "articles" / name).read_bytes() == (
            tmp_path / "b" / "articles" / name
        ).read_bytes()
    before = (tmp_path / "a" / "facts" / "synth-000003.csv").read_bytes()
    grown = synth(tmp_path / "a", 33, seed=7, reference_dir=REFERENCE, numbers=20, relations=4)
    assert grown.articles == 3
    assert (tmp_path / "a" / "facts" / "synth-000003.csv").read_bytes() == before
    assert len(validate_seeds(tmp_path / "a").sources) == 33
    other = synth(tmp_path / "c", 2, seed=8, reference_dir=REFERENCE, numbers=20, relations=4)
    assert other.articles == 2
    assert (tmp_path / "c" / "articles" / "synth-000001.txt").read_bytes() != (
        tmp_path / "a" / "articles" / "synth-000001.txt"
    ).read_bytes()


def test_parallel_validation_matches_serial(seeds_copy, monkeypatch):
    serial = validate_seeds(seeds_copy)
    monkeypatch.setattr(validate_mod, "PARALLEL_MIN_FILES", 1)
    parallel = validate_seeds(seeds_copy)
    assert parallel.numbers == serial.numbers
    assert parallel.relations == serial.relations
    assert parallel.evidence == serial.evidence
    edit(seeds_copy, "facts/inland-innovation-2022.yml", "place: hefei", "place: nowhere")
    edit(seeds_copy, "facts/rising-tech-hubs-2017.yml", "value: 107", "value: 701")
    with pytest.raises(ValidationFailed) as info:
        validate_seeds(seeds_copy)
    assert {p.item_id for p in info.value.problems} == {
        "hefei-ai-companies-2021",
        "hangzhou-new-startup-growth-2014h2",
    }


def test_parallel_validation_reports_and_caches_what_serial_does(seeds_copy, monkeypatch, tmp_path):
    """Workers' results are merged as they come: the same problems, a clash between two files
    (found by the merge) among them, and the same cache."""
    edit(seeds_copy, "facts/rising-tech-hubs-2017.yml", "value: 107", "value: 701")
    edit(
        seeds_copy,
        "facts/lenovo-baidu-southwest-2020.yml",
        "speaker_role: vice-president of Lenovo",
        "speaker_role: president of Lenovo",
    )

    def found(cache):
        with pytest.raises(ValidationFailed) as info:
            validate_seeds(seeds_copy, cache)
        return sorted((p.path.name, p.line, p.item_id, p.message) for p in info.value.problems)

    serial = found(tmp_path / "serial")
    monkeypatch.setattr(validate_mod, "PARALLEL_MIN_FILES", 1)
    assert found(tmp_path / "parallel") == serial
    assert {item_id for _, _, item_id, _ in serial} == {
        "hangzhou-new-startup-growth-2014h2",
        "lenovo-southwest-china-standout",
    }
    entries = {  # the files without problems of their own, in each cache alike
        d: {f.name: pickle.loads(f.read_bytes()) for f in (tmp_path / d).glob("*.pkl")}
        for d in ("serial", "parallel")
    }
    assert len(entries["serial"]) == 4 and entries["parallel"] == entries["serial"]
