"""Measure `techhubs propose` on the seeds (in-sample) and on the evaluation set (out of sample).

    .venv/bin/python scripts/measure_proposer.py [--set seeds|tune|holdout|all] [--show-misses]
    .venv/bin/python scripts/measure_proposer.py --dir FOLDER   # a new batch, before it joins a set

Seeds: the curated facts of every seed article are the answers. Evaluation set: short
articles written for this purpose (tests/eval/tune, tests/eval/holdout), each with a
hand-made answer file; the rules are tuned on `tune` only, `holdout` is the honest figure.

Recall of numbers: answers for which a candidate of the same article has the same value
(scale applied) and comparator, or carries it (a yuan amount's dollar figure, a year that
is the candidate's period). Recall of relations: answers for which a candidate has the
same firm and place (and, separately, the same kind too: an investment's kind is found as
an office, or as a number of metric investment with that firm and place; a base's as a
factory or an office). Precision: candidates that match
an answer, over all candidates. Unknown names flagged: of the firms and places named in the
answers' relations that the reference data does not know, those the proposer lists as
proposed reference entries. A measurement, not a test: it prints a table.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import time
from pathlib import Path

import yaml

from etl.checks.validate import validate_seeds
from etl.curation.propose import propose_article
from etl.sources.numbers import SCALES, NumberParseError, parse_number
from etl.sources.periods import StatementDate
from etl.sources.seed_files import read_reference

PROJECT = Path(__file__).resolve().parent.parent
EVAL = PROJECT / "tests" / "eval"
# the answer files' kinds of relation, as the warehouse's presence types
# the answer files' kinds that are not presence types: an investment alone is proposed as an
# office; a base is a production or manufacturing base (a factory) or an operations base
KINDS = {"base": {"office", "factory"}, "investment": {"office"}}


def norm(name: str) -> str:
    name = re.sub(r"[’']s\b", "", name.lower())
    name = re.sub(r"\b(co|ltd|inc|corp|corporation|group|company|limited|plc)\b\.?", " ", name)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name).split())


def names_match(candidates: set[str], answer: str) -> bool:
    wanted = {norm(a) for a in answer.split("|")} - {""}
    return bool(wanted & candidates)


def ref_names(places: list[dict], firms: list[dict]) -> dict[str, set[str]]:
    """Every id in these place and firm rows, with its names (normalised)."""
    out: dict[str, set[str]] = {}
    rows = [(p["place_id"], p["place_name"], p.get("aliases")) for p in places]
    rows += [(f["firm_id"], f["firm_name"], f.get("aliases")) for f in firms]
    for key, name, aliases in rows:
        names = {name, re.sub(r"\s*\(.*\)", "", name), *filter(None, (aliases or "").split("|"))}
        out.setdefault(key, set()).update(norm(n) for n in names)
    return out


def candidate_numbers(proposal) -> list[tuple[float, str]]:
    return [
        (round(c["value"] * (SCALES[c["scale"]] if c.get("scale") else 1), 6), c["comparator"])
        for c in proposal.numbers
    ]


def carried_numbers(proposal) -> list[tuple[float, str]]:
    """Numbers a candidate carries beside its own: the dollar figure of a yuan amount
    ("8 billion yuan (about $1.1 billion)": its usd_number) and a year that is its period
    ("sold 18,000 cars in 2023"). An answer that lists them is found; they are not
    candidates of their own (precision does not count them)."""
    out = []
    for c in proposal.numbers:
        if c.get("usd_number"):
            with contextlib.suppress(NumberParseError):
                usd = parse_number(c["usd_number"])
                out.append(
                    (round(usd.value * (SCALES[usd.scale] if usd.scale else 1), 6), usd.comparator)
                )
        if re.fullmatch(r"(?:19|20)\d\d", str(c.get("period", ""))):
            out.append((float(c["period"]), "exact"))
    return out


def score(
    sid: str,
    proposal,
    answers_num: list[tuple[float, str, str]],
    answers_rel: list[tuple[str, str, str]],
    names: dict[str, set[str]],
    known: dict[str, set[str]],
    show: bool,
) -> dict[str, int]:
    cands = candidate_numbers(proposal)
    carried = carried_numbers(proposal)
    used: set[int] = set()
    hits = 0
    for value, comparator, label in answers_num:
        found = [
            i
            for i, (v, c) in enumerate(cands)
            if abs(v - value) < 1e-6 * max(1, abs(v)) and c == comparator
        ]
        if found:
            hits += 1
            used.update(found)
        elif any(abs(v - value) < 1e-6 * max(1, abs(v)) and c == comparator for v, c in carried):
            hits += 1
        elif show:
            print(f"  missed number   {sid}: {label}")
    rels = [
        (names.get(r["firm"], {norm(r["firm"])}), names.get(r["place"], {norm(r["place"])}), r)
        for r in proposal.relations
    ]
    # an investment is kept as a number (metric investment, with its firm and place)
    invested = {
        (firm, place)
        for firm, place, kind, _ in answers_rel
        if kind == "investment"
        for c in proposal.numbers
        if c.get("metric") == "investment"
        and names_match(names.get(c.get("firm") or "", {norm(c.get("firm") or "")}), firm)
        and names_match(names.get(c.get("place") or "", {norm(c.get("place") or "")}), place)
    }
    rel_hits = kind_hits = 0
    rel_used: set[int] = set()
    flagged = unknown = 0
    for firm, place, kind, label in answers_rel:
        found = [
            i for i, (f, p, _) in enumerate(rels) if names_match(f, firm) and names_match(p, place)
        ]
        if found:
            rel_hits += 1
            rel_used.update(found)
            kind_hits += any(
                rels[i][2]["presence_type"] in KINDS.get(kind, {kind}) for i in found
            ) or (kind == "investment" and (firm, place) in invested)
        elif show:
            print(f"  missed relation {sid}: {label}")
        for answer, pool in ((firm, "firms"), (place, "places")):
            if not names_match(known[pool], answer):
                unknown += 1
                proposed = proposal.proposed_firms if pool == "firms" else proposal.proposed_places
                pnames = {
                    norm(n)
                    for e in proposed
                    for n in [e[f"{pool[:-1]}_name"], *(e.get("aliases") or "").split("|")]
                    if n
                }
                if names_match(pnames, answer):
                    flagged += 1
                elif show:
                    print(f"  not flagged     {sid}: {pool[:-1]} {answer}")
    if show:
        for i, (_, c) in enumerate(cands):
            if i not in used:
                print(f"  extra number    {sid}: {proposal.numbers[i]['number']!r} ({c})")
        for i, (_, _, r) in enumerate(rels):
            if i not in rel_used:
                print(f"  extra relation  {sid}: {r['firm']} {r['presence_type']} {r['place']}")
    return dict(
        numbers=len(answers_num),
        numbers_hit=hits,
        relations=len(answers_rel),
        relations_hit=rel_hits,
        relations_kind_hit=kind_hits,
        candidates=len(cands) + len(rels),
        candidates_hit=len(used) + len(rel_used),
        unknown=unknown,
        flagged=flagged,
    )


def seeds_cases(seeds: Path):
    corpus = validate_seeds(seeds)
    sources_of: dict[str, set[str]] = {}
    for ev in corpus.evidence:
        sources_of.setdefault(ev["fact_id"], set()).add(ev["source_id"])
    firms = {f["firm_id"]: f for f in corpus.firms}
    places = {p["place_id"]: p for p in corpus.places}

    def alts(row: dict) -> str:
        return "|".join(
            [row.get("firm_name") or row.get("place_name"), *(row.get("aliases") or "").split("|")]
        )

    for src in corpus.sources:
        sid = src["source_id"]
        nums = [
            (n["value"], n["comparator"], f"{n['fact_id']} ({n['number_text']!r})")
            for n in corpus.numbers
            if sid in sources_of[n["fact_id"]]
        ]
        rels = [
            (
                alts(firms[r["firm_id"]]),
                alts(places[r["place_id"]]),
                r["presence_type"],
                r["fact_id"],
            )
            for r in corpus.relations
            if sid in sources_of[r["fact_id"]]
        ]
        yield sid, src["body"], src["published_on"], nums, rels, corpus.places, corpus.firms


def eval_cases(folder: Path, seeds: Path):
    ref = read_reference(seeds / "reference", [])
    for answers in sorted(folder.glob("*.answers.yml")):
        a = yaml.safe_load(answers.read_text(encoding="utf-8"))
        text = answers.with_name(answers.name.replace(".answers.yml", ".txt")).read_text("utf-8")
        nums = [
            (float(n["value"]), n["comparator"], f"{n['number']!r} ({n['comparator']})")
            for n in a.get("numbers") or []
        ]
        rels = [
            (r["firm"], r["place"], r["kind"], f"{r['firm']} {r['kind']} {r['place']}")
            for r in a.get("relations") or []
        ]
        yield a["source_id"], text, str(a["published_on"]), nums, rels, ref.places, ref.firms


def measure(name: str, cases, show: bool) -> dict[str, int]:
    totals: dict[str, int] = {}
    rows = []
    seconds = 0.0
    words = 0
    for sid, text, published, nums, rels, places, firms in cases:
        t0 = time.perf_counter()
        proposal = propose_article(text, StatementDate.parse(published), places, firms)
        seconds += time.perf_counter() - t0
        words += len(text.split())
        names = ref_names(
            places + proposal.proposed_places, firms + proposal.proposed_firms
        )  # the ids candidates may use
        known = {
            "firms": set().union(*ref_names([], firms).values()),
            "places": set().union(*ref_names(places, []).values()),
        }
        r = score(sid, proposal, nums, rels, names, known, show)
        rows.append((sid, r))
        for k, v in r.items():
            totals[k] = totals.get(k, 0) + v
    print(f"\n{name}")
    print(
        f"{'article':<40}{'numbers':>8}{'found':>6}{'relations':>10}{'found':>6}"
        f"{'candidates':>11}{'true':>5}{'unknown':>8}{'flagged':>8}"
    )
    for sid, r in rows + [("all", totals)]:
        print(
            f"{sid:<40}{r['numbers']:>8}{r['numbers_hit']:>6}{r['relations']:>10}{r['relations_hit']:>6}"
            f"{r['candidates']:>11}{r['candidates_hit']:>5}{r['unknown']:>8}{r['flagged']:>8}"
        )
    t = totals

    def pct(a: int, b: int) -> str:
        return f"{a / b:.0%} ({a} of {b})" if b else "n/a"

    print(f"recall of numbers (value and comparator): {pct(t['numbers_hit'], t['numbers'])}")
    print(f"recall of relations (firm and place):     {pct(t['relations_hit'], t['relations'])}")
    print(
        f"recall of relations (and kind):           {pct(t['relations_kind_hit'], t['relations'])}"
    )
    print(f"precision of candidates:                  {pct(t['candidates_hit'], t['candidates'])}")
    print(f"unknown firms and places flagged:         {pct(t['flagged'], t['unknown'])}")
    print(f"time: {seconds * 1000 / max(words, 1) * 1000:.0f} ms per 1,000 words")
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=PROJECT / "seeds")
    parser.add_argument("--set", choices=["seeds", "tune", "holdout", "all"], default="all")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument(
        "--dir", type=Path, help="measure only this folder of <id>.txt and <id>.answers.yml"
    )
    args = parser.parse_args()
    if args.dir:
        if not sorted(args.dir.glob("*.answers.yml")):
            parser.error(f"{args.dir}: no <id>.answers.yml files")
        measure(f"batch: {args.dir}", eval_cases(args.dir, args.seeds), args.show_misses)
        return
    if args.set in ("seeds", "all"):
        measure("seeds (in-sample)", seeds_cases(args.seeds), args.show_misses)
    for part in ("tune", "holdout"):
        if args.set in (part, "all"):
            measure(
                f"evaluation set: {part}", eval_cases(EVAL / part, args.seeds), args.show_misses
            )


if __name__ == "__main__":
    main()
