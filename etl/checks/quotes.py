"""Rule: every quote occurs in its article; its offsets are those of the original bytes."""

from __future__ import annotations

import bisect
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from etl.checks.context import Checks


def normalise_ws(text: str) -> str:
    return " ".join(text.split())


class ArticleText:
    """An article's text with a whitespace-normalised view that maps back to offsets.

    Built with one regex pass (not a loop per character), so a corpus of tens of
    thousands of articles indexes in seconds.
    """

    _WS = re.compile(r"\s+")
    _RUNS = re.compile(r"\s{2,}")

    def __init__(self, text: str | None, path: str | None = None):
        """``text``, or None to read it from ``path`` when first used (an article whose
        sha256 the fingerprint already knows, and whose facts staging holds, is not read)."""
        self._text, self.path = text, path
        self._built = False

    @property
    def text(self) -> str:
        if self._text is None:
            with open(self.path, "rb") as fh:
                self._text = fh.read().decode("utf-8")
        return self._text

    def _build(self) -> None:
        """Index the text on first use: an article whose facts come from the cache is never indexed."""
        self._built = True
        lead = len(self.text) - len(self.text.lstrip())
        body = self.text.strip()
        self.normalised = self._WS.sub(" ", body)
        # A single whitespace character becomes one space: no shift. A longer run shifts what
        # follows it left by its length minus one, so only those runs need a breakpoint: the
        # normalised position and the original position of the text after the run.
        self._norm_starts = [0]
        self._orig_starts = [lead]
        shrink = 0
        for m in self._RUNS.finditer(body):
            a, b = m.span()
            shrink += b - a - 1
            self._norm_starts.append(b - shrink)
            self._orig_starts.append(lead + b)

    def _orig(self, norm_index: int) -> int:
        """The original offset of the character at ``norm_index`` of the normalised text."""
        i = bisect.bisect_right(self._norm_starts, norm_index) - 1
        delta = norm_index - self._norm_starts[i]
        # within a run of text offsets advance together; a normalised space maps to the run's first blank
        return self._orig_starts[i] + delta

    def find(self, quote: str) -> tuple[int, int] | None:
        """Character offsets [start, end) of the quote in the original text, or None."""
        if not self._built:
            self._build()
        needle = normalise_ws(quote)
        if not needle:
            return None
        pos = self.normalised.find(needle)
        if pos < 0:
            return None
        return self._orig(pos), self._orig(pos + len(needle) - 1) + 1


def hint_for_missing_quote(article: ArticleText, quote: str) -> str:
    words = normalise_ws(quote).split(" ")
    # Find the longest prefix of the quote that does occur, to point at the first difference.
    lo, hi = 0, len(words)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if article.normalised.find(" ".join(words[:mid])) >= 0:
            lo = mid
        else:
            hi = mid - 1
    if lo == 0:
        return "no part of the quote's start occurs in the article; copy the sentence from the article file"
    return (
        f"the article has the first {lo} word(s) but then differs at {' '.join(words[lo : lo + 3])!r}; "
        "copy it from the article (mind curly quotes and apostrophes)"
    )


def evidence(
    checks: Checks, path: Path, fact: Any, source_id: str, article: ArticleText
) -> dict[str, Any] | None:
    """The evidence row of a fact (its quote's offsets in the article), or None if the quote
    is not in the article."""
    span = article.find(fact.quote)
    if span is None:
        checks.add(
            path,
            fact.line,
            fact.id,
            "quote not found in the article (whitespace-normalised)",
            hint_for_missing_quote(article, fact.quote),
        )
        return None
    return {
        "fact_id": fact.id,
        "source_id": source_id,
        "quote": fact.quote,
        "evidence_start": span[0],
        "evidence_end": span[1],
        "facts_file": path.name,
        "facts_line": fact.line,
    }


def in_quote(phrase: str, quote: str) -> bool:
    """Whether ``phrase`` occurs in ``quote``, whitespace-normalised."""
    return normalise_ws(phrase) in normalise_ws(quote)
