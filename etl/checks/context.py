"""The state the rules share while one validation runs: what is known so far, what is wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from etl.checks.corpus import Corpus
from etl.checks.quotes import ArticleText
from etl.problems import Problem
from etl.sources.periods import StatementDate
from etl.sources.seed_files import ArticleEntry

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass
class Checks:
    """Problems found, the registered articles and the reference data, by id."""

    problems: list[Problem] = field(default_factory=list)
    corpus: Corpus = field(default_factory=Corpus)
    articles: dict[str, tuple[ArticleEntry, ArticleText, StatementDate]] = field(
        default_factory=dict
    )
    places: dict[str, dict[str, Any]] = field(default_factory=dict)
    firms: dict[str, dict[str, Any]] = field(default_factory=dict)
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    fx: dict[int, float] = field(default_factory=dict)
    fx_series_id: str | None = None
    ref_key: str = ""

    def add(
        self, path: Path, line: int, item_id: str | None, message: str, hint: str | None = None
    ) -> None:
        self.problems.append(Problem(path, line, item_id, message, hint))
