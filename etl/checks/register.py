"""Rule: the article register (manifest) and the article files agree.

Every registered file exists, is UTF-8 and has the bytes its sha256 says; every file in the
folder is registered; dates parse with the precision the entry states."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from etl.checks.context import SLUG, Checks
from etl.checks.quotes import ArticleText
from etl.sources.periods import PeriodError, StatementDate
from etl.sources.seed_files import ArticleEntry, read_manifest


def check_articles(
    checks: Checks, articles_dir: Path, cache_dir: Path | None, digests: Mapping[str, str]
) -> None:
    """Register each valid article in ``checks.articles`` and its row in the corpus."""
    manifest_path = articles_dir / "manifest.yml"
    entries = read_manifest(articles_dir, checks.problems, cache_dir)
    registered: set[str] = set()
    folder = str(articles_dir)  # plain strings: a Path per article cost 0.2 s at 20,000
    for entry in entries:
        if entry.source_id in checks.articles:
            checks.add(manifest_path, entry.line, entry.source_id, "source_id registered twice")
            continue
        if not SLUG.match(entry.source_id):
            checks.add(
                manifest_path,
                entry.line,
                entry.source_id,
                "source_id must be lower case letters, digits, - and _",
            )
        registered.add(entry.file)
        _check_entry(checks, entry, manifest_path, os.path.join(folder, entry.file), digests)
    # one scandir, not a Path per file: 20,000 articles
    with os.scandir(articles_dir) as found:
        unregistered = sorted(
            e.name
            for e in found
            if e.name not in registered
            and e.name != "manifest.yml"
            and not e.name.startswith(".")
            and not e.is_dir()
        )
    for name in unregistered:
        checks.add(
            articles_dir / name,
            0,
            None,
            "article file is not in the manifest",
            "register it with its title, publisher, date and sha256 in manifest.yml",
        )


def _check_entry(
    checks: Checks,
    entry: ArticleEntry,
    manifest_path: Path,
    file_path: str,
    digests: Mapping[str, str],
) -> None:
    # The fingerprint of this run hashed the file (or knew it unchanged by size and
    # mtime): it is read later, only if its facts or its staging row need the text.
    actual = digests.get(file_path)
    data = None
    if actual is None:
        try:
            with open(file_path, "rb") as fh:
                data = fh.read()  # read once: hashed, then decoded
        except (FileNotFoundError, IsADirectoryError):
            checks.add(
                manifest_path, entry.line, entry.source_id, f"article file {entry.file} is missing"
            )
            return
        actual = hashlib.sha256(data).hexdigest()
    if actual != entry.sha256:
        checks.add(
            Path(file_path),
            0,
            entry.source_id,
            f"article bytes changed: sha256 is {actual}, the manifest says {entry.sha256}",
            "articles are immutable snapshots; restore the original bytes, or register the new "
            "text as a new source with its own manifest entry",
        )
        return
    text = None
    if data is not None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            checks.add(Path(file_path), 0, entry.source_id, f"article is not UTF-8: {exc}")
            return
    try:
        stated = StatementDate.parse(entry.published_on)
    except PeriodError as exc:
        checks.add(manifest_path, entry.line, entry.source_id, str(exc))
        return
    if stated.precision != entry.published_precision:
        checks.add(
            manifest_path,
            entry.line,
            entry.source_id,
            f"published_on {entry.published_on!r} has precision {stated.precision}, "
            f"but published_precision says {entry.published_precision}",
        )
    checks.articles[entry.source_id] = (entry, ArticleText(text, file_path), stated)
    checks.corpus.sources.append(
        {
            "source_id": entry.source_id,
            "file_name": entry.file,
            "origin_file": entry.origin_file,
            "title": entry.title,
            "title_basis": entry.title_basis,
            "publisher": entry.publisher,
            "publisher_basis": entry.publisher_basis,
            "published_on": entry.published_on,
            "published_precision": entry.published_precision,
            "published_basis": entry.published_basis,
            "published_reason": " ".join(entry.published_reason.split()),
            "statement_date": stated.date,
            "url": entry.url,
            "licence": entry.licence,
            "licence_basis": entry.licence_basis,
            "sha256": entry.sha256,
            # None until read (read_articles); a carried source's stay None:
            # staging has its text, whose bytes have the same sha256
            "char_count": None if text is None else len(text),
            "body": text,
        }
    )


def read_articles(checks: Checks, skip: set[str]) -> None:
    """Read the text of every article not read yet, but those in ``skip`` (carried: staging
    has their text): their facts are checked against it and their staging row holds it."""
    for row in checks.corpus.sources:
        source_id = row["source_id"]
        if row["body"] is not None or source_id in skip:
            continue
        article = checks.articles[source_id][1]
        try:
            row["body"] = text = article.text
        except (FileNotFoundError, IsADirectoryError):  # gone since the fingerprint
            problem = f"article file {row['file_name']} is missing"
        except UnicodeDecodeError as exc:
            problem = f"article is not UTF-8: {exc}"
        else:
            row["char_count"] = len(text)
            continue
        checks.add(Path(article.path), 0, source_id, problem)
        del checks.articles[source_id]
