"""A deterministic synthetic corpus for benchmarks: articles, CSV facts files, a manifest.

Every article is valid by construction: each fact's quote is a sentence of its article,
its number phrase parses to its value, and money carries a USD figure within the
exchange-rate tolerance. Article ``i`` depends only on (seed, i), so a corpus of
N + k articles is the corpus of N articles plus k new ones (the "+1 %" benchmark).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from etl.sources.seed_files import load_yaml

# metric -> (noun phrase, low, high, kind); kind: count | millions | percent | share | money
COUNT_METRICS = {
    "company_count": ("companies", 2_000, 200_000),
    "ai_company_count": ("AI-related companies", 50, 3_000),
    "vr_company_count": ("virtual reality companies", 20, 900),
    "iot_company_count": ("internet-of-things companies", 100, 5_000),
    "new_company_registrations": ("newly registered companies", 1_000, 60_000),
    "patent_applications": ("patent applications", 1_000, 90_000),
    "robotics_company_registrations": ("new robotics companies", 20, 1_500),
}
PERCENT_METRICS = {
    "gdp_growth": "GDP",
    "high_tech_industry_output_growth": "the output of high-tech industries",
    "digital_economy_growth": "the digital economy",
    "ai_company_count_growth": "the number of AI-related companies",
    "new_company_growth": "the number of new start-ups",
}
SHARE_METRICS = {
    "world_laptop_production_share": "the world's laptop computers are made",
    "world_smartphone_sales_share": "the smartphones sold worldwide come",
    "world_tablet_production_share": "the world's tablets are made",
}
COMPARATOR_WORDS = {
    "exact": "",
    "more_than": "more than ",
    "close_to": "nearly ",
    "approximately": "about ",
    "at_least": "at least ",
}
PRESENCE = {
    "research_centre": "opened a research centre in",
    "data_centre": "opened a data centre in",
    "office": "set up an office in",
    "factory": "opened a factory in",
    "test_base": "opened a test base in",
    "second_headquarters": "moved its second headquarters to",
    "joint_venture": "set up a joint venture in",
    "local_business_unit": "set up a local business unit in",
}
AGENCIES = [
    "the local statistics bureau",
    "the municipal government",
    "official data",
    "a recent survey",
]


@dataclass(frozen=True)
class SynthResult:
    articles: int
    numbers: int
    relations: int
    out: Path


def _fmt_int(n: int) -> str:
    return f"{n:,}"


def _csv_row(writer: csv.writer, **cells: object) -> None:
    writer.writerow([cells.get(c, "") for c in COLUMNS])


COLUMNS = [
    "kind",
    "id",
    "metric",
    "place",
    "firm",
    "quote",
    "number",
    "value",
    "scale",
    "currency",
    "usd_number",
    "comparator",
    "period",
    "value_type",
    "presence_type",
    "status",
]


def _article(
    i: int,
    seed: int,
    places: list[dict],
    firms: list[dict],
    fx: dict[int, float],
    numbers: int,
    relations: int,
) -> tuple[str, str, str, int, int]:
    """Return (published_on, text, facts_csv, n_numbers, n_relations) for article ``i``."""
    rng = random.Random(f"{seed}:{i}")
    published = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(0, 8 * 365))
    year = published.year
    sid = f"synth-{i:06d}"
    sentences: list[str] = [
        f"Synthetic report {i}: tech hubs in focus",
        f"Updated: {published.isoformat()}",
        "",
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    used: set[tuple] = set()
    n_numbers = 0
    attempts = 0
    while n_numbers < numbers and attempts < numbers * 20:
        attempts += 1
        place = rng.choice(places)
        name = place["place_name"].split(" (")[0]
        roll = rng.random()
        # a period: an explicit earlier year, last year, or as of the statement
        p_roll = rng.random()
        if p_roll < 0.5:
            p_year = rng.randrange(max(2014, year - 6), year)
            period, when = str(p_year), f"in {p_year}"
        elif p_roll < 0.75:
            p_year = year - 1
            period, when = "relative: last year", "last year"
        else:
            p_year = year
            period, when = "as_of", "now"
        value_type = "actual"
        firm = ""
        if roll < 0.5:
            metric = rng.choice(list(COUNT_METRICS))
            noun, lo, hi = COUNT_METRICS[metric]
            value = rng.randrange(lo, hi)
            comparator = rng.choice(list(COMPARATOR_WORDS))
            phrase = COMPARATOR_WORDS[comparator] + _fmt_int(value)
            if rng.random() < 0.1 and period != "as_of":
                value_type, t_year = "target", year + rng.randrange(1, 4)
                period, when = str(t_year), f"by {t_year}"
                quote = f"{name} aims to have {phrase} {noun} {when}, according to {rng.choice(AGENCIES)}."
            elif when == "now":
                quote = f"{name} now has {phrase} {noun}, according to {rng.choice(AGENCIES)}."
            else:
                quote = f"{name} had {phrase} {noun} {when}, according to {rng.choice(AGENCIES)}."
            cells = dict(metric=metric, number=phrase, value=value, comparator=comparator)
        elif roll < 0.75:
            metric = rng.choice(list(PERCENT_METRICS))
            pct = round(rng.uniform(1, 60), 1)
            if period == "as_of":
                continue
            quote = f"{PERCENT_METRICS[metric][0].upper()}{PERCENT_METRICS[metric][1:]} in {name} grew {pct} percent {when}."
            cells = dict(metric=metric, number=f"{pct} percent", value=pct, comparator="exact")
        elif roll < 0.85:
            metric = rng.choice(list(SHARE_METRICS))
            pct = rng.randrange(2, 40)
            period, p_year, when = "as_of", year, "now"
            quote = f"About {pct} percent of {SHARE_METRICS[metric]} from {name}, a report said."
            cells = dict(
                metric=metric, number=f"About {pct} percent", value=pct, comparator="approximately"
            )
        else:
            metric = "investment"
            f = rng.choice(firms)
            firm = f["firm_id"]
            billions = round(rng.uniform(0.5, 20), 1)
            rate = fx[p_year] * rng.uniform(0.98, 1.02)
            usd_millions = round(billions * 1000 / rate, 1)
            value_type = "plan" if rng.random() < 0.5 else "actual"
            verb = "would invest" if value_type == "plan" else "has invested"
            when_text = "" if period == "as_of" else f" {when}"
            quote = (
                f"{f['firm_name']} said{when_text} that it {verb} {billions} billion yuan "
                f"(${usd_millions} million) in {name}."
            )
            cells = dict(
                metric=metric,
                number=f"{billions} billion yuan",
                value=billions,
                scale="billion",
                currency="CNY",
                usd_number=f"${usd_millions} million",
                comparator="exact",
            )
        # identity as validation sees it: the resolved period ("in 2019" and "last year" may be the same)
        period_key = "as_of" if period == "as_of" else int(period) if period.isdigit() else p_year
        key = (cells["metric"], place["place_id"], firm, period_key, value_type)
        if key in used or quote in sentences:
            continue
        used.add(key)
        n_numbers += 1
        sentences.append(quote)
        _csv_row(
            writer,
            kind="number",
            id=f"{sid}-n{n_numbers}",
            place=place["place_id"],
            firm=firm,
            quote=quote,
            period=period,
            value_type=value_type,
            **cells,
        )
    n_relations = 0
    used_rel: set[tuple] = set()
    while n_relations < relations and len(used_rel) < relations * 5:
        f = rng.choice(firms)
        place = rng.choice(places)
        kind = rng.choice(list(PRESENCE))
        key = (f["firm_id"], place["place_id"], kind)
        if key in used_rel:
            continue
        used_rel.add(key)
        quote = (
            f"{f['firm_name']} {PRESENCE[kind]} {place['place_name'].split(' (')[0]} in {year - 1}."
        )
        if quote in sentences:
            continue
        n_relations += 1
        sentences.append(quote)
        _csv_row(
            writer,
            kind="relation",
            id=f"{sid}-r{n_relations}",
            firm=f["firm_id"],
            place=place["place_id"],
            quote=quote,
            presence_type=kind,
            status="operating" if kind != "test_base" else "opened",
            period=str(year - 1),
        )
    text = (
        "\n".join(sentences[:3])
        + "\n"
        + "\n\n".join(" ".join(sentences[k : k + 4]) for k in range(3, len(sentences), 4))
        + "\n"
    )
    return published.isoformat(), text, out.getvalue(), n_numbers, n_relations


def synth(
    out: Path, articles: int, seed: int, reference_dir: Path, numbers: int = 45, relations: int = 5
) -> SynthResult:
    """Write ``articles`` synthetic articles with facts and a manifest under ``out`` (a seeds folder)."""
    out = out.resolve()
    (out / "articles").mkdir(parents=True, exist_ok=True)
    (out / "facts").mkdir(parents=True, exist_ok=True)
    ref_out = out / "reference"
    ref_out.mkdir(exist_ok=True)
    for name in ("places.csv", "firms.csv", "metrics.csv", "fx_rates.csv", "fx_series.yml"):
        shutil.copy(reference_dir / name, ref_out / name)
    (ref_out / "corrections.yml").write_text("corrections: []\n", encoding="utf-8")
    places = [
        p
        for p in _read_csv(reference_dir / "places.csv")
        if p["place_type"] in ("city", "municipality", "province", "zone", "district")
    ]
    firms = _read_csv(reference_dir / "firms.csv")
    fx = {
        int(r["year"]): float(r["cny_per_usd"]) for r in _read_csv(reference_dir / "fx_rates.csv")
    }
    manifest = out / "articles" / "manifest.yml"
    existing = set()
    if manifest.exists():
        existing = {e["source_id"] for e in (load_yaml(manifest) or {}).get("articles") or []}
    entries = []
    total_n = total_r = 0
    for i in range(articles):
        sid = f"synth-{i:06d}"
        if sid in existing:
            continue
        published, text, facts, n, r = _article(i, seed, places, firms, fx, numbers, relations)
        data = text.encode("utf-8")
        (out / "articles" / f"{sid}.txt").write_bytes(data)
        (out / "facts" / f"{sid}.csv").write_text(facts, encoding="utf-8")
        total_n, total_r = total_n + n, total_r + r
        entries.append(
            f"  - source_id: {sid}\n    file: {sid}.txt\n    sha256: {hashlib.sha256(data).hexdigest()}\n"
            f'    title: "Synthetic report {i}"\n    title_basis: stated\n    publisher: Synthetic Daily\n'
            f'    publisher_basis: generated by techhubs synth\n    published_on: "{published}"\n'
            f"    published_precision: day\n    published_basis: stated\n"
            f"    published_reason: generated by techhubs synth (seed {seed})\n    url: null\n    licence: null\n"
            f"    licence_basis: synthetic text, no licence\n"
        )
    head = (
        manifest.read_text(encoding="utf-8")
        if manifest.exists()
        else (
            "# Synthetic corpus written by `techhubs synth`: for benchmarks, not facts.\narticles:\n"
        )
    )
    manifest.write_text(head.rstrip("\n") + "\n" + "".join(entries), encoding="utf-8")
    return SynthResult(len(entries), total_n, total_r, out)


def _read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
