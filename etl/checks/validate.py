"""Check every seed against its article and the reference data, all problems at once.

``validate_seeds`` returns a ``Corpus`` of rows ready to load, or raises
``ValidationFailed`` listing every problem with file, line, fact id and a hint.
Nothing is written anywhere by this module but the validation cache.

The rules live one family per module beside this one (``register``, ``reference``,
``quotes``, ``surface``, ``resolution``, ``periods``, ``money``, ``facts``, ``duplicates``,
``corrections``); this driver runs them in order and decides which facts files need
checking at all: a file loaded into staging under the same key is carried, a file whose key
is in the cache comes from it, and many changed files are checked on all cores.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import multiprocessing as mp
import os
import pickle
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path

from etl.checks.context import Checks
from etl.checks.corpus import Corpus, Prior
from etl.checks.corrections import check_corrections
from etl.checks.duplicates import Merge
from etl.checks.facts import Item, check_file
from etl.checks.reference import check_reference, finish_reference
from etl.checks.register import check_articles, read_articles
from etl.problems import ValidationFailed
from etl.sources.seed_files import facts_paths, read_any_facts_file

# What the validation of one file depends on besides its inputs: this code and the readers.
CODE_KEY = hashlib.sha256(
    b"".join(
        path.read_bytes()
        for folder in (Path(__file__).parent, Path(__file__).parent.parent / "sources")
        for path in sorted(folder.glob("*.py"))
    )
).hexdigest()[:16]

# Below this, forking costs more than it saves. In a refresh, dbt's warmup takes a core for
# its first 3-4 s (etl/build/dbt.py, DbtWarmup): at 20,000 articles, beside a process that
# kept a core busy, 200 new files took 2.35-2.50 s here against 2.68-2.95 s in workers; 400
# took 3.28 s against 3.23 s.
PARALLEL_MIN_FILES = 400


class Validator:
    """One validation run: the rules' shared state, plus which files need checking."""

    def __init__(
        self,
        seeds_dir: Path,
        cache_dir: Path | None = None,
        prior: Prior | None = None,
        digests: Mapping[str, str] | None = None,
    ):
        self.seeds_dir = seeds_dir
        self.prior = prior
        self.digests = digests or {}
        self.checks = Checks()
        self.cache_dir = cache_dir
        self.cache_keys: set[str] = set()
        self.cache_hits = 0
        self.files_checked = 0
        self.file_keys: dict[Path, str] = {}

    def run(self) -> Corpus:
        checks = self.checks
        with collector_paused():
            check_articles(checks, self.seeds_dir / "articles", self.cache_dir, self.digests)
            ref = check_reference(checks, self.seeds_dir / "reference")
            self.check_facts()
            check_corrections(checks, ref, self.seeds_dir / "reference" / "corrections.yml")
        if checks.problems:
            raise ValidationFailed(checks.problems, root=Path(self.seeds_dir).parent)
        finish_reference(checks, ref)
        checks.corpus.stats = {
            "files_checked": self.files_checked,
            "files_from_cache": self.cache_hits,
            "files_in_staging": len(checks.corpus.carried),
        }
        if self.cache_dir is not None and self.cache_dir.exists():
            for stale in self.cache_dir.glob(
                "*.pkl"
            ):  # facts files' entries (the manifest's is kept)
                if stale.name not in self.cache_keys:
                    stale.unlink(missing_ok=True)
        return checks.corpus

    def check_facts(self) -> None:
        checks, corpus = self.checks, self.checks.corpus
        facts_dir = self.seeds_dir / "facts"
        seen_files: dict[str, Path] = {}
        merge = Merge(checks)
        paths = facts_paths(facts_dir)
        stems = Counter(p.stem for p in paths)
        paths = [p for p in paths if not self._carried(p, stems[p.stem], seen_files)]
        read_articles(checks, skip=corpus.carried)
        # Unchanged files come from the cache in this process; only the others go to workers
        # (sending cached rows through a worker costs more than reading them here).
        cached: dict[Path, list[Item]] = {}
        for path in paths:
            items = self._cached_items(path, self._cache_key(path), seen_files)
            if items is not None:
                cached[path] = items
        checked = self._check_in_parallel([p for p in paths if p not in cached], seen_files)
        try:
            for path in paths:
                if path in cached:
                    items = cached.pop(path)
                elif checked is not None:
                    items = next(checked)  # the workers' results come in the order of the paths
                else:
                    items = self._file_items_and_pickle(path, seen_files)[0]
                for kind, row, evidence, _item_path, line, source_id in items:
                    merge.add(kind, row, evidence, path, line, source_id)
        finally:
            if checked is not None:
                checked.close()  # the workers end now (or on an error), not when it is dropped
        for path in paths:
            if seen_files.get(path.stem) == path:
                corpus.file_keys[path.stem] = (path.name, self._file_key(path))
        for source_id in checks.articles:
            if source_id not in seen_files:
                checks.add(
                    facts_dir / f"{source_id}.yml",
                    0,
                    None,
                    f"source {source_id} has no facts file",
                    "every registered article has a facts file",
                )
        merge.check_against_staging(self.prior, facts_dir)

    def _carried(self, path: Path, same_stem: int, seen_files: dict[str, Path]) -> bool:
        """Whether staging already holds this file's facts, loaded under the same key (and no
        other facts file claims the same source)."""
        source_id = path.stem
        key = self._file_key(path)
        if key is None or self.prior is None or same_stem != 1:
            return False
        if not self.prior.is_loaded(source_id, key):
            return False
        self.checks.corpus.carried.add(source_id)
        self.checks.corpus.file_keys[source_id] = (path.name, key)
        self.cache_keys.add(f"{key}.pkl")  # keep its cache entry: a full run may want it
        seen_files[source_id] = path
        return True

    # -- which files are checked, and where ---------------------------------------------------
    def _file_key(self, path: Path) -> str | None:
        """What a facts file's validation depends on: its bytes, its article, the reference
        data and the validation code. None for an unregistered article."""
        if path in self.file_keys:
            return self.file_keys[path]
        entry = self.checks.articles.get(path.stem)
        if entry is None:
            return None
        own = self.digests.get(str(path)) or hashlib.sha256(path.read_bytes()).hexdigest()
        self.file_keys[path] = key = hashlib.sha256(
            f"{own}|{entry[0].sha256}|{entry[0].published_on}|{self.checks.ref_key}|{CODE_KEY}".encode()
        ).hexdigest()
        return key

    def _cache_key(self, path: Path) -> str | None:
        """The file's key when there is a cache to look it up in."""
        return None if self.cache_dir is None else self._file_key(path)

    def _cached_items(
        self, path: Path, key: str | None, seen_files: dict[str, Path]
    ) -> list[Item] | None:
        """The cached items of a facts file, or None when it must be checked."""
        if key is None:
            return None
        cached = self.cache_dir / f"{key}.pkl"
        self.cache_keys.add(cached.name)
        if not cached.exists():
            return None
        try:
            items = pickle.loads(cached.read_bytes())
        except Exception:  # noqa: BLE001 - a damaged cache entry is simply rebuilt
            cached.unlink(missing_ok=True)
            return None
        seen_files[path.stem] = path
        self.cache_hits += 1
        return items

    def _file_items_and_pickle(
        self, path: Path, seen_files: dict[str, Path]
    ) -> tuple[list[Item], bytes | None]:
        """The validated items of one facts file (from the cache when its key is there), and
        the items pickled when they were written to the cache."""
        key = self._cache_key(path)
        items = self._cached_items(path, key, seen_files)
        if items is not None:
            return items, None
        problems = self.checks.problems
        before = len(problems)
        ff = read_any_facts_file(path, problems)
        if ff is None:
            return [], None
        items = check_file(self.checks, ff, seen_files)
        self.files_checked += 1
        if key is None or len(problems) != before:
            return items, None
        pickled = pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.cache_dir / f".{key}.{os.getpid()}.tmp"
        tmp.write_bytes(pickled)
        tmp.replace(self.cache_dir / f"{key}.pkl")
        return items, pickled

    def _check_in_parallel(
        self, paths: list[Path], seen_files: dict[str, Path]
    ) -> Iterator[list[Item]] | None:
        """Check many files on all cores (forked workers share the reference data and articles):
        each file's items, in the order of ``paths``, as the workers send them, so that they are
        merged while the workers check the files after them. None for a few files, or a machine
        without fork: the caller checks them in this process."""
        workers = min(os.cpu_count() or 1, 4)
        if (
            workers < 2
            or len(paths) < PARALLEL_MIN_FILES
            or "fork" not in mp.get_all_start_methods()
        ):
            return None
        return self._checked_by_workers(paths, seen_files, workers)

    def _checked_by_workers(
        self, paths: list[Path], seen_files: dict[str, Path], workers: int
    ) -> Iterator[list[Item]]:
        global _ACTIVE
        _ACTIVE = self
        try:
            with mp.get_context("fork").Pool(workers) as pool:
                results = pool.imap(
                    _check_file_in_worker, paths, chunksize=max(1, len(paths) // (workers * 8))
                )
                for pickled, problems, seen, stats, keys in results:
                    self.checks.problems.extend(problems)
                    seen_files.update(seen)
                    self.cache_hits += stats[0]
                    self.files_checked += stats[1]
                    self.cache_keys.update(keys)
                    yield pickle.loads(pickled)
        finally:
            _ACTIVE = None


_ACTIVE: Validator | None = None  # the validator forked workers inherit


def _check_file_in_worker(path: Path) -> tuple:
    """In a forked worker: check one file with the inherited validator; return what it found
    and the items pickled (the bytes written to the cache when they were: sent as bytes, they
    are not pickled twice)."""
    v = _ACTIVE
    problems = v.checks.problems
    before_problems, before_hits, before_checked = len(problems), v.cache_hits, v.files_checked
    v.cache_keys = set()
    seen: dict[str, Path] = {}
    items, pickled = v._file_items_and_pickle(path, seen)
    return (
        pickled if pickled is not None else pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL),
        problems[before_problems:],
        seen,
        (v.cache_hits - before_hits, v.files_checked - before_checked),
        v.cache_keys,
    )


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off meanwhile (and in the workers forked meanwhile).

    Validation allocates millions of objects that live on (the rows, the manifest's entries),
    and each time the collector runs it walks all of them again: at 20,000 articles it took
    12-13 s of 65-69 s. What validation drops is freed by reference counting: it makes no
    cycles (tests/unit/checks/test_validate.py checks it), so there is nothing to find."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def validate_seeds(
    seeds_dir: Path,
    cache_dir: Path | None = None,
    prior: Prior | None = None,
    digests: Mapping[str, str] | None = None,
) -> Corpus:
    """Validate the seed folders; return the corpus or raise ``ValidationFailed``.

    With ``cache_dir``, a facts file whose bytes, article, reference data and validation
    code are unchanged since it last validated cleanly is not checked again. With ``prior``,
    a facts file loaded into staging under the same key is not even read: its source is in
    ``corpus.carried``, and the other files' facts are checked against its facts in staging.
    ``digests`` are the seed files' sha256 by path, from the fingerprint of the same run (which
    reuses a digest while a file's size and mtime are unchanged, as git does).
    """
    return Validator(Path(seeds_dir), cache_dir, prior, digests).run()
