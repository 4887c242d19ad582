"""Check every seed against its article and the reference data, all problems at once.

``validate_seeds`` returns a ``Corpus`` of rows ready to load, or raises
``ValidationFailed`` listing every problem with file, line, fact id and a hint.
Nothing is written anywhere by this module.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import gc
import hashlib
import multiprocessing as mp
import os
import pickle
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from etl.problems import Problem, ValidationFailed
from etl.sources.numbers import SCALES, NumberParseError, matches_stated, parse_number
from etl.sources.periods import Period, PeriodError, StatementDate, resolve_period
from etl.sources.seed_files import (
    LINE_KEY,
    METRIC_KINDS,
    PLACE_TYPES,
    ArticleEntry,
    FactsFile,
    NumberFact,
    Reference,
    RelationFact,
    StatementFact,
    facts_paths,
    read_any_facts_file,
    read_manifest,
    read_reference,
)

# What the validation of one file depends on besides its inputs: this code.
CODE_KEY = hashlib.sha256(
    b"".join(
        path.read_bytes()
        for folder in (Path(__file__).parent, Path(__file__).parent.parent / "sources")
        for path in sorted(folder.glob("*.py"))
    )
).hexdigest()[:16]
FX_TOLERANCE = 0.05  # an article's implied CNY/USD rate may differ this much from the series
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass
class Corpus:
    """Validated rows, one list per staging table."""

    sources: list[dict[str, Any]] = field(default_factory=list)
    places: list[dict[str, Any]] = field(default_factory=list)
    firms: list[dict[str, Any]] = field(default_factory=list)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    fx_rates: list[dict[str, Any]] = field(default_factory=list)
    fx_series: list[dict[str, Any]] = field(default_factory=list)
    corrections: list[dict[str, Any]] = field(default_factory=list)
    numbers: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    statements: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)
    # Sources whose facts staging already holds as validated (their files and everything they
    # depend on are unchanged since they were loaded): none of their rows are in the lists above.
    carried: set[str] = field(default_factory=set)
    # source_id -> (facts file name, the key of its bytes, article, reference data and the
    # validation code), for every source with a valid facts file
    file_keys: dict[str, tuple[str, str]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in vars(self).items() if isinstance(rows, list)}


class Prior(Protocol):
    """What a previous load left in staging (``etl.staging.load.StagingPrior``). With it, a facts file
    whose key is the one it was loaded under is neither read nor loaded again, and the facts of
    the changed files are checked against the unchanged ones in staging."""

    def is_loaded(self, source_id: str, file_key: str) -> bool: ...

    def facts(self, fact_ids: list[str], carried: set[str]) -> dict[str, dict[str, Any]]:
        """Facts evidenced by a carried source: the row plus ``kind``, ``facts_file`` and
        ``facts_line`` of one place it is stated."""
        ...

    def open_investments(self, carried: set[str]) -> list[dict[str, Any]]:
        """Relations of carried sources whose investment fact no carried source states: each
        with ``fact_id``, ``investment_fact_id``, ``firm_id``, ``facts_file``, ``facts_line``."""
        ...


def normalise_ws(text: str) -> str:
    return " ".join(text.split())


class ArticleText:
    """An article's text with a whitespace-normalised view that maps back to offsets.

    Built with one regex pass (not a loop per character), so a corpus of tens of
    thousands of articles indexes in seconds.
    """

    _WS = re.compile(r"\s+")
    _RUNS = re.compile(r"\s{2,}")

    def __init__(self, text: str | None, path: str | None = None):
        """``text``, or None to read it from ``path`` when first used (an article whose
        sha256 the fingerprint already knows, and whose facts staging holds, is not read)."""
        self._text, self.path = text, path
        self._built = False

    @property
    def text(self) -> str:
        if self._text is None:
            with open(self.path, "rb") as fh:
                self._text = fh.read().decode("utf-8")
        return self._text

    def _build(self) -> None:
        """Index the text on first use: an article whose facts come from the cache is never indexed."""
        self._built = True
        lead = len(self.text) - len(self.text.lstrip())
        body = self.text.strip()
        self.normalised = self._WS.sub(" ", body)
        # A single whitespace character becomes one space: no shift. A longer run shifts what
        # follows it left by its length minus one, so only those runs need a breakpoint: the
        # normalised position and the original position of the text after the run.
        self._norm_starts = [0]
        self._orig_starts = [lead]
        shrink = 0
        for m in self._RUNS.finditer(body):
            a, b = m.span()
            shrink += b - a - 1
            self._norm_starts.append(b - shrink)
            self._orig_starts.append(lead + b)

    def _orig(self, norm_index: int) -> int:
        """The original offset of the character at ``norm_index`` of the normalised text."""
        i = bisect.bisect_right(self._norm_starts, norm_index) - 1
        delta = norm_index - self._norm_starts[i]
        # within a run of text offsets advance together; a normalised space maps to the run's first blank
        return self._orig_starts[i] + delta

    def find(self, quote: str) -> tuple[int, int] | None:
        """Character offsets [start, end) of the quote in the original text, or None."""
        if not self._built:
            self._build()
        needle = normalise_ws(quote)
        if not needle:
            return None
        pos = self.normalised.find(needle)
        if pos < 0:
            return None
        return self._orig(pos), self._orig(pos + len(needle) - 1) + 1


@functools.lru_cache(maxsize=64)
def _keys_repr(keys: tuple[str, ...]) -> str:
    return repr(keys)


def content_hash(row: dict[str, Any]) -> str:
    """A digest of a validated row: its keys in order, then its values (str, float, int, date
    or None: a stable repr). The keys' repr is made once per kind of row; repr of the
    sorted items, as before, cost 21 us a row, a fifth of a fact's validation."""
    payload = _keys_repr(tuple(row)) + repr(tuple(row.values()))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def _hint_for_missing_quote(article: ArticleText, quote: str) -> str:
    words = normalise_ws(quote).split(" ")
    # Find the longest prefix of the quote that does occur, to point at the first difference.
    lo, hi = 0, len(words)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if article.normalised.find(" ".join(words[:mid])) >= 0:
            lo = mid
        else:
            hi = mid - 1
    if lo == 0:
        return "no part of the quote's start occurs in the article; copy the sentence from the article file"
    return (
        f"the article has the first {lo} word(s) but then differs at {' '.join(words[lo : lo + 3])!r}; "
        "copy it from the article (mind curly quotes and apostrophes)"
    )


class _Validator:
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
        self.problems: list[Problem] = []
        self.corpus = Corpus()
        self.articles: dict[str, tuple[ArticleEntry, ArticleText, StatementDate]] = {}
        self.places: dict[str, dict[str, Any]] = {}
        self.firms: dict[str, dict[str, Any]] = {}
        self.metrics: dict[str, dict[str, Any]] = {}
        self.fx: dict[int, float] = {}
        self.fx_series_id: str | None = None
        self.cache_dir = cache_dir
        self.cache_keys: set[str] = set()
        self.cache_hits = 0
        self.files_checked = 0
        self.ref_key = ""
        self.file_keys: dict[Path, str] = {}

    def add(
        self, path: Path, line: int, item_id: str | None, message: str, hint: str | None = None
    ) -> None:
        self.problems.append(Problem(path, line, item_id, message, hint))

    # -- sources ---------------------------------------------------------------------------
    def check_articles(self) -> None:
        articles_dir = self.seeds_dir / "articles"
        manifest_path = articles_dir / "manifest.yml"
        entries = read_manifest(articles_dir, self.problems, self.cache_dir)
        registered: set[str] = set()
        folder = str(articles_dir)  # plain strings: a Path per article cost 0.2 s at 20,000
        for entry in entries:
            if entry.source_id in self.articles:
                self.add(manifest_path, entry.line, entry.source_id, "source_id registered twice")
                continue
            if not _SLUG.match(entry.source_id):
                self.add(
                    manifest_path,
                    entry.line,
                    entry.source_id,
                    "source_id must be lower case letters, digits, - and _",
                )
            registered.add(entry.file)
            file_path = os.path.join(folder, entry.file)
            # The fingerprint of this run hashed the file (or knew it unchanged by size and
            # mtime): it is read later, only if its facts or its staging row need the text.
            actual = self.digests.get(file_path)
            data = None
            if actual is None:
                try:
                    with open(file_path, "rb") as fh:
                        data = fh.read()  # read once: hashed, then decoded
                except (FileNotFoundError, IsADirectoryError):
                    self.add(
                        manifest_path,
                        entry.line,
                        entry.source_id,
                        f"article file {entry.file} is missing",
                    )
                    continue
                actual = hashlib.sha256(data).hexdigest()
            if actual != entry.sha256:
                self.add(
                    Path(file_path),
                    0,
                    entry.source_id,
                    f"article bytes changed: sha256 is {actual}, the manifest says {entry.sha256}",
                    "articles are immutable snapshots; restore the original bytes, or register the new "
                    "text as a new source with its own manifest entry",
                )
                continue
            text = None
            if data is not None:
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError as exc:
                    self.add(Path(file_path), 0, entry.source_id, f"article is not UTF-8: {exc}")
                    continue
            try:
                stated = StatementDate.parse(entry.published_on)
            except PeriodError as exc:
                self.add(manifest_path, entry.line, entry.source_id, str(exc))
                continue
            if stated.precision != entry.published_precision:
                self.add(
                    manifest_path,
                    entry.line,
                    entry.source_id,
                    f"published_on {entry.published_on!r} has precision {stated.precision}, "
                    f"but published_precision says {entry.published_precision}",
                )
            self.articles[entry.source_id] = (entry, ArticleText(text, file_path), stated)
            self.corpus.sources.append(
                {
                    "source_id": entry.source_id,
                    "file_name": entry.file,
                    "origin_file": entry.origin_file,
                    "title": entry.title,
                    "title_basis": entry.title_basis,
                    "publisher": entry.publisher,
                    "publisher_basis": entry.publisher_basis,
                    "published_on": entry.published_on,
                    "published_precision": entry.published_precision,
                    "published_basis": entry.published_basis,
                    "published_reason": " ".join(entry.published_reason.split()),
                    "statement_date": stated.date,
                    "url": entry.url,
                    "licence": entry.licence,
                    "licence_basis": entry.licence_basis,
                    "sha256": entry.sha256,
                    # None until read (_read_articles); a carried source's stay None:
                    # staging has its text, whose bytes have the same sha256
                    "char_count": None if text is None else len(text),
                    "body": text,
                }
            )
        # one scandir, not a Path per file: 20,000 articles
        with os.scandir(articles_dir) as found:
            unregistered = sorted(
                e.name
                for e in found
                if e.name not in registered
                and e.name != "manifest.yml"
                and not e.name.startswith(".")
                and not e.is_dir()
            )
        for name in unregistered:
            self.add(
                articles_dir / name,
                0,
                None,
                "article file is not in the manifest",
                "register it with its title, publisher, date and sha256 in manifest.yml",
            )

    # -- reference -------------------------------------------------------------------------
    def check_reference(self) -> Reference:
        ref_dir = self.seeds_dir / "reference"
        ref = read_reference(ref_dir, self.problems)
        ref_digest = hashlib.sha256()
        for f in sorted(ref_dir.glob("*")):
            if f.is_file():
                ref_digest.update(f.name.encode() + b"\0" + f.read_bytes())
        self.ref_key = ref_digest.hexdigest()
        places_path = ref_dir / "places.csv"
        for row in ref.places:
            pid = row.get("place_id")
            if not pid or pid in self.places:
                self.add(places_path, row[LINE_KEY], pid, "place_id missing or repeated")
                continue
            self.places[pid] = row
        for row in ref.places:
            line, pid = row[LINE_KEY], row.get("place_id")
            if row.get("place_type") not in PLACE_TYPES:
                self.add(
                    places_path,
                    line,
                    pid,
                    f"place_type {row.get('place_type')!r} is not one of {', '.join(PLACE_TYPES)}",
                )
            parent = row.get("parent_place_id")
            if parent and parent not in self.places:
                self.add(places_path, line, pid, f"parent_place_id {parent!r} is not a place")
            for col in ("latitude", "longitude"):
                if row.get(col) is not None:
                    try:
                        row[col] = float(row[col])
                    except ValueError:
                        self.add(places_path, line, pid, f"{col} {row[col]!r} is not a number")
            row["is_provincial_capital"] = str(row.get("is_provincial_capital")).lower() == "true"
        # Detect cycles in the parent chain.
        for pid in self.places:
            seen, cur = set(), pid
            while cur:
                if cur in seen:
                    self.add(
                        places_path,
                        self.places[pid][LINE_KEY],
                        pid,
                        "parent_place_id forms a cycle",
                    )
                    break
                seen.add(cur)
                cur = self.places.get(cur, {}).get("parent_place_id")
        firms_path = ref_dir / "firms.csv"
        for row in ref.firms:
            fid = row.get("firm_id")
            if not fid or fid in self.firms:
                self.add(firms_path, row[LINE_KEY], fid, "firm_id missing or repeated")
                continue
            if row.get("hq_place_id") and row["hq_place_id"] not in self.places:
                self.add(
                    firms_path,
                    row[LINE_KEY],
                    fid,
                    f"hq_place_id {row['hq_place_id']!r} is not a place",
                )
            self.firms[fid] = row
        metrics_path = ref_dir / "metrics.csv"
        for row in ref.metrics:
            mid = row.get("metric_id")
            if not mid or mid in self.metrics:
                self.add(metrics_path, row[LINE_KEY], mid, "metric_id missing or repeated")
                continue
            if row.get("metric_kind") not in METRIC_KINDS:
                self.add(
                    metrics_path,
                    row[LINE_KEY],
                    mid,
                    f"metric_kind {row.get('metric_kind')!r} is not one of {', '.join(METRIC_KINDS)}",
                )
            if str(row.get("is_flow")).lower() not in ("true", "false"):
                self.add(metrics_path, row[LINE_KEY], mid, "is_flow must be true or false")
            row["is_flow"] = str(row.get("is_flow")).lower() == "true"
            for col in ("metric_name", "unit", "description"):
                if not row.get(col):
                    self.add(metrics_path, row[LINE_KEY], mid, f"{col} is empty")
            self.metrics[mid] = row
        fx_path = ref_dir / "fx_rates.csv"
        series_ids = {s.get("series_id") for s in ref.fx_series}
        if len(series_ids) != 1:
            self.add(
                ref_dir / "fx_series.yml", 1, None, "exactly one exchange-rate series must be named"
            )
        self.fx_series_id = next(iter(series_ids), None)
        for row in ref.fx_rates:
            try:
                year, rate = int(row["year"]), float(row["cny_per_usd"])
                if rate <= 0:
                    raise ValueError("not positive")
            except (TypeError, ValueError, KeyError):
                self.add(
                    fx_path,
                    row[LINE_KEY],
                    None,
                    "year must be an integer and cny_per_usd a positive number",
                )
                continue
            if row.get("series_id") != self.fx_series_id:
                self.add(
                    fx_path,
                    row[LINE_KEY],
                    None,
                    f"series_id {row.get('series_id')!r} is not the named series",
                )
                continue
            if year in self.fx:
                self.add(fx_path, row[LINE_KEY], None, f"year {year} appears twice")
            self.fx[year] = rate
        return ref

    # -- facts -----------------------------------------------------------------------------
    def _place_firm(self, path: Path, fact: Any, place: str | None, firm: str | None) -> None:
        if place is not None and place not in self.places:
            self.add(
                path,
                fact.line,
                fact.id,
                f"unknown place {place!r}",
                "use a place_id from seeds/reference/places.csv, or add the place there",
            )
        if firm is not None and firm not in self.firms:
            self.add(
                path,
                fact.line,
                fact.id,
                f"unknown firm {firm!r}",
                "use a firm_id from seeds/reference/firms.csv, or add the firm there",
            )
        if place is None and firm is None:
            self.add(path, fact.line, fact.id, "a fact needs a place, a firm or both")

    def _evidence(
        self, path: Path, fact: Any, source_id: str, article: ArticleText
    ) -> dict[str, Any] | None:
        span = article.find(fact.quote)
        if span is None:
            self.add(
                path,
                fact.line,
                fact.id,
                "quote not found in the article (whitespace-normalised)",
                _hint_for_missing_quote(article, fact.quote),
            )
            return None
        return {
            "fact_id": fact.id,
            "source_id": source_id,
            "quote": fact.quote,
            "evidence_start": span[0],
            "evidence_end": span[1],
            "facts_file": path.name,
            "facts_line": fact.line,
        }

    def _period(self, path: Path, fact: Any, spec: Any, stated: StatementDate) -> Period | None:
        if isinstance(spec, dict):
            spec = {k: v for k, v in spec.items() if k != LINE_KEY}
        try:
            period = resolve_period(spec, stated)
        except PeriodError as exc:
            self.add(path, fact.line, fact.id, f"period: {exc}")
            return None
        if period.end < period.start:
            self.add(
                path,
                fact.line,
                fact.id,
                f"period ends ({period.end}) before it starts ({period.start})",
            )
            return None
        return period

    def check_number(
        self,
        path: Path,
        fact: NumberFact,
        source_id: str,
        article: ArticleText,
        stated: StatementDate,
    ) -> dict[str, Any] | None:
        ok = True
        metric = self.metrics.get(fact.metric)
        if metric is None:
            self.add(
                path,
                fact.line,
                fact.id,
                f"unknown metric {fact.metric!r}",
                "use a metric_id from seeds/reference/metrics.csv, or add the metric there",
            )
            ok = False
        self._place_firm(path, fact, fact.place, fact.firm)
        if normalise_ws(fact.number) not in normalise_ws(fact.quote):
            self.add(
                path,
                fact.line,
                fact.id,
                f"number {fact.number!r} does not occur in the quote",
                "'number' is the words of the quote that state the value",
            )
            ok = False
        try:
            parsed = parse_number(fact.number)
        except NumberParseError as exc:
            self.add(path, fact.line, fact.id, str(exc))
            return None
        if not matches_stated(parsed.value, fact.value):
            self.add(
                path,
                fact.line,
                fact.id,
                f"value {fact.value:g} does not match the quote: {fact.number!r} reads as {parsed.value:g}",
                "value is the number as stated, before its scale (21.192 for '21.192 million')",
            )
            ok = False
        if parsed.scale != fact.scale:
            self.add(
                path,
                fact.line,
                fact.id,
                f"scale {fact.scale!r} does not match the quote: {fact.number!r} has scale {parsed.scale!r}",
            )
            ok = False
        if parsed.comparator != fact.comparator and not fact.comparator_reason:
            self.add(
                path,
                fact.line,
                fact.id,
                f"comparator {fact.comparator!r} does not match the quote: {fact.number!r} reads as {parsed.comparator!r}",
                "fix the comparator, or give comparator_reason when words outside 'number' set it",
            )
            ok = False
        if parsed.currency != fact.currency:
            self.add(
                path,
                fact.line,
                fact.id,
                f"currency {fact.currency!r} does not match the quote: {fact.number!r} reads as {parsed.currency!r}",
            )
            ok = False
        if metric is not None:
            kind = metric["metric_kind"]
            if fact.unit is not None and fact.unit != metric["unit"]:
                self.add(
                    path,
                    fact.line,
                    fact.id,
                    f"unit {fact.unit!r} is not the metric's unit {metric['unit']!r}",
                    "leave unit out: it comes from the metric",
                )
                ok = False
            if kind == "money" and fact.currency is None:
                self.add(
                    path,
                    fact.line,
                    fact.id,
                    f"metric {fact.metric} is money but the fact has no currency",
                )
                ok = False
            if kind != "money" and fact.currency is not None:
                self.add(
                    path,
                    fact.line,
                    fact.id,
                    f"metric {fact.metric} is {kind}, not money, but the number has a currency",
                )
                ok = False
            if (kind in ("percent", "share")) != parsed.is_percent:
                self.add(
                    path,
                    fact.line,
                    fact.id,
                    f"metric {fact.metric} is {kind} but {fact.number!r} "
                    f"{'is' if parsed.is_percent else 'is not'} a percentage",
                )
                ok = False
        if fact.status != "reviewed":
            self.add(
                path,
                fact.line,
                fact.id,
                "fact is not reviewed",
                "a curator checks it against the article, then sets status: reviewed (or deletes it)",
            )
            ok = False
        period = self._period(path, fact, fact.period, stated)
        if period is None or not ok:
            return None
        full_value = fact.value * SCALES[fact.scale] if fact.scale else fact.value
        value_low = value_high = None
        if fact.comparator == "exact":
            value_low = value_high = full_value
        elif fact.comparator in ("more_than", "at_least"):
            value_low = full_value
        elif fact.comparator in ("less_than", "at_most", "close_to"):
            value_high = full_value
        # Money is normalised at the rate of the year the value describes; an as-of
        # figure or a plan describes the statement's own year.
        fx_year = period.year or period.end.year
        needs_rate = fact.usd_number is not None or (
            metric is not None and metric["metric_kind"] == "money"
        )
        if needs_rate and fx_year not in self.fx:
            self.add(
                path,
                fact.line,
                fact.id,
                f"no {self.fx_series_id} rate for {fx_year}",
                "add the year to seeds/reference/fx_rates.csv",
            )
            return None
        usd_stated = implied_rate = None
        if fact.usd_number is not None:
            if fact.currency != "CNY":
                self.add(
                    path,
                    fact.line,
                    fact.id,
                    "usd_number is for a CNY amount the article also gives in USD",
                )
                return None
            if normalise_ws(fact.usd_number) not in normalise_ws(fact.quote):
                self.add(
                    path,
                    fact.line,
                    fact.id,
                    f"usd_number {fact.usd_number!r} does not occur in the quote",
                )
                return None
            try:
                usd = parse_number(fact.usd_number)
            except NumberParseError as exc:
                self.add(path, fact.line, fact.id, f"usd_number: {exc}")
                return None
            if usd.currency != "USD":
                self.add(
                    path, fact.line, fact.id, f"usd_number {fact.usd_number!r} is not in US dollars"
                )
                return None
            usd_stated = usd.full_value
            implied_rate = full_value / usd_stated
            series_rate = self.fx[fx_year]  # present: checked above
            gap = implied_rate / series_rate - 1
            if abs(gap) > FX_TOLERANCE and not fact.fx_note:
                self.add(
                    path,
                    fact.line,
                    fact.id,
                    f"the article's implied rate {implied_rate:.4f} CNY/USD is {gap:+.1%} from the "
                    f"{fx_year} rate {series_rate:.4f} of {self.fx_series_id} (tolerance {FX_TOLERANCE:.0%})",
                    "check the figures; if the article is right, say why in fx_note",
                )
                return None
        return {
            "fact_id": fact.id,
            "metric_id": fact.metric,
            "place_id": fact.place,
            "firm_id": fact.firm,
            "number_text": fact.number,
            "value_stated": fact.value,
            "scale": fact.scale,
            "value": full_value,
            "comparator": fact.comparator,
            "comparator_reason": fact.comparator_reason,
            "value_low": value_low,
            "value_high": value_high,
            "unit": metric["unit"]
            if fact.currency is None
            else {"CNY": "yuan", "USD": "US dollars"}[fact.currency],
            "currency": fact.currency,
            "usd_stated": usd_stated,
            "usd_implied_rate": implied_rate,
            "fx_year": fx_year if fact.currency else None,
            "fx_note": normalise_ws(fact.fx_note) if fact.fx_note else None,
            "period_start": period.start,
            "period_end": period.end,
            "period_precision": period.precision,
            "period_resolution": period.resolution,
            "period_note": fact.period_note,
            "value_type": fact.value_type,
            "notes": normalise_ws(fact.notes) if fact.notes else None,
        }

    def check_relation(
        self, path: Path, fact: RelationFact, article: ArticleText, stated: StatementDate
    ) -> dict[str, Any] | None:
        self._place_firm(path, fact, fact.place, fact.firm)
        if fact.review != "reviewed":
            self.add(
                path,
                fact.line,
                fact.id,
                "relation is not reviewed",
                "a curator checks it against the article, then sets review: reviewed (or deletes it)",
            )
            return None
        period = self._period(path, fact, fact.period, stated) if fact.period is not None else None
        if fact.period is not None and period is None:
            return None
        return {
            "fact_id": fact.id,
            "firm_id": fact.firm,
            "place_id": fact.place,
            "presence_type": fact.presence_type,
            "status": fact.status,
            "period_start": period.start if period else None,
            "period_end": period.end if period else None,
            "period_precision": period.precision if period else None,
            "period_resolution": period.resolution if period else None,
            "investment_fact_id": fact.investment,
            "notes": normalise_ws(fact.notes) if fact.notes else None,
        }

    def check_statement(self, path: Path, fact: StatementFact) -> dict[str, Any] | None:
        self._place_firm(path, fact, fact.place, fact.firm)
        if normalise_ws(fact.text) not in normalise_ws(fact.quote):
            self.add(path, fact.line, fact.id, "the statement's text does not occur in its quote")
            return None
        return {
            "fact_id": fact.id,
            "speaker": fact.speaker,
            "speaker_role": fact.speaker_role,
            "firm_id": fact.firm,
            "place_id": fact.place,
            "statement_text": fact.text,
            "notes": normalise_ws(fact.notes) if fact.notes else None,
        }

    def check_facts(self) -> None:
        facts_dir = self.seeds_dir / "facts"
        seen_files: dict[str, Path] = {}
        # fact_id -> (kind, row, first path, first line)
        merged: dict[str, tuple[str, dict[str, Any], Path, int]] = {}
        identities: dict[tuple, tuple[str, Path]] = {}
        paths = facts_paths(facts_dir)
        stems = Counter(p.stem for p in paths)
        paths = [p for p in paths if not self._carried(p, stems[p.stem], seen_files)]
        self._read_articles(skip=self.corpus.carried)
        # Unchanged files come from the cache in this process; only the others go to workers
        # (sending cached rows through a worker costs more than reading them here).
        cached: dict[Path, list[tuple]] = {}
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
                    items = self._file_items(path, seen_files)
                for kind, row, evidence, _item_path, line, source_id in items:
                    self._merge(kind, row, evidence, path, line, merged, identities, source_id)
        finally:
            if checked is not None:
                checked.close()  # the workers end now (or on an error), not when it is dropped
        for path in paths:
            if seen_files.get(path.stem) == path:
                self.corpus.file_keys[path.stem] = (path.name, self._file_key(path))
        for source_id in self.articles:
            if source_id not in seen_files:
                self.add(
                    facts_dir / f"{source_id}.yml",
                    0,
                    None,
                    f"source {source_id} has no facts file",
                    "every registered article has a facts file",
                )
        carried = self.corpus.carried
        in_staging = self.prior.facts(list(merged), carried) if carried else {}
        for fact_id, known in in_staging.items():
            self._clash_with_staging(fact_id, known, merged[fact_id])
        self._check_investments(merged, in_staging, facts_dir)

    def _read_articles(self, skip: set[str]) -> None:
        """Read the text of every article not read yet, but those in ``skip`` (carried: staging
        has their text): their facts are checked against it and their staging row holds it."""
        for row in self.corpus.sources:
            source_id = row["source_id"]
            if row["body"] is not None or source_id in skip:
                continue
            article = self.articles[source_id][1]
            try:
                row["body"] = text = article.text
            except (FileNotFoundError, IsADirectoryError):  # gone since the fingerprint
                problem = f"article file {row['file_name']} is missing"
            except UnicodeDecodeError as exc:
                problem = f"article is not UTF-8: {exc}"
            else:
                row["char_count"] = len(text)
                continue
            self.add(Path(article.path), 0, source_id, problem)
            del self.articles[source_id]

    def _carried(self, path: Path, same_stem: int, seen_files: dict[str, Path]) -> bool:
        """Whether staging already holds this file's facts, loaded under the same key (and no
        other facts file claims the same source)."""
        source_id = path.stem
        key = self._file_key(path)
        if key is None or self.prior is None or same_stem != 1:
            return False
        if not self.prior.is_loaded(source_id, key):
            return False
        self.corpus.carried.add(source_id)
        self.corpus.file_keys[source_id] = (path.name, key)
        self.cache_keys.add(f"{key}.pkl")  # keep its cache entry: a full run may want it
        seen_files[source_id] = path
        return True

    def _clash_with_staging(self, fact_id: str, known: dict[str, Any], mine: tuple) -> None:
        """A fact id of a changed file that an unchanged file (in staging) also states."""
        kind, row, path, line = mine
        if known["kind"] == kind and known["content_hash"] == row["content_hash"]:
            return
        diff = (
            sorted(k for k in row if k != "content_hash" and known.get(k) != row.get(k))
            if known["kind"] == kind
            else ["kind"]
        )
        self.add(
            path,
            line,
            fact_id,
            f"fact id is also used at {known['facts_file']}:{known['facts_line']} with different "
            f"content ({', '.join(diff)})",
            "the same id in two files means one fact with two sources: make the fields equal, "
            "or give this fact its own id",
        )

    def _check_investments(self, merged: dict, in_staging: dict, facts_dir: Path) -> None:
        """Investments referenced by relations must be money facts of the same firm."""
        numbers = {r["fact_id"]: r for r in self.corpus.numbers}
        relations = [
            (rel, merged[rel["fact_id"]][2], merged[rel["fact_id"]][3])
            for rel in self.corpus.relations
            if rel["investment_fact_id"] is not None
        ]
        carried = self.corpus.carried
        if carried:
            # facts of unchanged files that relations of changed files point to
            wanted = [r["investment_fact_id"] for r, _, _ in relations]
            for fact_id, known in self.prior.facts(
                [f for f in wanted if f not in numbers], carried
            ).items():
                if known["kind"] == "number":
                    numbers[fact_id] = known
            # relations of unchanged files that point to facts of changed (or removed) files
            relations += [
                (rel, facts_dir / rel["facts_file"], rel["facts_line"])
                for rel in self.prior.open_investments(carried)
                if rel["fact_id"] not in merged
            ]
        for rel, rpath, rline in relations:
            inv = rel["investment_fact_id"]
            target = numbers.get(inv)
            if target is None:
                self.add(
                    rpath, rline, rel["fact_id"], f"investment {inv!r} is not a valid number fact"
                )
            elif target["metric_id"] != "investment" or target["firm_id"] != rel["firm_id"]:
                self.add(
                    rpath,
                    rline,
                    rel["fact_id"],
                    f"investment {inv!r} must be an 'investment' fact of firm {rel['firm_id']}",
                )

    def _check_in_parallel(
        self, paths: list[Path], seen_files: dict[str, Path]
    ) -> Iterator[list[tuple]] | None:
        """Check many files on all cores (forked workers share the reference data and articles):
        each file's items, in the order of ``paths``, as the workers send them, so that they are
        merged while the workers check the files after them (at a million facts, validation
        was shorter in three of four pairs of runs than when all were merged after the last
        file, by 2.6-5.6 s, and 2.7 s longer in the fourth). None for a few files, or a machine
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
    ) -> Iterator[list[tuple]]:
        global _ACTIVE
        _ACTIVE = self
        try:
            with mp.get_context("fork").Pool(workers) as pool:
                results = pool.imap(
                    _check_file_in_worker, paths, chunksize=max(1, len(paths) // (workers * 8))
                )
                for pickled, problems, seen, stats, keys in results:
                    self.problems.extend(problems)
                    seen_files.update(seen)
                    self.cache_hits += stats[0]
                    self.files_checked += stats[1]
                    self.cache_keys.update(keys)
                    yield pickle.loads(pickled)
        finally:
            _ACTIVE = None

    def _file_key(self, path: Path) -> str | None:
        """What a facts file's validation depends on: its bytes, its article, the reference
        data and the validation code. None for an unregistered article."""
        if path in self.file_keys:
            return self.file_keys[path]
        entry = self.articles.get(path.stem)
        if entry is None:
            return None
        own = self.digests.get(str(path)) or hashlib.sha256(path.read_bytes()).hexdigest()
        self.file_keys[path] = key = hashlib.sha256(
            f"{own}|{entry[0].sha256}|{entry[0].published_on}|{self.ref_key}|{CODE_KEY}".encode()
        ).hexdigest()
        return key

    def _cache_key(self, path: Path) -> str | None:
        """The file's key when there is a cache to look it up in."""
        return None if self.cache_dir is None else self._file_key(path)

    def _cached_items(self, path: Path, key: str | None, seen_files: dict[str, Path]):
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

    def _file_items(self, path: Path, seen_files: dict[str, Path]) -> list[tuple]:
        """The validated items of one facts file: from the cache when the file, its article, the
        reference data and the validation code are all unchanged; otherwise checked afresh."""
        return self._file_items_and_pickle(path, seen_files)[0]

    def _file_items_and_pickle(
        self, path: Path, seen_files: dict[str, Path]
    ) -> tuple[list[tuple], bytes | None]:
        """``_file_items``, and the items pickled when they were written to the cache."""
        key = self._cache_key(path)
        items = self._cached_items(path, key, seen_files)
        if items is not None:
            return items, None
        before = len(self.problems)
        ff = read_any_facts_file(path, self.problems)
        if ff is None:
            return [], None
        items = self._check_file(ff, seen_files)
        self.files_checked += 1
        if key is None or len(self.problems) != before:
            return items, None
        pickled = pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.cache_dir / f".{key}.{os.getpid()}.tmp"
        tmp.write_bytes(pickled)
        tmp.replace(self.cache_dir / f"{key}.pkl")
        return items, pickled

    def _check_file(self, ff: FactsFile, seen_files: dict[str, Path]) -> list[tuple]:
        path = ff.path
        if ff.source_id is None:
            self.add(path, 1, None, "facts file has no source_id")
            return []
        if ff.source_id not in self.articles:
            self.add(
                path,
                1,
                None,
                f"source_id {ff.source_id!r} is not in the article manifest",
                "register the article in seeds/articles/manifest.yml first",
            )
            return []
        if path.stem != ff.source_id:
            self.add(
                path,
                1,
                None,
                f"facts file for {ff.source_id} must be named {ff.source_id}{path.suffix}",
            )
        seen_files[ff.source_id] = path
        _, article, stated = self.articles[ff.source_id]
        kinds: list[tuple[str, list, Any]] = [
            (
                "number",
                ff.numbers,
                lambda f: self.check_number(path, f, ff.source_id, article, stated),
            ),
            ("relation", ff.relations, lambda f: self.check_relation(path, f, article, stated)),
            ("statement", ff.statements, lambda f: self.check_statement(path, f)),
        ]
        items = []
        for kind, facts, check in kinds:
            for fact in facts:
                if not _SLUG.match(fact.id):
                    self.add(
                        path,
                        fact.line,
                        fact.id,
                        "fact id must be lower case letters, digits, - and _",
                    )
                evidence = self._evidence(path, fact, ff.source_id, article)
                row = check(fact)
                if row is None or evidence is None:
                    continue
                # hashed here, so the hash is cached with the row (and computed on the workers)
                row["content_hash"] = content_hash(row)
                items.append((kind, row, evidence, str(path), fact.line, ff.source_id))
        return items

    def _merge(
        self,
        kind: str,
        row: dict[str, Any],
        evidence: dict[str, Any],
        path: Path,
        line: int,
        merged: dict,
        identities: dict,
        source_id: str,
    ) -> None:
        fact_id = row["fact_id"]
        if fact_id in merged:
            prev_kind, prev_row, prev_path, prev_line = merged[fact_id]
            if prev_kind != kind or prev_row["content_hash"] != row["content_hash"]:
                diff = (
                    sorted(k for k in row if k != "content_hash" and prev_row.get(k) != row.get(k))
                    if prev_kind == kind
                    else ["kind"]
                )
                self.add(
                    path,
                    line,
                    fact_id,
                    f"fact id is also used at {prev_path.name}:{prev_line} with different content ({', '.join(diff)})",
                    "the same id in two files means one fact with two sources: make the fields equal, "
                    "or give this fact its own id",
                )
                return
            if any(
                e["fact_id"] == fact_id and e["source_id"] == source_id
                for e in self.corpus.evidence
            ):
                self.add(
                    path,
                    line,
                    fact_id,
                    f"fact id is used twice in this file (also line {prev_line})",
                )
                return
            self.corpus.evidence.append(evidence)
            return
        if kind == "number":
            identity = (
                source_id,
                row["metric_id"],
                row["place_id"],
                row["firm_id"],
                row["period_start"],
                row["period_end"],
                row["value_type"],
            )
            if identity in identities:
                other, other_path = identities[identity]
                self.add(
                    path,
                    line,
                    fact_id,
                    f"same source, metric, subject, period and value type as {other} ({other_path.name})",
                    "one value per source for each metric, subject, period and value type",
                )
                return
            identities[identity] = (fact_id, path)
        merged[fact_id] = (kind, row, path, line)
        {
            "number": self.corpus.numbers,
            "relation": self.corpus.relations,
            "statement": self.corpus.statements,
        }[kind].append(row)
        self.corpus.evidence.append(evidence)

    # -- corrections -----------------------------------------------------------------------
    def check_corrections(self, ref: Reference) -> None:
        path = self.seeds_dir / "reference" / "corrections.yml"
        for c in ref.corrections:
            if c.source_id not in self.articles:
                self.add(path, c.line, c.correction_id, f"source {c.source_id!r} is not registered")
                continue
            _, article, _ = self.articles[c.source_id]
            span = article.find(c.quote)
            if span is None:
                self.add(
                    path,
                    c.line,
                    c.correction_id,
                    "the correction no longer applies: its quote is not in the source",
                    "review the correction against the article; remove it or update its quote",
                )
                continue
            place = self.places.get(c.place)
            if place is None:
                self.add(path, c.line, c.correction_id, f"unknown place {c.place!r}")
                continue
            if c.status == "applied" and place.get("place_type") != c.corrected:
                self.add(
                    path,
                    c.line,
                    c.correction_id,
                    f"the correction says {c.place} is a {c.corrected}, but places.csv says "
                    f"{place.get('place_type')}",
                )
                continue
            self.corpus.corrections.append(
                {
                    "correction_id": c.correction_id,
                    "source_id": c.source_id,
                    "quote": c.quote,
                    "evidence_start": span[0],
                    "evidence_end": span[1],
                    "field_name": c.field,
                    "place_id": c.place,
                    "stated_value": c.stated,
                    "corrected_value": c.corrected,
                    "reason": normalise_ws(c.reason),
                    "status": c.status,
                }
            )

    def finish_reference(self, ref: Reference) -> None:
        strip = lambda row: {k: v for k, v in row.items() if k != LINE_KEY}  # noqa: E731
        self.corpus.places = [strip(r) for r in self.places.values()]
        self.corpus.firms = [strip(r) for r in self.firms.values()]
        self.corpus.metrics = [strip(r) for r in self.metrics.values()]
        self.corpus.fx_rates = [
            {"series_id": self.fx_series_id, "year": y, "cny_per_usd": r}
            for y, r in sorted(self.fx.items())
        ]
        self.corpus.fx_series = [
            {
                k: (" ".join(str(v).split()) if v is not None else None)
                for k, v in s.items()
                if k != LINE_KEY
            }
            for s in ref.fx_series
        ]


# Below this, forking costs more than it saves. In a refresh, dbt's warmup takes a core for
# its first 3-4 s (etl/build/dbt.py, DbtWarmup): at 20,000 articles, beside a process that kept a
# core busy, 200 new files took 2.35-2.50 s here against 2.68-2.95 s in workers; 400 took
# 3.28 s against 3.23 s. (`techhubs validate`, with nothing beside it, is slower for 200-399
# changed files than with workers: at 400, 3.10 s against 2.65 s.)
PARALLEL_MIN_FILES = 400
_ACTIVE: _Validator | None = None  # the validator forked workers inherit


def _check_file_in_worker(path: Path) -> tuple:
    """In a forked worker: check one file with the inherited validator; return what it found,
    the items pickled (the bytes written to the cache when they were: sent as bytes, they are
    not pickled twice; at a million facts the workers' CPU time went from 109-112 s to
    89-94 s, validation's wall time 8 s down)."""
    v = _ACTIVE
    before_problems, before_hits, before_checked = len(v.problems), v.cache_hits, v.files_checked
    v.cache_keys = set()
    seen: dict[str, Path] = {}
    items, pickled = v._file_items_and_pickle(path, seen)
    return (
        pickled if pickled is not None else pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL),
        v.problems[before_problems:],
        seen,
        (v.cache_hits - before_hits, v.files_checked - before_checked),
        v.cache_keys,
    )


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off meanwhile (and in the workers forked meanwhile).

    Validation allocates millions of objects that live on (the rows, the manifest's entries),
    and each time the collector runs it walks all of them again: at 20,000 articles it took
    12-13 s of 65-69 s (the manifest's parse 5.3-5.9 s to 3.7-3.8 s, merging the rows 5.6-5.8 s
    to 2.4-2.7 s). What validation drops is freed by reference counting: it makes no cycles
    (tests/unit/test_validate.py checks it), so there is nothing for the collector to find."""
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
    v = _Validator(Path(seeds_dir), cache_dir, prior, digests)
    with collector_paused():
        v.check_articles()
        ref = v.check_reference()
        v.check_facts()
        v.check_corrections(ref)
    if v.problems:
        raise ValidationFailed(v.problems, root=Path(seeds_dir).parent)
    v.finish_reference(ref)
    v.corpus.stats = {
        "files_checked": v.files_checked,
        "files_from_cache": v.cache_hits,
        "files_in_staging": len(v.corpus.carried),
    }
    if cache_dir is not None and cache_dir.exists():
        for stale in cache_dir.glob("*.pkl"):  # facts files' entries (the manifest's is kept)
            if stale.name not in v.cache_keys:
                stale.unlink(missing_ok=True)
    return v.corpus
