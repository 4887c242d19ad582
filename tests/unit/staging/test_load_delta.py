"""Loading only the changed facts files: the same staging as loading every file, and the
checks across files still made against the unchanged files' facts in staging."""

from __future__ import annotations

import hashlib
import re

import duckdb
import pytest

from etl.build.fingerprint import SeedDigests, input_fingerprint
from etl.checks.validate import validate_seeds
from etl.problems import ValidationFailed
from etl.settings import Settings
from etl.staging import load, migrate
from tests.helpers import edit

# loaded_source without the run that loaded each file: loading all files reloads every one
TABLES = {t: "*" for t in load.DATA_TABLES} | {"loaded_source": "source_id, facts_file, load_key"}
INLAND = "facts/inland-innovation-2022.yml"
LENOVO = "facts/lenovo-baidu-southwest-2020.yml"
WUHAN = "facts/wuhan-valleys-rebound-2021.yml"


def snapshot(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            t: con.execute(f"select {cols} from {t} order by all").fetchall()
            for t, cols in TABLES.items()
        }
    finally:
        con.close()


def load_changed(staging, seeds, run_id):
    """What a refresh does: validate against what staging holds, with the seed files' digests
    from the fingerprint (articles of carried sources are then not read), then load the
    difference."""
    digests = SeedDigests()
    input_fingerprint(Settings(seeds_dir=seeds, warehouse_dir=staging.parent), False, digests)
    prior = load.StagingPrior.open(staging)
    try:
        corpus = validate_seeds(seeds, prior=prior, digests=digests)
    finally:
        prior.close()
    # the sources whose article was not read (the load empties the corpus's lists)
    corpus.stats["unread"] = {r["source_id"] for r in corpus.sources if r["body"] is None}
    return corpus, load.load_corpus(staging, corpus, run_id, "fp", consume=True)


def load_all(staging, seeds, run_id):
    return load.load_corpus(staging, validate_seeds(seeds), run_id, "fp", consume=True)


def remove_block(seeds, rel, fact_id):
    """Delete one fact (its ``- id:`` item up to the next item or section) from a YAML file."""
    path = seeds / rel
    text = path.read_text(encoding="utf-8")
    pattern = rf"\n  - id: {re.escape(fact_id)}\n.*?(?=\n  - id: |\n[a-z]+:|\Z)"
    new, n = re.subn(pattern, "", text, count=1, flags=re.S)
    assert n == 1, fact_id
    path.write_text(new, encoding="utf-8")


def append_to_article(seeds, source_id, text):
    """Add text at the end of an article (its quotes stay where they are) and give the
    manifest its new sha256."""
    article = seeds / "articles" / f"{source_id}.txt"
    before = hashlib.sha256(article.read_bytes()).hexdigest()
    article.write_bytes(article.read_bytes() + text.encode("utf-8"))
    edit(seeds, "articles/manifest.yml", before, hashlib.sha256(article.read_bytes()).hexdigest())


def remove_article(seeds, source_id):
    manifest = seeds / "articles" / "manifest.yml"
    text = manifest.read_text(encoding="utf-8")
    new, n = re.subn(
        rf"\n  - source_id: {re.escape(source_id)}\n.*?(?=\n  - source_id: |\Z)",
        "",
        text,
        flags=re.S,
    )
    assert n == 1
    manifest.write_text(new, encoding="utf-8")
    (seeds / "articles" / f"{source_id}.txt").unlink()
    (seeds / "facts" / f"{source_id}.yml").unlink()


@pytest.fixture
def two_stagings(tmp_path):
    paths = tmp_path / "changed.duckdb", tmp_path / "all.duckdb"
    for p in paths:
        migrate.upgrade(p)
    return paths


def test_loading_changed_files_only_leaves_staging_as_loading_all(two_stagings, seeds_copy):
    changed, everything = two_stagings
    steps = [
        ("nothing yet", lambda s: None),
        (
            "one fact changed",
            lambda s: edit(
                s, WUHAN, "value_type: actual", "value_type: actual\n    notes: A new note.", 1
            ),
        ),
        (
            "one source no longer states a shared fact",
            lambda s: remove_block(s, INLAND, "lenovo-southwest-china-standout"),
        ),
        (
            "a fact removed",
            lambda s: remove_block(s, LENOVO, "yuzhong-blockchain-base-companies-2020"),
        ),
        (
            # the source's facts file and article are unchanged: carried, its text not read
            "an article's title edited",
            lambda s: edit(
                s,
                "articles/manifest.yml",
                "Wuhan roars back and eyes new high-tech valleys",
                "Wuhan roars back, eyeing new high-tech valleys",
            ),
        ),
        (
            # its text is compared by its sha256: the new text must land
            "an article's text extended",
            lambda s: append_to_article(s, "wuhan-valleys-rebound-2021", "\nA later line.\n"),
        ),
        ("an article removed", lambda s: remove_article(s, "lenovo-baidu-southwest-2020")),
    ]
    for n, (what, change) in enumerate(steps, start=1):
        change(seeds_copy)
        corpus, delta = load_changed(changed, seeds_copy, f"run-{n}")
        full = load_all(everything, seeds_copy, f"run-{n}")
        assert delta.changes == full.changes, what
        assert delta.row_counts == full.row_counts, what
        assert snapshot(changed) == snapshot(everything), what
        if n > 1:  # only the files changed since the last load were read
            assert corpus.stats["files_in_staging"] >= 3, what
            # and only their articles: the carried sources' text is staging's
            assert corpus.stats["unread"] == corpus.carried, what
    # the shared statement went with its last source; its revision history says so
    con = duckdb.connect(str(changed), read_only=True)
    [(body,)] = con.execute(
        "select body from source where source_id = 'wuhan-valleys-rebound-2021'"
    ).fetchall()
    assert body.endswith("\nA later line.\n")
    [(change,)] = con.execute(
        "select arg_max(change, revision) from fact_revision "
        "where fact_id = 'lenovo-southwest-china-standout'"
    ).fetchall()
    con.close()
    assert change == "removed"


def test_unchanged_sources_are_not_read_again(two_stagings, seeds_copy):
    staging, _ = two_stagings
    _, first = load_changed(staging, seeds_copy, "run-1")
    corpus, result = load_changed(staging, seeds_copy, "run-2")
    assert corpus.stats["files_in_staging"] == 5 and corpus.stats["files_checked"] == 0
    assert corpus.numbers == corpus.relations == corpus.statements == corpus.evidence == []
    assert result.changes == {**first.changes, "added": 0, "unchanged": first.changes["added"]}
    edit(seeds_copy, WUHAN, "value_type: actual", "value_type: actual\n    notes: A new note.", 1)
    corpus, result = load_changed(staging, seeds_copy, "run-3")
    assert corpus.carried == {p.stem for p in (seeds_copy / "facts").glob("*.yml")} - {
        "wuhan-valleys-rebound-2021"
    }
    assert result.changes["changed"] == 1 and result.changes["removed"] == 0
    con = duckdb.connect(str(staging), read_only=True)
    runs = dict(con.execute("select source_id, loaded_run_id from loaded_source").fetchall())
    con.close()
    assert runs.pop("wuhan-valleys-rebound-2021") == "run-3"
    assert set(runs.values()) == {"run-1"}  # the others were loaded by the first run only


def test_a_clash_with_an_unchanged_file_is_found_in_staging(two_stagings, seeds_copy):
    staging, _ = two_stagings
    load_changed(staging, seeds_copy, "run-1")
    before = snapshot(staging)
    # the statement both Lenovo articles carry, changed in one file only
    edit(seeds_copy, LENOVO, "speaker_role: vice-president of Lenovo", "speaker_role: president")
    with pytest.raises(ValidationFailed) as info:
        load_changed(staging, seeds_copy, "run-2")
    [problem] = info.value.problems
    assert problem.item_id == "lenovo-southwest-china-standout"
    assert "inland-innovation-2022.yml:236" in problem.message and "speaker_role" in problem.message
    assert snapshot(staging) == before


def test_investments_across_files_are_checked_against_staging(two_stagings, seeds_copy):
    staging, _ = two_stagings
    # a relation in one article pointing at an investment stated in another: valid
    relation = """
  - id: lenovo-southwest-remarks
    firm: lenovo
    place: southwest_china
    presence_type: local_business_unit
    status: operating
    period: as_of
    investment: lenovo-chongqing-5g-hq-investment
    quote: "Wei Jianqiang, vice-president of Lenovo, said"
"""
    path = seeds_copy / INLAND
    text = path.read_text(encoding="utf-8")
    assert "\nrelations:\n" in text
    path.write_text(text.replace("\nrelations:\n", "\nrelations:\n" + relation, 1), "utf-8")
    load_changed(staging, seeds_copy, "run-1")
    before = snapshot(staging)
    # the investment changes firm in its own file; the unchanged file's relation is caught
    edit(
        seeds_copy,
        LENOVO,
        "metric: investment\n    place: liangjiang_new_area\n    firm: lenovo",
        "metric: investment\n    place: liangjiang_new_area\n    firm: baidu",
    )
    with pytest.raises(ValidationFailed) as info:
        load_changed(staging, seeds_copy, "run-2")
    where = {(p.path.name, p.item_id) for p in info.value.problems}
    assert ("inland-innovation-2022.yml", "lenovo-southwest-remarks") in where
    assert ("lenovo-baidu-southwest-2020.yml", "lenovo-5g-hq-liangjiang") in where
    assert snapshot(staging) == before
    # a changed relation pointing at an unchanged file's investment of another firm
    edit(seeds_copy, LENOVO, "firm: baidu", "firm: lenovo")
    edit(
        seeds_copy,
        INLAND,
        "investment: lenovo-chongqing-5g-hq-investment",
        "investment: apple-guiyang-data-centre-investment",
    )
    with pytest.raises(ValidationFailed, match="must be an 'investment' fact of firm lenovo"):
        load_changed(staging, seeds_copy, "run-3")
    assert snapshot(staging) == before
