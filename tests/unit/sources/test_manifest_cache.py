"""The article manifest parsed entry by entry, unchanged entries from a cache: always the
same result as parsing the whole file, line numbers included, and the same problems."""

from __future__ import annotations

import shutil

import pytest

from etl.curation.synth import synth
from etl.sources.seed_files import load_yaml, load_yaml_list_cached, read_manifest
from tests.conftest import SEEDS


@pytest.fixture
def manifest(tmp_path):
    seeds = tmp_path / "seeds"
    synth(seeds, 30, 7, SEEDS / "reference")
    return seeds / "articles" / "manifest.yml"


def test_entry_by_entry_equals_whole_file(manifest, tmp_path):
    cache = tmp_path / "cache"
    whole = load_yaml(manifest)
    assert load_yaml_list_cached(manifest, "articles", cache) == whole  # parses, fills the cache
    assert list(cache.iterdir())
    assert load_yaml_list_cached(manifest, "articles", cache) == whole  # from the cache
    real = SEEDS / "articles" / "manifest.yml"  # comments, folded text, nulls
    assert load_yaml_list_cached(real, "articles", cache) == load_yaml(real)


def test_a_changed_entry_is_parsed_again(manifest, tmp_path):
    cache = tmp_path / "cache"
    load_yaml_list_cached(manifest, "articles", cache)
    text = manifest.read_text(encoding="utf-8")
    text = text.replace('title: "Synthetic report 3"', 'title: "Report three"\n    # a note', 1)
    manifest.write_text(text, encoding="utf-8")
    result = load_yaml_list_cached(manifest, "articles", cache)
    assert result == load_yaml(manifest)
    assert result["articles"][3]["title"] == "Report three"
    # entries after it moved down a line; their line numbers follow
    assert result["articles"][4]["__line__"] == load_yaml(manifest)["articles"][4]["__line__"]


def test_a_moved_manifest_keeps_its_cache(manifest, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    load_yaml_list_cached(manifest, "articles", cache)
    moved = tmp_path / "elsewhere" / "manifest.yml"
    moved.parent.mkdir()
    shutil.copy(manifest, moved)
    whole = load_yaml(moved)
    import etl.sources.seed_files

    parsed = []
    real_load = etl.sources.seed_files.yaml.load
    monkeypatch.setattr(
        etl.sources.seed_files.yaml, "load", lambda *a, **k: parsed.append(1) or real_load(*a, **k)
    )
    assert load_yaml_list_cached(moved, "articles", cache) == whole
    assert len(parsed) == 1  # the text before the first entry only; each entry came from the cache


@pytest.mark.parametrize(
    "change",
    [
        ("    title_basis: stated\n", "    title_basis: [stated\n"),  # malformed YAML
        ("articles:\n", "other: 1\narticles:\n"),  # another top-level key
        ("  - source_id: synth-000001\n", "  - &one source_id: synth-000001\n"),  # an anchor
    ],
)
def test_anything_unusual_is_read_whole_with_the_same_problems(manifest, tmp_path, change):
    cache = tmp_path / "cache"
    read_manifest(manifest.parent, [], cache)  # a warm cache
    text = manifest.read_text(encoding="utf-8")
    assert change[0] in text
    manifest.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    cached_problems, plain_problems = [], []
    cached = read_manifest(manifest.parent, cached_problems, cache)
    plain = read_manifest(manifest.parent, plain_problems)
    assert cached == plain
    assert [p.render() for p in cached_problems] == [p.render() for p in plain_problems]
    shutil.rmtree(cache)


def test_validation_keeps_the_manifest_cache(manifest, tmp_path):
    from etl.checks.validate import validate_seeds

    cache = tmp_path / "cache"
    validate_seeds(manifest.parent.parent, cache)
    assert len(list(cache.glob("yaml-items-*"))) == 1  # the next refresh parses new entries only
    validate_seeds(manifest.parent.parent, cache)
    assert len(list(cache.glob("yaml-items-*"))) == 1


def test_nested_values_and_keys_after_the_list_read_as_a_whole_parse(manifest, tmp_path):
    cache = tmp_path / "cache"
    load_yaml_list_cached(manifest, "articles", cache)  # a warm cache
    text = manifest.read_text(encoding="utf-8")
    # a nested mapping and list in one entry: their line numbers move with the entry
    nested = "    title_basis: stated\n    extra:\n      - note: one\n        more: two\n"
    text = text.replace("    title_basis: stated\n", nested, 2)
    manifest.write_text(text, encoding="utf-8")
    assert load_yaml_list_cached(manifest, "articles", cache) == load_yaml(manifest)
    assert load_yaml_list_cached(manifest, "articles", cache) == load_yaml(manifest)  # cached
    # a top-level key after the list: the file is read whole
    manifest.write_text(text + "other: 1\n", encoding="utf-8")
    assert load_yaml_list_cached(manifest, "articles", cache) == load_yaml(manifest)
    assert "other" in load_yaml_list_cached(manifest, "articles", cache)
