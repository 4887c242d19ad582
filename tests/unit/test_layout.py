"""The package's layout holds: stages import only from earlier stages, modules stay short."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ETL = Path(__file__).resolve().parents[2] / "etl"
# the data flow; curation, like outputs, sits on top of the sources
STAGE = {"sources": 1, "checks": 2, "staging": 3, "build": 4, "outputs": 5, "curation": 5}


def test_stages_import_only_from_earlier_stages():
    upward = []
    for path in ETL.rglob("*.py"):
        rel = path.relative_to(ETL).parts
        if len(rel) < 2:
            continue  # cli, settings, problems, faults: the base everyone may use
        for other in re.findall(r"from etl\.(\w+)", path.read_text()):
            if other in STAGE and other != rel[0] and STAGE[other] >= STAGE[rel[0]]:
                upward.append(f"{path.relative_to(ETL)} imports etl.{other}")
    assert not upward, upward


def test_modules_and_classes_stay_readable():
    long = []
    for path in ETL.rglob("*.py"):
        source = path.read_text()
        if source.count("\n") >= 500:
            long.append(f"{path.relative_to(ETL)}: {source.count(chr(10))} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno >= 300:
                long.append(f"{path.relative_to(ETL)}: class {node.name}")
    assert not long, long
