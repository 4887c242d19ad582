"""Rule: one fact id means one fact, and one source states one value per subject.

The same id in two files must carry the same content (one fact, two sources); an id is used
once per file; a source gives one value per metric, place, firm, period and value type; a
relation's investment is an 'investment' number of the same firm. Facts of unchanged files,
already in staging, take part through ``Prior``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from etl.checks.context import Checks
from etl.checks.corpus import Prior

# fact_id -> (kind, row, first path, first line)
Merged = dict[str, tuple[str, dict[str, Any], Path, int]]
_SAME_ID_HINT = (
    "the same id in two files means one fact with two sources: make the fields equal, "
    "or give this fact its own id"
)


def _diff(kind: str, row: dict[str, Any], other_kind: str, other: dict[str, Any]) -> str:
    if other_kind != kind:
        return "kind"
    return ", ".join(sorted(k for k in row if k != "content_hash" and other.get(k) != row.get(k)))


class Merge:
    """The facts of all files merged into the corpus, checked against each other."""

    def __init__(self, checks: Checks):
        self.checks = checks
        self.merged: Merged = {}
        self.identities: dict[tuple, tuple[str, Path]] = {}

    def add(
        self,
        kind: str,
        row: dict[str, Any],
        evidence: dict[str, Any],
        path: Path,
        line: int,
        source_id: str,
    ) -> None:
        corpus = self.checks.corpus
        fact_id = row["fact_id"]
        if fact_id in self.merged:
            prev_kind, prev_row, prev_path, prev_line = self.merged[fact_id]
            if prev_kind != kind or prev_row["content_hash"] != row["content_hash"]:
                self.checks.add(
                    path,
                    line,
                    fact_id,
                    f"fact id is also used at {prev_path.name}:{prev_line} with different content "
                    f"({_diff(kind, row, prev_kind, prev_row)})",
                    _SAME_ID_HINT,
                )
                return
            if any(
                e["fact_id"] == fact_id and e["source_id"] == source_id for e in corpus.evidence
            ):
                self.checks.add(
                    path,
                    line,
                    fact_id,
                    f"fact id is used twice in this file (also line {prev_line})",
                )
                return
            corpus.evidence.append(evidence)
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
            if identity in self.identities:
                other, other_path = self.identities[identity]
                self.checks.add(
                    path,
                    line,
                    fact_id,
                    f"same source, metric, subject, period and value type as {other} ({other_path.name})",
                    "one value per source for each metric, subject, period and value type",
                )
                return
            self.identities[identity] = (fact_id, path)
        self.merged[fact_id] = (kind, row, path, line)
        {"number": corpus.numbers, "relation": corpus.relations, "statement": corpus.statements}[
            kind
        ].append(row)
        corpus.evidence.append(evidence)

    def check_against_staging(self, prior: Prior | None, facts_dir: Path) -> None:
        """Ids shared with unchanged files in staging, then every relation's investment."""
        carried = self.checks.corpus.carried
        in_staging = prior.facts(list(self.merged), carried) if carried else {}
        for fact_id, known in in_staging.items():
            kind, row, path, line = self.merged[fact_id]
            if known["kind"] == kind and known["content_hash"] == row["content_hash"]:
                continue
            self.checks.add(
                path,
                line,
                fact_id,
                f"fact id is also used at {known['facts_file']}:{known['facts_line']} with different "
                f"content ({_diff(kind, row, known['kind'], known)})",
                _SAME_ID_HINT,
            )
        self._check_investments(prior, facts_dir)

    def _check_investments(self, prior: Prior | None, facts_dir: Path) -> None:
        """Investments referenced by relations must be money facts of the same firm."""
        corpus = self.checks.corpus
        numbers = {r["fact_id"]: r for r in corpus.numbers}
        relations = [
            (rel, self.merged[rel["fact_id"]][2], self.merged[rel["fact_id"]][3])
            for rel in corpus.relations
            if rel["investment_fact_id"] is not None
        ]
        carried = corpus.carried
        if carried:
            # facts of unchanged files that relations of changed files point to
            wanted = [r["investment_fact_id"] for r, _, _ in relations]
            for fact_id, known in prior.facts(
                [f for f in wanted if f not in numbers], carried
            ).items():
                if known["kind"] == "number":
                    numbers[fact_id] = known
            # relations of unchanged files that point to facts of changed (or removed) files
            relations += [
                (rel, facts_dir / rel["facts_file"], rel["facts_line"])
                for rel in prior.open_investments(carried)
                if rel["fact_id"] not in self.merged
            ]
        for rel, rpath, rline in relations:
            inv = rel["investment_fact_id"]
            target = numbers.get(inv)
            if target is None:
                self.checks.add(
                    rpath, rline, rel["fact_id"], f"investment {inv!r} is not a valid number fact"
                )
            elif target["metric_id"] != "investment" or target["firm_id"] != rel["firm_id"]:
                self.checks.add(
                    rpath,
                    rline,
                    rel["fact_id"],
                    f"investment {inv!r} must be an 'investment' fact of firm {rel['firm_id']}",
                )
