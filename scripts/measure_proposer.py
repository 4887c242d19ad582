"""Measure `techhubs propose` against the curated facts of every article in a seeds folder.

    .venv/bin/python scripts/measure_proposer.py [--seeds seeds] [--show-misses]

Recall of numbers: curated numbers for which a candidate of the same article has the
same value (scale applied) and comparator. Recall of relations: curated relations for
which a candidate has the same firm and place (and, separately, the same kind too).
Precision: candidates that match a curated fact, over all candidates.
A measurement, not a test: it prints a table.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from etl.checks.validate import validate_seeds
from etl.curation.propose import propose_article
from etl.sources.numbers import SCALES
from etl.sources.periods import StatementDate


def measure(seeds: Path, show_misses: bool = False) -> dict:
    corpus = validate_seeds(seeds)
    by_source = {s["source_id"]: s for s in corpus.sources}
    sources_of = {}
    for ev in corpus.evidence:
        sources_of.setdefault(ev["fact_id"], set()).add(ev["source_id"])
    totals = dict(
        numbers=0,
        numbers_hit=0,
        relations=0,
        relations_hit=0,
        relations_kind_hit=0,
        candidates=0,
        candidates_hit=0,
    )
    rows = []
    for sid, src in by_source.items():
        stated = StatementDate(src["statement_date"], src["published_precision"])
        prop = propose_article(src["body"], stated, corpus.places, corpus.firms)
        cand_nums = [
            (
                round(c["value"] * (SCALES[c["scale"]] if c.get("scale") else 1), 6),
                c["comparator"],
                c,
            )
            for c in prop.numbers
        ]
        cand_rels = [(c["firm"], c["place"], c["presence_type"]) for c in prop.relations]
        curated_nums = [n for n in corpus.numbers if sid in sources_of[n["fact_id"]]]
        curated_rels = [r for r in corpus.relations if sid in sources_of[r["fact_id"]]]
        hits = 0
        matched_candidates = set()
        for n in curated_nums:
            found = [
                i
                for i, (v, comp, _) in enumerate(cand_nums)
                if abs(v - n["value"]) < 1e-6 * max(1, abs(v)) and comp == n["comparator"]
            ]
            if found:
                hits += 1
                matched_candidates.update(found)
            elif show_misses:
                print(
                    f"  missed number  {sid}: {n['fact_id']} ({n['number_text']!r}, {n['comparator']})"
                )
        rel_hits = sum(
            1
            for r in curated_rels
            if any(f == r["firm_id"] and p == r["place_id"] for f, p, _ in cand_rels)
        )
        rel_kind = sum(
            1
            for r in curated_rels
            if (r["firm_id"], r["place_id"], r["presence_type"]) in cand_rels
        )
        if show_misses:
            for r in curated_rels:
                if not any(f == r["firm_id"] and p == r["place_id"] for f, p, _ in cand_rels):
                    print(f"  missed relation {sid}: {r['fact_id']}")
        rel_candidates_hit = sum(
            1
            for f, p, _ in cand_rels
            if any(f == r["firm_id"] and p == r["place_id"] for r in curated_rels)
        )
        n_cands = len(cand_nums) + len(cand_rels)
        totals["numbers"] += len(curated_nums)
        totals["numbers_hit"] += hits
        totals["relations"] += len(curated_rels)
        totals["relations_hit"] += rel_hits
        totals["relations_kind_hit"] += rel_kind
        totals["candidates"] += n_cands
        totals["candidates_hit"] += len(matched_candidates) + rel_candidates_hit
        rows.append(
            (
                sid,
                len(curated_nums),
                hits,
                len(curated_rels),
                rel_hits,
                n_cands,
                len(matched_candidates) + rel_candidates_hit,
            )
        )
    print(
        f"{'article':<34}{'numbers':>9}{'found':>7}{'relations':>11}{'found':>7}{'candidates':>12}{'true':>6}"
    )
    for sid, n, h, r, rh, c, ch in rows:
        print(f"{sid:<34}{n:>9}{h:>7}{r:>11}{rh:>7}{c:>12}{ch:>6}")
    t = totals
    print(
        f"{'all':<34}{t['numbers']:>9}{t['numbers_hit']:>7}{t['relations']:>11}{t['relations_hit']:>7}"
        f"{t['candidates']:>12}{t['candidates_hit']:>6}"
    )
    print(
        f"recall of numbers (value and comparator): {t['numbers_hit'] / t['numbers']:.1%}  (goal 90 %)"
    )
    print(
        f"recall of relations (firm and place):     {t['relations_hit'] / t['relations']:.1%}  (goal 75 %)"
    )
    print(
        f"recall of relations (and kind):           {t['relations_kind_hit'] / t['relations']:.1%}"
    )
    print(f"precision of candidates:                  {t['candidates_hit'] / t['candidates']:.1%}")
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seeds", type=Path, default=Path(__file__).resolve().parent.parent / "seeds"
    )
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    measure(args.seeds, args.show_misses)


if __name__ == "__main__":
    main()
