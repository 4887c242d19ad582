"""A validation problem: where it is, what is wrong, and how to fix it."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    item_id: str | None
    message: str
    hint: str | None = None

    def render(self, root: Path | None = None) -> str:
        path = self.path
        if root is not None:
            with contextlib.suppress(ValueError):
                path = self.path.resolve().relative_to(root.resolve())
        where = f"{path}:{self.line}" if self.line else f"{path}"
        item = f" [{self.item_id}]" if self.item_id else ""
        hint = f"\n    hint: {self.hint}" if self.hint else ""
        return f"{where}:{item} {self.message}{hint}"


class ValidationFailed(Exception):
    """Raised with every problem found; nothing has been loaded."""

    def __init__(self, problems: list[Problem], root: Path | None = None):
        self.problems = problems
        self.root = root
        super().__init__(self.render())

    def __reduce__(self):  # sent from a forked process (etl/build/forked.py) with its problems
        return (type(self), (self.problems, self.root))

    def render(self) -> str:
        lines = [p.render(self.root) for p in self.problems]
        return f"{len(self.problems)} problem(s) in the seeds; nothing was loaded:\n" + "\n".join(
            lines
        )
