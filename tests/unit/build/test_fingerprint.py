"""The input fingerprint: any content change changes it; the stat cache never hides one."""

import os
from pathlib import Path

from etl.build.fingerprint import SeedDigests, input_fingerprint
from etl.settings import Settings
from tests.helpers import edit


def test_fingerprint_follows_content_with_and_without_cache(seeds_copy, tmp_path):
    settings = Settings(seeds_dir=seeds_copy, warehouse_dir=tmp_path / "wh")
    first = input_fingerprint(settings)
    assert input_fingerprint(settings) == first == input_fingerprint(settings, use_cache=False)
    edit(
        seeds_copy,
        "facts/rising-tech-hubs-2017.yml",
        "    notes: From a report",
        "    notes: Per a report",
    )
    changed = input_fingerprint(settings)
    assert changed != first and changed == input_fingerprint(settings, use_cache=False)
    # same size, same mtime, different bytes: only a full hash sees it; the cache is keyed on both
    path = seeds_copy / "facts" / "rising-tech-hubs-2017.yml"
    st = path.stat()
    path.write_text(path.read_text().replace("Per a report", "Per a rapport"[:12] + "t"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    assert input_fingerprint(settings) == input_fingerprint(settings, use_cache=False)
    assert input_fingerprint(
        Settings(seeds_dir=seeds_copy, warehouse_dir=tmp_path / "wh", storage_version="v1.2.0")
    ) != input_fingerprint(settings)


def test_published_fingerprint_is_cached_until_another_file_is_renamed_in(tmp_path):
    import os

    import duckdb

    from etl.build.publish import published_fingerprint

    def build(path, fingerprint):
        con = duckdb.connect(str(path))
        con.execute("create table warehouse_build as select ? as input_fingerprint", [fingerprint])
        con.close()

    published, built = tmp_path / "tech_hubs.duckdb", tmp_path / "new.duckdb"
    build(published, "first")
    assert published_fingerprint(published) == "first"
    assert (tmp_path / ".cache" / "published.json").exists()
    assert published_fingerprint(published) == "first"  # from the cache
    build(built, "second")
    os.replace(built, published)  # as a publish or a rollback does
    assert published_fingerprint(published) == "second"
    published.unlink()
    assert published_fingerprint(published) is None


def test_validation_keys_files_by_the_fingerprints_digests(seeds_copy, tmp_path):
    import hashlib

    from etl.checks.validate import validate_seeds

    settings = Settings(seeds_dir=seeds_copy, warehouse_dir=tmp_path / "wh")
    digests = SeedDigests()
    input_fingerprint(settings, seed_digests=digests)
    facts = seeds_copy / "facts" / "inland-innovation-2022.yml"
    assert digests[str(facts)] == hashlib.sha256(facts.read_bytes()).hexdigest()
    assert str(seeds_copy / "articles" / "manifest.yml") in digests
    without = validate_seeds(seeds_copy).file_keys
    assert validate_seeds(seeds_copy, digests=digests).file_keys == without
    # the digest given is the one used (the file is not read again for its key)
    other = validate_seeds(seeds_copy, digests={**digests, str(facts): "0" * 64}).file_keys
    assert other["inland-innovation-2022"] != without["inland-innovation-2022"]
    assert {k: v for k, v in other.items() if k != "inland-innovation-2022"} == {
        k: v for k, v in without.items() if k != "inland-innovation-2022"
    }


def test_the_digest_cache_is_rewritten_only_when_a_file_changed(seeds_copy, tmp_path):
    settings = Settings(seeds_dir=seeds_copy, warehouse_dir=tmp_path / "wh")
    first = input_fingerprint(settings)
    cache = tmp_path / "wh" / ".cache" / "fingerprint.pickle"
    written = cache.stat().st_mtime_ns
    os.utime(cache, ns=(written - 10**9, written - 10**9))  # a second earlier: a rewrite shows
    assert input_fingerprint(settings) == first
    assert cache.stat().st_mtime_ns == written - 10**9
    (seeds_copy / "facts" / "rising-tech-hubs-2017.yml").unlink()
    assert input_fingerprint(settings) != first
    assert cache.stat().st_mtime_ns != written - 10**9
    cache.write_bytes(b"not a pickle")  # a damaged cache: every file is hashed again
    assert input_fingerprint(settings) == input_fingerprint(settings, use_cache=False)


def test_an_unchanged_file_list_takes_the_cached_result_as_it_is(seeds_copy, tmp_path):
    import pickle

    settings = Settings(seeds_dir=seeds_copy, warehouse_dir=tmp_path / "wh")
    first = input_fingerprint(settings)
    cache = tmp_path / "wh" / ".cache" / "fingerprint.pickle"
    data = pickle.loads(cache.read_bytes())
    # the cached result is used without looking at any file's digest: tamper with it to see
    cache.write_bytes(pickle.dumps({**data, "combined": "0" * 64}))
    tampered = input_fingerprint(settings)
    assert tampered != first
    # a file touched (same bytes, new mtime) leaves the list unequal: each file is checked
    # again, and its digest recomputed
    path = seeds_copy / "facts" / "rising-tech-hubs-2017.yml"
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    assert input_fingerprint(settings) == first == input_fingerprint(settings, use_cache=False)
    # a cache in the format of an earlier version is not an error
    cache.write_bytes(pickle.dumps({"seeds/x": (1, 2, "0" * 64)}))
    assert input_fingerprint(settings) == first


def test_seed_digests_are_built_only_when_read(seeds_copy, tmp_path):

    import hashlib

    settings = Settings(seeds_dir=seeds_copy, warehouse_dir=tmp_path / "wh")
    lazy = SeedDigests()
    assert input_fingerprint(settings, seed_digests=lazy) == input_fingerprint(settings)
    assert lazy._by_path is None  # a refresh with nothing to do stops here
    # every seed file, by its path, with the sha256 of its bytes
    files = {str(p) for p in seeds_copy.rglob("*") if p.is_file()}
    assert set(lazy) == files and len(lazy) == len(files) > 5
    assert all(lazy[p] == hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in files)
