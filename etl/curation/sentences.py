"""An article as sentences with their offsets: what the proposer reads one at a time."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass
class Segment:
    text: str
    start: int


def segments(text: str) -> list[Segment]:
    """Sentences with their offsets: split at line breaks, then after . ! ? before a capital
    or a name in camel case ("... in Shanghai. iFlytek reported ...")."""
    out = []
    for line in re.finditer(r"[^\n]+", text):
        pos = line.start()
        for part in re.split(
            r"(?:(?<=[.!?])|(?<=[.!?][\"”]))\s+(?=[A-Z\"“]|[a-z]+[A-Z])", line.group()
        ):
            idx = text.find(part, pos)
            if part.strip():
                out.append(Segment(part.strip(), idx + (len(part) - len(part.lstrip()))))
            pos = idx + len(part)
    return out
