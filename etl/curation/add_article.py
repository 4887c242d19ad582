"""Register a new article: copy its bytes, checksum them, write its manifest entry.

The manifest is appended to as text, so the curators' comments in it survive.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from etl.sources.periods import PeriodError, StatementDate
from etl.sources.seed_files import load_yaml


class ArticleRejected(ValueError):
    """The article cannot be registered; the message says why and what to do."""


@dataclass(frozen=True)
class NewArticle:
    source_id: str
    path: Path
    facts_path: Path
    sha256: str


def slugify(text: str, max_words: int = 6) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", text.lower())
    stop = {"a", "an", "the", "of", "in", "on", "and", "for", "to", "as", "at", "by", "with", "its"}
    kept = [w for w in words if w not in stop][:max_words] or ["article"]
    return "-".join(kept)


def _quoted(value: str | None) -> str:
    if value is None:
        return "null"
    return yaml.safe_dump(value, default_style='"', width=10_000, allow_unicode=True).strip()


def add_article(
    seeds_dir: Path,
    file: Path,
    title: str,
    publisher: str | None,
    published_on: str,
    url: str | None = None,
    source_id: str | None = None,
    licence: str | None = None,
    inferred_reason: str | None = None,
) -> NewArticle:
    """Copy ``file`` into seeds/articles/, append its manifest entry, and start its facts file."""
    articles = seeds_dir / "articles"
    manifest_path = articles / "manifest.yml"
    if not file.is_file():
        raise ArticleRejected(f"{file} is not a file")
    data = file.read_bytes()
    if not data.strip():
        raise ArticleRejected(f"{file} is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleRejected(
            f"{file} is not UTF-8 (byte {exc.start}: {data[exc.start : exc.start + 4]!r}); "
            "convert it first, e.g. `iconv -f GB18030 -t UTF-8`"
        ) from None
    if "\x00" in text:
        raise ArticleRejected(f"{file} contains NUL bytes; it does not look like text")
    try:
        stated = StatementDate.parse(published_on)
    except PeriodError as exc:
        raise ArticleRejected(str(exc)) from None
    if not title.strip():
        raise ArticleRejected("--title is empty")
    digest = hashlib.sha256(data).hexdigest()
    manifest = load_yaml(manifest_path) if manifest_path.exists() else {"articles": []}
    entries = manifest.get("articles") or []
    for entry in entries:
        if entry.get("sha256") == digest:
            raise ArticleRejected(f"these bytes are already registered as {entry['source_id']}")
    sid = source_id or f"{slugify(title)}-{stated.date.year}"
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", sid):
        raise ArticleRejected(f"source id {sid!r} must be lower case letters, digits, - and _")
    taken = {e.get("source_id") for e in entries}
    if sid in taken or (articles / f"{sid}.txt").exists():
        raise ArticleRejected(f"source id {sid} is taken; pass --source-id")
    target = articles / f"{sid}.txt"
    facts_path = seeds_dir / "facts" / f"{sid}.yml"
    if facts_path.exists():
        raise ArticleRejected(f"{facts_path} already exists")
    basis = "inferred" if inferred_reason else "stated"
    reason = inferred_reason or "given by the curator who registered the article (add-article)"
    block = "\n".join(
        [
            f"  - source_id: {sid}",
            f"    file: {sid}.txt",
            f"    origin_file: {_quoted(file.name)}",
            f"    sha256: {digest}",
            f"    title: {_quoted(title.strip())}",
            "    title_basis: stated",
            f"    publisher: {_quoted(publisher)}",
            f"    publisher_basis: {_quoted('given by the curator' if publisher else 'not stated')}",
            f'    published_on: "{published_on}"',
            f"    published_precision: {stated.precision}",
            f"    published_basis: {basis}",
            f"    published_reason: {_quoted(reason)}",
            f"    url: {_quoted(url)}",
            f"    licence: {_quoted(licence)}",
            f"    licence_basis: {_quoted('given by the curator' if licence else 'not recorded')}",
        ]
    )
    target.write_bytes(data)
    existing = (
        manifest_path.read_text(encoding="utf-8") if manifest_path.exists() else "articles:\n"
    )
    manifest_path.write_text(existing.rstrip("\n") + "\n" + block + "\n", encoding="utf-8")
    facts_path.parent.mkdir(parents=True, exist_ok=True)
    facts_path.write_text(
        f"# Facts from {sid}. `techhubs propose {sid}` drafts candidates; see docs/curating.md.\n"
        f"source_id: {sid}\n\nnumbers: []\n\nrelations: []\n",
        encoding="utf-8",
    )
    return NewArticle(sid, target, facts_path, digest)
