"""Rule: the reference data (places, firms, metrics, exchange rates) is well formed.

Ids are unique, types are from their lists, parents exist and form no cycle, coordinates
and rates are numbers, and exactly one exchange-rate series is named."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from etl.checks.context import Checks
from etl.sources.seed_files import LINE_KEY, METRIC_KINDS, PLACE_TYPES, Reference, read_reference


def check_reference(checks: Checks, ref_dir: Path) -> Reference:
    """Read and check the reference folder into ``checks`` (places, firms, metrics, fx)."""
    ref = read_reference(ref_dir, checks.problems)
    ref_digest = hashlib.sha256()
    for f in sorted(ref_dir.glob("*")):
        if f.is_file():
            ref_digest.update(f.name.encode() + b"\0" + f.read_bytes())
    checks.ref_key = ref_digest.hexdigest()
    _check_places(checks, ref.places, ref_dir / "places.csv")
    _check_firms(checks, ref.firms, ref_dir / "firms.csv")
    _check_metrics(checks, ref.metrics, ref_dir / "metrics.csv")
    _check_fx(checks, ref, ref_dir)
    return ref


def _check_places(checks: Checks, rows: list[dict[str, Any]], path: Path) -> None:
    places = checks.places
    for row in rows:
        pid = row.get("place_id")
        if not pid or pid in places:
            checks.add(path, row[LINE_KEY], pid, "place_id missing or repeated")
            continue
        places[pid] = row
    for row in rows:
        line, pid = row[LINE_KEY], row.get("place_id")
        if row.get("place_type") not in PLACE_TYPES:
            checks.add(
                path,
                line,
                pid,
                f"place_type {row.get('place_type')!r} is not one of {', '.join(PLACE_TYPES)}",
            )
        parent = row.get("parent_place_id")
        if parent and parent not in places:
            checks.add(path, line, pid, f"parent_place_id {parent!r} is not a place")
        for col in ("latitude", "longitude"):
            if row.get(col) is not None:
                try:
                    row[col] = float(row[col])
                except ValueError:
                    checks.add(path, line, pid, f"{col} {row[col]!r} is not a number")
        row["is_provincial_capital"] = str(row.get("is_provincial_capital")).lower() == "true"
    # Detect cycles in the parent chain.
    for pid in places:
        seen, cur = set(), pid
        while cur:
            if cur in seen:
                checks.add(path, places[pid][LINE_KEY], pid, "parent_place_id forms a cycle")
                break
            seen.add(cur)
            cur = places.get(cur, {}).get("parent_place_id")


def _check_firms(checks: Checks, rows: list[dict[str, Any]], path: Path) -> None:
    for row in rows:
        fid = row.get("firm_id")
        if not fid or fid in checks.firms:
            checks.add(path, row[LINE_KEY], fid, "firm_id missing or repeated")
            continue
        if row.get("hq_place_id") and row["hq_place_id"] not in checks.places:
            checks.add(
                path, row[LINE_KEY], fid, f"hq_place_id {row['hq_place_id']!r} is not a place"
            )
        checks.firms[fid] = row


def _check_metrics(checks: Checks, rows: list[dict[str, Any]], path: Path) -> None:
    for row in rows:
        mid = row.get("metric_id")
        if not mid or mid in checks.metrics:
            checks.add(path, row[LINE_KEY], mid, "metric_id missing or repeated")
            continue
        if row.get("metric_kind") not in METRIC_KINDS:
            checks.add(
                path,
                row[LINE_KEY],
                mid,
                f"metric_kind {row.get('metric_kind')!r} is not one of {', '.join(METRIC_KINDS)}",
            )
        if str(row.get("is_flow")).lower() not in ("true", "false"):
            checks.add(path, row[LINE_KEY], mid, "is_flow must be true or false")
        row["is_flow"] = str(row.get("is_flow")).lower() == "true"
        for col in ("metric_name", "unit", "description"):
            if not row.get(col):
                checks.add(path, row[LINE_KEY], mid, f"{col} is empty")
        checks.metrics[mid] = row


def _check_fx(checks: Checks, ref: Reference, ref_dir: Path) -> None:
    fx_path = ref_dir / "fx_rates.csv"
    series_ids = {s.get("series_id") for s in ref.fx_series}
    if len(series_ids) != 1:
        checks.add(
            ref_dir / "fx_series.yml", 1, None, "exactly one exchange-rate series must be named"
        )
    checks.fx_series_id = next(iter(series_ids), None)
    for row in ref.fx_rates:
        try:
            year, rate = int(row["year"]), float(row["cny_per_usd"])
            if rate <= 0:
                raise ValueError("not positive")
        except (TypeError, ValueError, KeyError):
            checks.add(
                fx_path,
                row[LINE_KEY],
                None,
                "year must be an integer and cny_per_usd a positive number",
            )
            continue
        if row.get("series_id") != checks.fx_series_id:
            checks.add(
                fx_path,
                row[LINE_KEY],
                None,
                f"series_id {row.get('series_id')!r} is not the named series",
            )
            continue
        if year in checks.fx:
            checks.add(fx_path, row[LINE_KEY], None, f"year {year} appears twice")
        checks.fx[year] = rate


def finish_reference(checks: Checks, ref: Reference) -> None:
    """The checked reference rows into the corpus, without their line numbers."""
    corpus = checks.corpus

    def strip(row: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in row.items() if k != LINE_KEY}

    corpus.places = [strip(r) for r in checks.places.values()]
    corpus.firms = [strip(r) for r in checks.firms.values()]
    corpus.metrics = [strip(r) for r in checks.metrics.values()]
    corpus.fx_rates = [
        {"series_id": checks.fx_series_id, "year": y, "cny_per_usd": r}
        for y, r in sorted(checks.fx.items())
    ]
    corpus.fx_series = [
        {
            k: (" ".join(str(v).split()) if v is not None else None)
            for k, v in s.items()
            if k != LINE_KEY
        }
        for s in ref.fx_series
    ]
