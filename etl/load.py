"""Load a validated corpus into staging: one transaction, idempotent, revisions kept.

Reference data, sources, corrections and evidence are replaced whole (they are
small and carry no history of their own). Facts are compared by content hash:
a new fact is added as revision 1, a changed fact gets the next revision and its
earlier revision stays in ``fact_revision``, a removed fact is marked removed.
Loading the same seeds twice changes no data row.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from . import staging as s
from .faults import pause_point
from .settings import package_version
from .validate import Corpus

REPLACED = [
    (s.Source, "sources"),
    (s.RefPlace, "places"),
    (s.RefFirm, "firms"),
    (s.RefMetric, "metrics"),
    (s.RefFxSeries, "fx_series"),
    (s.RefFxRate, "fx_rates"),
    (s.Correction, "corrections"),
    (s.FactEvidence, "evidence"),
]
FACT_TABLES = [
    (s.FactNumber, "numbers", "number"),
    (s.FactRelation, "relations", "relation"),
    (s.FactStatement, "statements", "statement"),
]
DATA_TABLES = (
    [m.__tablename__ for m, _ in REPLACED]
    + [m.__tablename__ for m, _, _ in FACT_TABLES]
    + [s.FactRevision.__tablename__]
)


@dataclass
class LoadResult:
    run_id: str
    added: int
    changed: int
    removed: int
    unchanged: int
    row_counts: dict[str, int]

    @property
    def changes(self) -> dict[str, int]:
        return {
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "unchanged": self.unchanged,
        }


def _jsonable(row: dict[str, Any]) -> str:
    return json.dumps(row, sort_keys=True, default=str, ensure_ascii=False)


def _load_facts(
    conn: sa.Connection,
    model: type[s.Base],
    rows: list[dict[str, Any]],
    kind: str,
    run_id: str,
    result: LoadResult,
) -> None:
    table = model.__table__
    rev = s.FactRevision.__table__
    current = {
        r.fact_id: (r.content_hash, r.revision)
        for r in conn.execute(sa.select(table.c.fact_id, table.c.content_hash, table.c.revision))
    }
    # A fact removed earlier and added again continues its revision numbers.
    last_revision = dict(
        conn.execute(
            sa.select(rev.c.fact_id, sa.func.max(rev.c.revision)).group_by(rev.c.fact_id)
        ).all()
    )
    incoming = {r["fact_id"]: r for r in rows}
    inserts, revisions = [], []
    for fact_id, row in incoming.items():
        if fact_id not in current:
            revision = last_revision.get(fact_id, 0) + 1
            inserts.append({**row, "revision": revision})
            revisions.append((fact_id, revision, row, "added"))
            result.added += 1
        elif current[fact_id][0] != row["content_hash"]:
            revision = current[fact_id][1] + 1
            conn.execute(table.delete().where(table.c.fact_id == fact_id))
            inserts.append({**row, "revision": revision})
            revisions.append((fact_id, revision, row, "changed"))
            result.changed += 1
        else:
            result.unchanged += 1
    for fact_id, (_, revision) in current.items():
        if fact_id not in incoming:
            conn.execute(table.delete().where(table.c.fact_id == fact_id))
            revisions.append((fact_id, revision + 1, None, "removed"))
            result.removed += 1
    if inserts:
        conn.execute(table.insert(), inserts)
    for fact_id, revision, row, change in revisions:
        conn.execute(
            rev.update()
            .where(rev.c.fact_id == fact_id, rev.c.superseded_run_id.is_(None))
            .values(superseded_run_id=run_id)
        )
        conn.execute(
            rev.insert().values(
                fact_id=fact_id,
                revision=revision,
                fact_kind=kind,
                content_hash=row["content_hash"] if row else "",
                content=_jsonable(row) if row else "{}",
                loaded_run_id=run_id,
                superseded_run_id=run_id if change == "removed" else None,
                change=change,
            )
        )


def row_counts(conn: sa.Connection) -> dict[str, int]:
    return {
        name: conn.execute(sa.text(f'select count(*) from "{name}"')).scalar_one()
        for name in DATA_TABLES
    }


def load_corpus(staging_path: Path, corpus: Corpus, run_id: str, fingerprint: str) -> LoadResult:
    """Load everything in one transaction; on any error nothing is changed."""
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    result = LoadResult(run_id, 0, 0, 0, 0, {})
    engine = s.engine_for(staging_path)
    try:
        with engine.begin() as conn:
            for model, attr in REPLACED:
                conn.execute(model.__table__.delete())
                rows = getattr(corpus, attr)
                if rows:
                    conn.execute(model.__table__.insert(), rows)
            for model, attr, kind in FACT_TABLES:
                _load_facts(conn, model, getattr(corpus, attr), kind, run_id, result)
            result.row_counts = row_counts(conn)
            conn.execute(
                s.EtlRun.__table__.insert().values(
                    run_id=run_id,
                    started_at=started,
                    finished_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    status="loaded",
                    stage="load",
                    error=None,
                    fingerprint=fingerprint,
                    row_counts=json.dumps(result.row_counts, sort_keys=True),
                    changes=json.dumps(result.changes, sort_keys=True),
                    package_version=package_version(),
                )
            )
            pause_point("load-transaction", staging_path.parent)
    finally:
        engine.dispose()
    return result
