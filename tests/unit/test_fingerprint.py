"""The input fingerprint: any content change changes it; the stat cache never hides one."""

import os

from etl.fingerprint import input_fingerprint
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
