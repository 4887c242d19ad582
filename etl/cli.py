"""The `techhubs` command line: thin; it parses arguments and calls the library."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from etl.build import refresh as refresh_mod
from etl.problems import ValidationFailed
from etl.settings import Settings

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="The China tech-hubs warehouse: validate seeds, refresh, query.",
)
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

SeedsOpt = Annotated[
    Path | None, typer.Option("--seeds", help="Seeds folder (default: ./seeds or $TECHHUBS_SEEDS).")
]
WarehouseOpt = Annotated[
    Path | None,
    typer.Option(
        "--warehouse", help="Warehouse folder (default: ./warehouse or $TECHHUBS_WAREHOUSE)."
    ),
]


@app.command()
def validate(seeds: SeedsOpt = None) -> None:
    """Check every fact against its article and the reference data; load nothing."""
    from etl.checks.validate import validate_seeds

    settings = Settings.from_env(seeds)
    try:
        corpus = validate_seeds(settings.seeds_dir)
    except ValidationFailed as exc:
        err.print(exc.render(), markup=False)
        raise typer.Exit(refresh_mod.EXIT_INVALID_INPUT) from None
    c = corpus.counts()
    err.print(
        f"valid: {c['sources']} articles, {c['numbers']} numbers, {c['relations']} relations, "
        f"{c['statements']} statements, {c['evidence']} quotes found at their offsets"
    )


@app.command()
def refresh(
    seeds: SeedsOpt = None,
    warehouse: WarehouseOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild even if the inputs are unchanged.")
    ] = False,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Read, check and load every facts file again and build every table afresh, not only what changed.",
        ),
    ] = False,
    wait: Annotated[
        float, typer.Option("--wait", help="Seconds to wait for another refresh's lock.")
    ] = 0.0,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the run record as JSON on stdout.")
    ] = False,
    storage_version: Annotated[
        str | None,
        typer.Option(
            "--storage-version",
            help="DuckDB storage version of the published file (default v1.1.0).",
        ),
    ] = None,
) -> None:
    """Validate, load staging, build with dbt, verify and publish warehouse/tech_hubs.duckdb."""
    settings = Settings.from_env(
        seeds, warehouse, lock_timeout=wait, storage_version=storage_version
    )

    def progress(stage: str, message: str) -> None:
        if message:
            err.print(f"[bold]{stage:>10}[/bold]  {message}", markup=True)

    record = refresh_mod.refresh(settings, force=force, progress=progress, full=full)
    if as_json:
        out.print_json(json.dumps(asdict(record)))
    _summary(record)
    raise typer.Exit(record.exit_code or 0)


def _summary(record: refresh_mod.RunRecord) -> None:
    if record.status == "success":
        table = Table(title=f"published {record.published}", show_edge=False)
        table.add_column("table")
        table.add_column("rows", justify="right")
        for name, n in record.row_counts.items():
            table.add_row(name, str(n))
        err.print(table)
        conflicts = record.row_counts.get("dq_conflicts", 0)
        if conflicts:
            err.print(
                f"{conflicts} conflict(s) between sources: see dq_conflicts "
                '(techhubs query "select * from dq_conflicts")'
            )
        stages = ", ".join(f"{k} {v:.1f}s" for k, v in record.stage_seconds.items())
        err.print(f"done in {record.seconds:.1f}s ({stages}; {record.build_mode} build)")
    elif record.status == "up_to_date":
        err.print(f"up to date ({record.seconds:.2f}s); use --force to rebuild")
    else:
        err.print(
            f"[bold red]refresh {record.status}[/bold red] at stage '{record.stage}' "
            f"(exit {record.exit_code}); the published warehouse is unchanged",
            markup=True,
        )
        if record.error:
            err.print(record.error, markup=False)


@app.command()
def query(
    sql: Annotated[
        str, typer.Argument(help="SQL to run against the published warehouse (read-only).")
    ],
    warehouse: WarehouseOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
) -> None:
    """Run one SQL query against the published file, opened read-only."""
    settings = Settings.from_env(None, warehouse)
    if not settings.published_path.exists():
        err.print(
            f"no published warehouse at {settings.published_path}; run `techhubs refresh` first"
        )
        raise typer.Exit(1)
    import duckdb  # here, not at the top: a refresh with nothing to do never needs it

    con = duckdb.connect(str(settings.published_path), read_only=True)
    try:
        rel = con.sql(sql)
        if rel is None:
            return
        df = rel.df()
    except duckdb.Error as exc:
        err.print(f"query failed: {exc}", markup=False)
        raise typer.Exit(1) from None
    finally:
        con.close()
    if fmt == "csv":
        df.to_csv(sys.stdout, index=False)
    elif fmt == "json":
        sys.stdout.write(df.to_json(orient="records", date_format="iso", force_ascii=False) + "\n")
    else:
        table = Table(show_edge=False)
        for col in df.columns:
            table.add_column(str(col))
        for row in df.itertuples(index=False):
            table.add_row(*("" if v is None or v != v else str(v) for v in row))
        out.print(table)


@app.command()
def export(
    warehouse: WarehouseOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder to write (default: warehouse/export).")
    ] = None,
    fmt: Annotated[
        list[str] | None, typer.Option("--format", help="parquet and/or csv (default: both).")
    ] = None,
) -> None:
    """Write every public table to Parquet and CSV with a manifest (manifest.json)."""
    from etl.outputs.export import FORMATS
    from etl.outputs.export import export as run_export

    settings = Settings.from_env(None, warehouse)
    target = out or settings.warehouse_dir / "export"
    try:
        manifest = run_export(settings.published_path, target, tuple(fmt or FORMATS))
    except (FileNotFoundError, ValueError) as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(1) from None
    for name, entry in manifest["tables"].items():
        err.print(f"{name:<24} {entry['rows']:>6} rows  " + "  ".join(entry["files"]))
    err.print(f"wrote {target} (manifest.json lists files, checksums and column descriptions)")


@app.command("export-staging")
def export_staging_cmd(
    warehouse: WarehouseOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder to write (default: warehouse/staging-parquet)."),
    ] = None,
    wait: Annotated[
        float, typer.Option("--wait", help="Seconds to wait for a running refresh.")
    ] = 600.0,
) -> None:
    """Write the staging tables dbt reads to Parquet, one folder per table (for Spark)."""
    import filelock

    from etl.outputs.export import export_staging, staging_source_tables

    settings = Settings.from_env(None, warehouse)
    target = out or settings.warehouse_dir / "staging-parquet"
    if not settings.staging_path.exists():  # before the lock, so nothing at all is written
        err.print(
            f"no staging database at {settings.staging_path}; run `techhubs refresh` first",
            markup=False,
        )
        raise typer.Exit(1)
    try:
        # a refresh writes staging: wait for it rather than read half a load
        with filelock.FileLock(str(settings.lock_path), timeout=wait):
            counts = export_staging(
                settings.staging_path, target, staging_source_tables(settings.project_dir)
            )
    except filelock.Timeout:
        err.print(f"a refresh still holds {settings.lock_path} after {wait:g}s", markup=False)
        raise typer.Exit(3) from None
    except FileNotFoundError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(1) from None
    for name, rows in counts.items():
        err.print(f"{name:<16} {rows:>8} rows")
    err.print(f"wrote {target}")


@app.command()
def report(
    warehouse: WarehouseOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="HTML file to write (default: warehouse/report.html)."),
    ] = None,
) -> None:
    """Write a self-contained HTML dashboard of the published warehouse."""
    from etl.outputs.report import write_report

    settings = Settings.from_env(None, warehouse)
    target = out or settings.warehouse_dir / "report.html"
    try:
        write_report(settings.published_path, target)
    except FileNotFoundError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(1) from None
    err.print(f"wrote {target}")


@app.command()
def docs(
    warehouse: WarehouseOpt = None,
    site: Annotated[
        Path | None,
        typer.Option("--site", help="Folder for dbt's docs site (default: warehouse/docs-site)."),
    ] = None,
    no_site: Annotated[
        bool, typer.Option("--no-site", help="Only write the data dictionary.")
    ] = False,
) -> None:
    """Write docs/data-dictionary.md from the models, and dbt's docs site for the published build."""
    from etl.outputs.docs import data_dictionary, dbt_docs

    settings = Settings.from_env(None, warehouse)
    target = settings.project_dir / "docs" / "data-dictionary.md"
    target.write_text(data_dictionary(settings.project_dir), encoding="utf-8")
    err.print(f"wrote {target}")
    if no_site:
        return
    try:
        index = dbt_docs(settings, site or settings.warehouse_dir / "docs-site")
    except (FileNotFoundError, RuntimeError) as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(1) from None
    err.print(
        f"wrote {index} (open it in a browser: one self-contained file with the lineage graph)"
    )


@app.command("add-article")
def add_article_cmd(
    file: Annotated[Path, typer.Argument(help="The article's text (UTF-8).")],
    title: Annotated[str, typer.Option("--title", help="The article's title as printed.")],
    published_on: Annotated[
        str, typer.Option("--published-on", help="YYYY-MM-DD, YYYY-MM or YYYY.")
    ],
    publisher: Annotated[str | None, typer.Option("--publisher")] = None,
    url: Annotated[str | None, typer.Option("--url")] = None,
    source_id: Annotated[
        str | None, typer.Option("--source-id", help="Default: a slug of the title and year.")
    ] = None,
    licence: Annotated[
        str | None, typer.Option("--licence", help="The copyright or licence line.")
    ] = None,
    inferred: Annotated[
        str | None,
        typer.Option(
            "--inferred",
            help="The date is inferred, not printed: say how (recorded as the reason).",
        ),
    ] = None,
    seeds: SeedsOpt = None,
) -> None:
    """Register an article: copy its bytes, checksum them, write its manifest entry and an empty facts file."""
    from etl.curation.add_article import ArticleRejected, add_article

    settings = Settings.from_env(seeds)
    try:
        new = add_article(
            settings.seeds_dir,
            file,
            title,
            publisher,
            published_on,
            url,
            source_id,
            licence,
            inferred,
        )
    except ArticleRejected as exc:
        err.print(f"refused: {exc}", markup=False)
        raise typer.Exit(refresh_mod.EXIT_INVALID_INPUT) from None
    err.print(
        f"registered {new.source_id}: {new.path} (sha256 {new.sha256[:12]}), facts file {new.facts_path}"
    )
    err.print(
        f"next: techhubs propose {new.source_id}; review the candidates; techhubs validate; techhubs refresh"
    )


@app.command()
def propose(
    source_id: Annotated[str, typer.Argument(help="A registered article's source_id.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write here instead of seeds/facts/<source_id>.yml."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite a facts file that already has facts.")
    ] = False,
    seeds: SeedsOpt = None,
) -> None:
    """Draft candidate facts for an article (all unreviewed) from its text and the reference data."""
    from etl.curation.draft import render
    from etl.curation.propose import propose_article
    from etl.sources.periods import StatementDate
    from etl.sources.seed_files import load_yaml, read_manifest, read_reference

    settings = Settings.from_env(seeds)
    problems: list = []
    entries = {e.source_id: e for e in read_manifest(settings.seeds_dir / "articles", problems)}
    ref = read_reference(settings.seeds_dir / "reference", problems)
    if source_id not in entries:
        err.print(f"unknown source {source_id!r}; registered: {', '.join(sorted(entries))}")
        raise typer.Exit(refresh_mod.EXIT_INVALID_INPUT)
    entry = entries[source_id]
    text = (settings.seeds_dir / "articles" / entry.file).read_text(encoding="utf-8")
    proposal = propose_article(text, StatementDate.parse(entry.published_on), ref.places, ref.firms)
    target = out or settings.seeds_dir / "facts" / f"{source_id}.yml"
    if target.exists() and not force:
        current = load_yaml(target) or {}
        if current.get("numbers") or current.get("relations") or current.get("statements"):
            err.print(
                f"{target} already has facts; use --out FILE to draft elsewhere, or --force to replace"
            )
            raise typer.Exit(1)
    target.write_text(render(proposal, source_id), encoding="utf-8")
    err.print(
        f"wrote {len(proposal.numbers)} candidate numbers and {len(proposal.relations)} candidate relations "
        f"to {target}, all unreviewed"
    )
    if proposal.proposed_firms or proposal.proposed_places:
        err.print(
            f"proposed reference rows (in the file's header): {len(proposal.proposed_places)} places "
            f"({', '.join(proposal.unknown_places) or 'none'}), {len(proposal.proposed_firms)} firms "
            f"({', '.join(proposal.unknown_firms) or 'none'})"
        )


@app.command()
def synth(
    articles: Annotated[int, typer.Option("--articles", help="How many articles in all.")],
    out: Annotated[Path, typer.Option("--out", help="A seeds folder to write (not seeds/).")],
    seed: Annotated[int, typer.Option("--seed")] = 1,
    numbers: Annotated[int, typer.Option("--numbers", help="Numeric facts per article.")] = 45,
    relations: Annotated[int, typer.Option("--relations", help="Relations per article.")] = 5,
) -> None:
    """Write a deterministic synthetic corpus (articles, CSV facts, manifest) for benchmarks.

    Running it again with more --articles adds only the new ones."""
    from etl.curation.synth import synth as run_synth

    if out.resolve() == (Settings().seeds_dir).resolve():
        err.print("refused: --out is the real seeds folder; synthetic articles go elsewhere")
        raise typer.Exit(2)
    result = run_synth(out, articles, seed, Settings().seeds_dir / "reference", numbers, relations)
    err.print(
        f"wrote {result.articles} new articles ({result.numbers} numbers, {result.relations} relations) "
        f"to {result.out}; refresh it with: techhubs refresh --seeds {result.out} --warehouse DIR"
    )


@app.command()
def rollback(
    warehouse: WarehouseOpt = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Part of a history file's name (run id or time).")
    ] = None,
    list_only: Annotated[
        bool, typer.Option("--list", help="List the files that can be restored.")
    ] = False,
    wait: Annotated[
        float, typer.Option("--wait", help="Seconds to wait for a running refresh.")
    ] = 0.0,
) -> None:
    """Put a previously published warehouse back (the current one is kept in the history)."""
    from etl.build.publish import history, published_fingerprint

    settings = Settings.from_env(None, warehouse, lock_timeout=wait)
    if list_only:
        for path in history(settings):
            out.print(f"{path.name}  fingerprint {str(published_fingerprint(path))[:12]}")
        return
    record = refresh_mod.rollback(settings, to)
    if record.status == "rolled_back":
        err.print(
            f"restored {record.published} as {settings.published_path}; "
            f"the replaced file is kept as {record.previous}. "
            "A scheduled refresh will rebuild from the current inputs: fix them, or pause the schedule."
        )
    else:
        err.print(f"rollback {record.status}: {record.error}", markup=False)
    raise typer.Exit(record.exit_code or 0)


@app.command()
def runs(
    warehouse: WarehouseOpt = None,
    last: Annotated[int, typer.Option("--last", help="How many of the latest runs to show.")] = 20,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List recent refresh runs from the run log, newest last."""
    settings = Settings.from_env(None, warehouse)
    records = refresh_mod.read_runs(settings)[-last:]
    if as_json:
        out.print_json(json.dumps(records))
        return
    table = Table(show_edge=False)
    for col in ("run_id", "started_at", "status", "stage", "exit", "seconds", "build", "changes"):
        table.add_column(col)
    for r in records:
        changes = ", ".join(f"{k} {v}" for k, v in (r.get("changes") or {}).items() if v)
        table.add_row(
            r["run_id"],
            r["started_at"],
            r["status"],
            r["stage"],
            str(r.get("exit_code")),
            str(r.get("seconds")),
            r.get("build_mode") or "",
            changes,
        )
    out.print(table)


if __name__ == "__main__":
    app()
