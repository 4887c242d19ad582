"""An article as sentences with their offsets: what the proposer reads one at a time."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass
class Segment:
    text: str
    start: int


def segments(text: str) -> list[Segment]:
    """Sentences with their offsets: split at line breaks, then after . ! ? before a capital."""
    out = []
    for line in re.finditer(r"[^\n]+", text):
        pos = line.start()
        for part in re.split(r"(?:(?<=[.!?])|(?<=[.!?][\"”]))\s+(?=[A-Z\"“])", line.group()):
            idx = text.find(part, pos)
            if part.strip():
                out.append(Segment(part.strip(), idx + (len(part) - len(part.lstrip()))))
            pos = idx + len(part)
    return out
