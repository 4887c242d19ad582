"""The draft facts file ``propose`` writes: candidates unreviewed, proposed reference rows.

Places and firms the reference data does not know are listed as comment lines in the
columns of ``seeds/reference/places.csv`` and ``firms.csv``, filled from the gazetteer
(coordinates, Chinese name, parent, code) and the text (the firm's home, when stated), each
with the sentence it came from: a curator checks them and copies the rows across."""

from __future__ import annotations

import csv
import io
from typing import Any

import yaml

from etl.curation.propose import Proposal

PLACE_COLUMNS = [
    "place_id", "place_name", "place_name_zh", "place_type", "parent_place_id", "region_name",
    "latitude", "longitude", "is_provincial_capital", "aliases",
]  # fmt: skip
FIRM_COLUMNS = ["firm_id", "firm_name", "aliases", "hq_place_id", "hq_country", "sector"]


def _row(entry: dict[str, Any], columns: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(
        ["" if entry.get(c) is None else entry.get(c) for c in columns]
    )
    return out.getvalue()


def _short(sentence: str, limit: int = 120) -> str:
    return sentence if len(sentence) <= limit else sentence[: limit - 3] + "..."


def reference_block(proposal: Proposal) -> list[str]:
    """Comment lines proposing the reference rows the candidates need."""
    lines: list[str] = []
    if proposal.proposed_places:
        lines += [
            "#",
            "# Places not in seeds/reference/places.csv, filled from the gazetteer (GeoNames cities,",
            "# ISO 3166-2 provinces). Check each; add the row to places.csv (region_name, aliases are yours):",
            "#   " + ",".join(PLACE_COLUMNS),
        ]
        for p in proposal.proposed_places:
            where = ", ".join(
                x
                for x in (
                    p.get("code"),
                    f"population {p['population']:,}" if p.get("population") else "",
                )
                if x
            )
            lines.append(f"#   {_row(p, PLACE_COLUMNS)}")
            lines.append(
                f"#       ({where or 'not in the gazetteer: fill by hand'}) {_short(p['sentence'])!r}"
            )
    if proposal.proposed_firms:
        lines += [
            "#",
            "# Firms not in seeds/reference/firms.csv, found in the text. Check the name; fill the rest:",
            "#   " + ",".join(FIRM_COLUMNS),
        ]
        for f in proposal.proposed_firms:
            lines.append(f"#   {_row(f, FIRM_COLUMNS)}")
            lines.append(f"#       {_short(f['sentence'])!r}")
    return lines


def render(proposal: Proposal, source_id: str) -> str:
    """The draft facts file: every candidate unreviewed, proposed reference rows as comments."""
    head = [
        f"# Candidate facts for {source_id}, proposed by `techhubs propose`. NOTHING HERE IS REVIEWED.",
        "# For each candidate: check it against the article, fix what is wrong, then set",
        "# status: reviewed (numbers) or review: reviewed (relations); delete what is not a fact.",
        "# `techhubs validate` refuses unreviewed candidates. Format: docs/curating.md.",
        *reference_block(proposal),
    ]
    relations, seen = [], set()  # one per id, the first
    for r in proposal.relations:
        if r["id"] not in seen:
            seen.add(r["id"])
            relations.append(r)
    body = yaml.safe_dump(
        {"source_id": source_id, "numbers": proposal.numbers, "relations": relations},
        sort_keys=False,
        allow_unicode=True,
        width=10_000,
    )
    return "\n".join(head) + "\n" + body
