"""Every client named in the issue opens the published file read-only, while another reader
holds it, lists the tables and runs the README's example queries with identical answers."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from etl.build.publish import EXTRA_TABLES, PUBLIC_TABLES
from etl.outputs.export import export, export_staging, staging_source_tables
from etl.settings import PROJECT_DIR

pytestmark = pytest.mark.e2e

NODE_DIR = PROJECT_DIR / "tests" / "clients" / "node"
DUCKDB11 = Path(
    os.environ.get("TECHHUBS_DUCKDB11_PYTHON", PROJECT_DIR / ".venv-duckdb11" / "bin" / "python")
)
NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def readme_queries() -> list[str]:
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    return [q.strip() for q in re.findall(r"```sql\n(.*?)```", readme, flags=re.S)]


def canon(value):
    """One spelling per value whatever the client: numbers to 9 significant digits, dates ISO."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | decimal.Decimal):
        return float(f"{float(value):.9g}")
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if NUMBER.match(text):
        return float(f"{float(text):.9g}")
    if text in ("true", "false"):
        return text == "true"
    return text


def canon_rows(rows) -> list[list]:
    return [[canon(v) for v in row] for row in rows]


@pytest.fixture(scope="module")
def reference(built):
    con = duckdb.connect(str(built.published_path), read_only=True)
    try:
        tables = sorted(r[0] for r in con.execute("show tables").fetchall())
        return tables, [canon_rows(con.execute(q).fetchall()) for q in readme_queries()]
    finally:
        con.close()


@pytest.fixture
def holder(built):
    """Another reader holding the file open for the whole test."""
    con = duckdb.connect(str(built.published_path), read_only=True)
    con.execute("select count(*) from fct_metric_observation").fetchone()
    yield con
    con.close()


def test_reference_lists_every_public_table(reference):
    tables, answers = reference
    assert set(PUBLIC_TABLES + EXTRA_TABLES) == set(tables)
    assert len(answers) >= 8 and all(answers)


def test_python_duckdb_and_pandas(built, reference, holder):
    tables, answers = reference
    script = textwrap.dedent("""
        import json, sys, duckdb
        con = duckdb.connect(sys.argv[1], read_only=True)
        out = [[r[0] for r in con.execute("show tables").fetchall()]]
        for q in json.load(open(sys.argv[2])):
            df = con.sql(q).df()
            out.append(json.loads(df.to_json(orient="values", date_format="iso", double_precision=15)))
        print(json.dumps(out))
    """)
    got = _run_json([sys.executable, "-c", script], built)
    _compare(got, tables, answers, dates_as_timestamps=True)


def test_sqlalchemy_inspector_and_queries_superset_path(built, reference, holder, tmp_path):
    """The URI and engine parameters of docs/bi-tools.md, used verbatim, in a process of its own
    (as Superset is): the inspector calls a BI tool makes, then the README queries."""
    guide = (PROJECT_DIR / "docs" / "bi-tools.md").read_text(encoding="utf-8")
    superset = guide[guide.index("## Superset") : guide.index("## Metabase")]
    uri = re.search(r"```text\n(duckdb:///.*?)\n```", superset).group(1)
    params = json.loads(re.search(r"```json\n(.*?)\n```", superset, flags=re.S).group(1))
    uri = uri.replace("/srv/tech-hubs/warehouse/tech_hubs.duckdb", str(built.published_path))
    queries = tmp_path / "queries.json"
    queries.write_text(json.dumps(readme_queries()))
    run = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).parent / "superset_path.py"),
            uri,
            json.dumps(params),
            str(queries),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    tables, answers = reference
    assert "tech_hubs.main" in got["schemas"]
    assert sorted(got["tables"]) == tables and got["views"] == []
    for table in tables:
        assert got["columns"][table] and all(c[2] for c in got["columns"][table]), table
        assert got["comments"][table], table
    assert [canon_rows(rows) for rows in got["answers"]] == answers
    assert got["primary_keys"] == len(tables)  # every public table has a primary key in the file


@pytest.mark.xfail(
    strict=True, reason="duckdb_engine 0.17 cannot reflect keys (issue #594: REGCLASS)"
)
def test_sqlalchemy_inspector_reflects_primary_keys(built):
    import sqlalchemy as sa

    engine = sa.create_engine(f"duckdb:///{built.published_path}", connect_args={"read_only": True})
    try:
        assert sa.inspect(engine).get_pk_constraint("dim_city")["constrained_columns"] == [
            "city_id"
        ]
    finally:
        engine.dispose()


def test_duckdb_cli(built, reference, holder):
    cli = Path(sys.executable).parent / "duckdb"
    if not cli.exists():
        pytest.skip(f"the duckdb-cli package is not installed ({cli} missing)")
    tables, answers = reference
    out = subprocess.run(
        [str(cli), "-readonly", "-json", str(built.published_path), "-c", "show tables"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert sorted(r["name"] for r in json.loads(out.stdout)) == tables
    for sql, expected in zip(readme_queries(), answers, strict=True):
        out = subprocess.run(
            [str(cli), "-readonly", "-json", str(built.published_path), "-c", sql],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        rows = json.loads(out.stdout) if out.stdout.strip() else []
        assert canon_rows([list(r.values()) for r in rows]) == expected, sql


def test_node_api(built, reference, holder, tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    if not (NODE_DIR / "node_modules" / "@duckdb" / "node-api").exists():
        pytest.skip(f"@duckdb/node-api is not installed in {NODE_DIR} (make clients installs it)")
    queries = tmp_path / "queries.json"
    queries.write_text(json.dumps(readme_queries()))
    out = subprocess.run(
        [node, str(NODE_DIR / "query.mjs"), str(built.published_path), str(queries)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    _compare(json.loads(out.stdout), *reference)


def test_duckdb_1_1(built, reference, holder):
    if not DUCKDB11.exists():
        pytest.skip(f"no DuckDB 1.1 environment at {DUCKDB11} (make duckdb11 creates it)")
    script = textwrap.dedent("""
        import json, sys, duckdb
        assert duckdb.__version__.startswith("1.1"), duckdb.__version__
        con = duckdb.connect(sys.argv[1], read_only=True)
        out = [[r[0] for r in con.execute("show tables").fetchall()]]
        for q in json.load(open(sys.argv[2])):
            out.append([[str(v) if v is not None and not isinstance(v, (int, float, bool)) else v
                         for v in row] for row in con.execute(q).fetchall()])
        print(json.dumps(out))
    """)
    _compare(_run_json([str(DUCKDB11), "-c", script], built), *reference)


def test_parquet_export_reads_back_row_for_row(built, tmp_path):
    import polars as pl
    import pyarrow.parquet as pq

    manifest = export(built.published_path, tmp_path / "export")
    con = duckdb.connect(str(built.published_path), read_only=True)
    try:
        for table, entry in manifest["tables"].items():
            cols = [c["name"] for c in entry["columns"]]
            order = ", ".join(str(i + 1) for i in range(len(cols)))
            expected = con.execute(f"select * from {table} order by {order}").fetchall()
            arrow = pq.read_table(tmp_path / "export" / entry["files"]["parquet"]["path"])
            assert arrow.column_names == cols
            assert canon_rows(
                zip(*[arrow.column(c).to_pylist() for c in cols], strict=True)
            ) == canon_rows(expected)
            frame = pl.read_parquet(tmp_path / "export" / entry["files"]["parquet"]["path"])
            assert canon_rows(frame.rows()) == canon_rows(expected)
            assert entry["rows"] == len(expected)
            csv_lines = (
                (tmp_path / "export" / entry["files"]["csv"]["path"]).read_text().count("\n")
            )
            assert csv_lines >= len(expected) + 1
    finally:
        con.close()
    assert manifest["build"]["input_fingerprint"]


def test_staging_export_for_spark_reads_back_row_for_row(built, tmp_path):
    """Every table the dbt sources name, one Parquet folder each, equal to staging."""
    import pyarrow.parquet as pq

    tables = staging_source_tables(PROJECT_DIR)
    assert "fact_number" in tables and "alembic_version" not in tables
    out = tmp_path / "staging-parquet"
    (out / "stale").mkdir(parents=True)  # a previous export is replaced whole
    counts = export_staging(built.staging_path, out, tables)
    assert sorted(p.name for p in out.iterdir()) == sorted(tables)
    con = duckdb.connect(str(built.staging_path), read_only=True)
    try:
        for table in tables:
            cur = con.execute(f"select * from main.{table}")
            cols = [d[0] for d in cur.description]
            expected = cur.fetchall()
            arrow = pq.read_table(out / table / "data.parquet")
            assert arrow.column_names == cols
            got = list(zip(*[arrow.column(c).to_pylist() for c in cols], strict=True))
            assert canon_rows(got) == canon_rows(expected), table
            assert counts[table] == len(expected)
    finally:
        con.close()
    assert counts["fact_number"] == 44


def test_failed_export_leaves_the_previous_one_and_no_scraps(built, tmp_path):
    out = tmp_path / "staging-parquet"
    export_staging(built.staging_path, out, ["source"])
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    with pytest.raises(duckdb.CatalogException, match="no_such_table"):
        export_staging(built.staging_path, out, ["source", "no_such_table"])
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["staging-parquet"]


def test_staging_export_refuses_missing_staging_and_waits_for_a_refresh(built, tmp_path):
    cli = [sys.executable, "-m", "etl.cli", "export-staging"]
    empty = tmp_path / "empty-warehouse"
    empty.mkdir()
    out = tmp_path / "out"
    done = subprocess.run(
        [*cli, "--warehouse", str(empty), "--out", str(out)], capture_output=True, text=True
    )
    assert done.returncode == 1 and "no staging database" in done.stderr
    assert not out.exists() and list(empty.iterdir()) == []
    # a refresh (another process) holds the lock: the export waits, then gives up with exit 3
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import filelock, sys, time; l = filelock.FileLock(sys.argv[1]); l.acquire(); "
            "print('held', flush=True); time.sleep(60)",
            str(built.lock_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        done = subprocess.run(
            [*cli, "--warehouse", str(built.warehouse_dir), "--out", str(out), "--wait", "1"],
            capture_output=True,
            text=True,
        )
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 3 and "still holds" in done.stderr
    assert not out.exists()


def _run_json(cmd: list[str], built) -> list:
    queries = Path(built.warehouse_dir) / ".client-queries.json"
    queries.write_text(json.dumps(readme_queries()))
    out = subprocess.run(
        [*cmd, str(built.published_path), str(queries)], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _compare(got: list, tables: list, answers: list, dates_as_timestamps: bool = False) -> None:
    got_tables = [t[0] if isinstance(t, list) else t for t in got[0]]
    assert sorted(got_tables) == tables
    for rows, expected in zip(got[1:], answers, strict=True):
        rows = canon_rows(rows)
        if dates_as_timestamps:  # pandas turns DATE into a timestamp: compare the date part
            rows = [
                [
                    v[:10] if isinstance(v, str) and re.match(r"\d{4}-\d\d-\d\dT00:00:00", v) else v
                    for v in row
                ]
                for row in rows
            ]
        assert rows == expected
