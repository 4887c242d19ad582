"""The Evidence project (bi/evidence/) on the published file.

Evidence's npm packages install from the registry; Evidence's own source loader and DuckDB
connector open the published file read-only, through the path in connection.yaml, while
another reader holds it, and every source query returns the rows Python's duckdb returns;
every page query runs on the tables those queries make; its telemetry is off. The site itself (`evidence sources` and `evidence build`, served on
127.0.0.1 and opened in headless Chromium) also needs DuckDB-Wasm's parquet extension, which
DuckDB-Wasm fetches from extensions.duckdb.org: that test runs when the extension is built in,
or with EVIDENCE_SITE=1 on a machine that reaches that host, and says why it is skipped
otherwise."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
import yaml

from etl.settings import PROJECT_DIR, Settings
from tests.clients import test_report as browser
from tests.helpers import sha256

pytestmark = pytest.mark.e2e

EVIDENCE_DIR = PROJECT_DIR / "bi" / "evidence"
SOURCE_DIR = EVIDENCE_DIR / "sources" / "warehouse"
BUILD_DIR = EVIDENCE_DIR / "build"
EVIDENCE_BIN = EVIDENCE_DIR / "node_modules" / ".bin" / "evidence"
ARTIFACTS = PROJECT_DIR / "warehouse" / "test-artifacts"


def node_tools() -> None:
    for tool in ("npm", "node"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not found: the Evidence project needs Node.js 18 or newer and npm")


@pytest.fixture(scope="module")
def evidence_deps() -> Path:
    """bi/evidence/node_modules, installed by `make evidence-deps` (npm ci when the lock changed)."""
    node_tools()
    result = subprocess.run(
        ["make", "-s", "evidence-deps"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return EVIDENCE_DIR / "node_modules"


def evidence_env(db: Path) -> dict[str, str]:
    """The environment that points the project's `warehouse` source at another DuckDB file.

    Evidence's DuckDB connector joins `filename` to the source folder, so it is given relative
    to that folder (EVIDENCE_SOURCE__<source>__<option> overrides connection.yaml)."""
    env = dict(os.environ)
    env["EVIDENCE_SOURCE__warehouse__filename"] = os.path.relpath(db, SOURCE_DIR)
    return env


def node(script: str, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["node", script],
        cwd=EVIDENCE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def js_value(value):
    """A DuckDB value as Evidence's connector hands it on (dates as JS Dates in UTC, no BigInt)."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00.000Z"
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    return float(f"{float(value):.12g}")


def js_rows(rows: list[dict], columns: list[str]) -> list[tuple]:
    return sorted((tuple(js_value(row[c]) for c in columns) for row in rows), key=repr)


def test_connection_points_at_the_published_file():
    """connection.yaml names the published file by a path that holds in any clone."""
    conn = yaml.safe_load((SOURCE_DIR / "connection.yaml").read_text(encoding="utf-8"))
    assert conn["type"] == "duckdb" and conn["name"] == "warehouse"
    filename = conn["options"]["filename"]
    assert not os.path.isabs(filename)  # the connector joins it to the source folder
    assert (SOURCE_DIR / filename).resolve() == Settings().published_path.resolve()
    settings = json.loads((EVIDENCE_DIR / "evidence.settings.json").read_text(encoding="utf-8"))
    assert settings["send_anonymous_usage_stats"] == "no"


PAGE_QUERY = re.compile(r"```sql (\w+)\n(.*?)```", re.S)
PLACEHOLDER = re.compile(r"\$\{([\w.]+)\}")


def test_page_queries_run_on_the_source_tables(built):
    """Every query of every page, on tables made by the project's source queries (as Evidence
    makes its `warehouse.<query>` tables), for every city, article and metric the pages offer.
    Native DuckDB here; Evidence runs the same SQL in DuckDB-Wasm."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{built.published_path}' as published (read_only)")
        con.execute("create schema memory.warehouse")
        for sql_file in sorted(SOURCE_DIR.glob("*.sql")):
            con.execute("use published")
            con.execute(f"create table memory.warehouse.{sql_file.stem} as {sql_file.read_text()}")
        con.execute("use memory")
        values = {
            "params.city_id": [
                r[0] for r in con.execute("select city_id from warehouse.cities").fetchall()
            ],
            "params.source_id": [
                r[0] for r in con.execute("select source_id from warehouse.articles").fetchall()
            ],
            "inputs.metric.value": [
                r[0]
                for r in con.execute(
                    "select distinct metric_id from warehouse.city_metric_year"
                ).fetchall()
            ],
        }
        for page in sorted((EVIDENCE_DIR / "pages").rglob("*.md")):
            queries = PAGE_QUERY.findall(page.read_text(encoding="utf-8"))
            assert queries, page
            for name, sql in queries:
                names = set(PLACEHOLDER.findall(sql))
                assert names <= set(values), (page.name, name, names)
                if not names:
                    assert con.execute(sql).fetchall(), (page.name, name)  # no page is empty
                    continue
                (placeholder,) = names
                found = 0
                for value in values[placeholder]:
                    found += len(
                        con.execute(sql.replace("${" + placeholder + "}", value)).fetchall()
                    )
                assert found, (page.name, name)
    finally:
        con.close()


def test_evidence_reads_the_published_file_read_only(built, evidence_deps):
    db = built.published_path
    before = sha256(db)
    holder = duckdb.connect(str(db), read_only=True)  # another reader holds the file throughout
    try:
        result = node("scripts/read-sources.mjs", evidence_env(db))
        assert result.returncode == 0, result.stderr[-3000:]
        source = json.loads(result.stdout)["warehouse"]
        assert source["options"]["filename"] == os.path.relpath(db, SOURCE_DIR)
        files = sorted(p.stem for p in SOURCE_DIR.glob("*.sql"))
        assert sorted(source["queries"]) == files and len(files) >= 8
        for name in files:
            query = source["queries"][name]
            cur = holder.execute((SOURCE_DIR / f"{name}.sql").read_text(encoding="utf-8"))
            columns = [d[0] for d in cur.description]
            expected = sorted((tuple(js_value(v) for v in row) for row in cur.fetchall()), key=repr)
            assert [c["name"] for c in query["columnTypes"]] == columns, name
            assert query["expectedRowCount"] == len(expected) == len(query["rows"]), name
            assert js_rows(query["rows"], columns) == expected, name
        build = source["queries"]["build"]["rows"][0]
        assert (
            build["storage_version"]
            == holder.execute("select storage_version from warehouse_build").fetchall()[0][0]
        )
    finally:
        holder.close()
    assert sha256(db) == before  # read, never written


def test_evidence_reports_a_missing_file_clearly(tmp_path, evidence_deps):
    result = node("scripts/read-sources.mjs", evidence_env(tmp_path / "missing.duckdb"))
    assert result.returncode == 3 and "cannot connect to source warehouse" in result.stderr
    assert not (tmp_path / "missing.duckdb").exists()  # read-only: nothing created


def test_telemetry_is_off(tmp_path, evidence_deps):
    """Evidence's telemetry module, run as the CLI runs it, sends nothing with this project's
    settings: it makes no anonymous profile (it always does before it sends an event)."""
    telemetry = EVIDENCE_DIR / "node_modules" / "@evidence-dev" / "telemetry" / "index.cjs"
    script = f"require({json.dumps(str(telemetry))}).logQueryEvent('build-start')"

    def profile_after_event(settings: bool, prefix: list[str]) -> bool:
        root = tmp_path / ("settings" if settings else "defaults")
        (root / "project").mkdir(parents=True)
        (root / "customization").mkdir()
        if settings:
            shutil.copy(EVIDENCE_DIR / "evidence.settings.json", root / "project")
        run = subprocess.run(
            [*prefix, "node", "-e", script],
            cwd=root / "project",
            capture_output=True,
            text=True,
            timeout=90,
        )
        assert run.returncode == 0, run.stderr[-2000:]
        return (root / "customization" / ".profile.json").exists()

    assert not profile_after_event(True, [])
    # The check can fail: with Evidence's defaults the same call makes a profile and sends the
    # event; run that only in a network namespace with no network, so nothing leaves.
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0:
        assert profile_after_event(False, ["unshare", "-n"])


class TableText(HTMLParser):
    """The text of every table row and every link target of a page."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.hrefs: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_text(html: str) -> TableText:
    parser = TableText()
    parser.feed(html)
    return parser


@contextlib.contextmanager
def serve(folder: Path):
    """Python's http.server on 127.0.0.1 in a second process, serving folder."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=2).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, (
                    "http.server did not start"
                )
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def fmt_number(value: float) -> str:
    """The pages' '#,##0.###' format."""
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def test_site_renders_in_chromium(built, evidence_deps, tmp_path):
    probe = node("scripts/duckdb-wasm-parquet.mjs", dict(os.environ), timeout=60)
    assert probe.returncode == 0, probe.stderr[-2000:]
    wasm = json.loads(probe.stdout)
    if not wasm["parquet_builtin"] and os.environ.get("EVIDENCE_SITE") != "1":
        pytest.skip(
            f"{wasm['package']} (DuckDB {wasm['duckdb']}), which Evidence uses to write and read "
            "its Parquet files, has no parquet extension built in and fetches it from "
            "extensions.duckdb.org, which this machine cannot reach; set EVIDENCE_SITE=1 where "
            "it can"
        )
    browser.chromium()  # skips when there is none
    env = evidence_env(built.published_path)
    try:
        subprocess.run(
            [str(EVIDENCE_BIN), "sources", "--strict"],
            cwd=EVIDENCE_DIR,
            env=env,
            check=True,
            timeout=300,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("evidence sources did not finish in 300 s: is extensions.duckdb.org reachable?")
    subprocess.run(["npm", "run", "build"], cwd=EVIDENCE_DIR, env=env, check=True, timeout=900)
    assert (BUILD_DIR / "index.html").exists()

    con = duckdb.connect(str(built.published_path), read_only=True)
    try:
        hubs = con.execute(
            """select c.city_name, count(*), count(distinct p.firm_id)
               from fct_firm_presence p join dim_city c using (city_id)
               group by c.city_name"""
        ).fetchall()
        wuhan = con.execute(
            """select y.year, m.metric_name, y.value, o.source_id, o.fact_id
               from fct_city_metric_year y join dim_metric m using (metric_id)
               join fct_metric_observation o on o.observation_id = y.preferred_observation_id
               where y.city_id = 'wuhan'"""
        ).fetchall()
    finally:
        con.close()
    assert hubs and wuhan

    with serve(BUILD_DIR) as base:
        index = browser.run_chromium(
            base + "/", "--dump-dom", "--virtual-time-budget=20000", user_dir=tmp_path / "p1"
        )
        assert index.returncode == 0, index.stderr[-2000:]
        assert browser.console_errors(index.stderr) == []
        rows = page_text(index.stdout).rows
        for city, presences, firms in hubs:  # every hub's counts, as the published file has them
            assert any(
                r and r[0] == city and str(presences) in r and str(firms) in r for r in rows
            ), city

        page = browser.run_chromium(
            base + "/cities/wuhan/",
            "--dump-dom",
            "--virtual-time-budget=20000",
            user_dir=tmp_path / "p2",
        )
        assert page.returncode == 0 and browser.console_errors(page.stderr) == []
        text = page_text(page.stdout)
        for year, metric, value, source_id, fact_id in wuhan:
            assert any(
                str(year) in r and metric in r and fmt_number(value) in r for r in text.rows
            ), (year, metric)
            link = f"/sources/{source_id}#{fact_id}"
            assert link in {h.replace("/#", "#") for h in text.hrefs}, link
            # every number's link lands on its quote
            with urllib.request.urlopen(f"{base}/sources/{source_id}/", timeout=10) as r:
                assert f'id="{fact_id}"' in r.read().decode("utf-8"), link

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / "evidence.png"
        result = browser.run_chromium(
            base + "/",
            f"--screenshot={shot}",
            "--window-size=1400,2400",
            "--virtual-time-budget=20000",
            user_dir=tmp_path / "p3",
        )
        assert result.returncode == 0 and shot.stat().st_size > 50_000, result.stderr[-2000:]
