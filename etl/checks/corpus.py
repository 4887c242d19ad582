"""What validation hands to the load: the ``Corpus`` of rows, and what it asks of staging."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from typing import Any, Protocol


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
    """What a previous load left in staging (``etl.staging.load.StagingPrior``). With it, a facts
    file whose key is the one it was loaded under is neither read nor loaded again, and the facts
    of the changed files are checked against the unchanged ones in staging."""

    def is_loaded(self, source_id: str, file_key: str) -> bool: ...

    def facts(self, fact_ids: list[str], carried: set[str]) -> dict[str, dict[str, Any]]:
        """Facts evidenced by a carried source: the row plus ``kind``, ``facts_file`` and
        ``facts_line`` of one place it is stated."""
        ...

    def open_investments(self, carried: set[str]) -> list[dict[str, Any]]:
        """Relations of carried sources whose investment fact no carried source states: each
        with ``fact_id``, ``investment_fact_id``, ``firm_id``, ``facts_file``, ``facts_line``."""
        ...


@functools.lru_cache(maxsize=64)
def _keys_repr(keys: tuple[str, ...]) -> str:
    return repr(keys)


def content_hash(row: dict[str, Any]) -> str:
    """A digest of a validated row: its keys in order, then its values (str, float, int, date
    or None: a stable repr). The keys' repr is made once per kind of row; repr of the
    sorted items cost 21 us a row, a fifth of a fact's validation."""
    payload = _keys_repr(tuple(row)) + repr(tuple(row.values()))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
