"""Apache Superset, really running, against the published warehouse, through its REST API.

    make superset-check         # (Superset in its own venv: .venv-superset)
    .venv/bin/python scripts/superset_check.py [--warehouse DIR] [--hold-seconds 30] [--keep]

1. initialises Superset (SQLite metadata database in warehouse/.superset/, a fresh one per run;
   settings in bi/superset/superset_config.py): `superset db upgrade`, an admin user
   (`superset fab create-admin`), `superset init`;
2. starts it with gunicorn on 127.0.0.1 and a free port, and waits for /health;
3. logs in (/api/v1/security/login, then a CSRF token) and adds the warehouse as a database
   (POST /api/v1/database/) with the SQLAlchemy URI and engine parameters of docs/bi-tools.md
   used verbatim (only the example path replaced by this warehouse's);
4. lists its schemas, tables and every table's columns and descriptions through the API and
   compares them with the file;
5. runs the README's example questions through SQL Lab (POST /api/v1/sqllab/execute/) and
   compares every answer with `techhubs query`;
6. runs `techhubs refresh --force` while a SQL Lab query holds a connection to the file, then
   checks that the held query still answers from the build it opened, and that the next
   queries succeed and see the new build, with the same answers as `techhubs query`.
The server is stopped by its process id (its process group) whatever happens.
Exit status 0 when every check passes, 1 when one fails (the step and Superset's answer say why).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

import duckdb  # noqa: E402
from rich.console import Console  # noqa: E402

from tests.clients.test_clients import canon_rows, readme_queries  # noqa: E402

CONFIG = PROJECT / "bi" / "superset" / "superset_config.py"
GUIDE = PROJECT / "docs" / "bi-tools.md"
EXAMPLE_PATH = "/srv/tech-hubs/warehouse/tech_hubs.duckdb"  # the path the guide's URI shows
TECHHUBS = Path(sys.executable).parent / "techhubs"
MIDNIGHT = re.compile(r"^(\d{4}-\d\d-\d\d)T00:00:00(\.0+)?$")
console = Console(stderr=True)


class CheckFailed(Exception):
    def __init__(self, step: str, message: str) -> None:
        super().__init__(f"{step}: {message}")
        self.step = step


def step(message: str) -> None:
    console.print(f"[bold]•[/bold] {message}", highlight=False, soft_wrap=True)


def detail(message: str) -> None:
    console.print(f"  {message}", highlight=False, markup=False, soft_wrap=True)


# --- what the guide says and what the file holds ---------------------------------------------


def guide_connection(published: Path) -> tuple[str, dict]:
    """The Superset section's SQLAlchemy URI and engine parameters, verbatim but for the path."""
    text = GUIDE.read_text(encoding="utf-8")
    try:
        section = text[text.index("## Superset") : text.index("\n## ", text.index("## Superset"))]
    except ValueError:
        raise CheckFailed("read docs/bi-tools.md", "no '## Superset' section") from None
    uri = re.search(r"```text\n(duckdb:///.*?)\n```", section)
    params = re.search(r"```json\n(.*?)\n```", section, flags=re.S)
    if not uri or not params:
        raise CheckFailed("read docs/bi-tools.md", "no ```text URI or ```json engine parameters")
    if EXAMPLE_PATH not in uri.group(1):
        raise CheckFailed("read docs/bi-tools.md", f"the URI does not use {EXAMPLE_PATH}")
    return uri.group(1).replace(EXAMPLE_PATH, str(published)), json.loads(params.group(1))


def file_catalogue(published: Path) -> dict[str, dict]:
    """Every table of the file: its description and its columns' names and descriptions."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        tables = {
            name: {"comment": comment, "columns": []}
            for name, comment in con.execute(
                "select table_name, comment from duckdb_tables() where schema_name = 'main'"
            ).fetchall()
        }
        for table, column, comment in con.execute(
            "select table_name, column_name, comment from duckdb_columns() "
            "where schema_name = 'main' order by table_name, column_index"
        ).fetchall():
            if table in tables:
                tables[table]["columns"].append((column, comment))
        return tables
    finally:
        con.close()


def techhubs_query(warehouse: Path, sql: str) -> list[list]:
    """One query through `techhubs query --format json`: rows as lists, in column order."""
    done = subprocess.run(
        [str(TECHHUBS), "query", "--warehouse", str(warehouse), "--format", "json", sql],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise CheckFailed("techhubs query", f"exit {done.returncode}: {done.stderr.strip()}")
    return [list(row.values()) for row in json.loads(done.stdout or "[]")]


def same_answer(rows: list[list]) -> list[list]:
    """canon_rows of the client tests, with pandas' midnight timestamps for DATEs as dates."""
    return canon_rows(
        [[MIDNIGHT.sub(r"\1", v) if isinstance(v, str) else v for v in row] for row in rows]
    )


# --- Superset: its command line, its server, its REST API ------------------------------------


class Superset:
    def __init__(self, venv: Path, state: Path) -> None:
        self.venv = venv
        self.state = state
        self.log = state / "superset.log"
        self.env = {
            **os.environ,
            "SUPERSET_CONFIG_PATH": str(CONFIG),
            "SUPERSET_SECRET_KEY": secrets.token_urlsafe(42),
            "TECHHUBS_SUPERSET_STATE": str(state),
            "SUPERSET_HOME": str(state),  # nothing in ~/.superset
            "SUPERSET_LOAD_EXAMPLES": "no",
        }
        self.proc: subprocess.Popen | None = None
        self.port = 0

    def version(self) -> str:
        done = subprocess.run(
            [
                str(self.venv / "bin" / "python"),
                "-c",
                "from importlib.metadata import version; print(version('apache-superset'))",
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise CheckFailed("find Superset", done.stderr.strip()[-2000:])
        return done.stdout.strip()

    def cli(self, what: str, *args: str) -> None:
        t0 = time.perf_counter()
        with self.log.open("a") as log:
            log.write(f"\n$ superset {' '.join(args)}\n")
            log.flush()
            done = subprocess.run(
                [str(self.venv / "bin" / "superset"), *args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        if done.returncode != 0:
            raise CheckFailed(what, f"`superset {args[0]}` exited {done.returncode}\n{self.tail()}")
        detail(f"{what} ({time.perf_counter() - t0:.0f} s)")

    def start(self, timeout: float = 180) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        log = self.log.open("a")
        log.write("\n$ gunicorn superset.app:create_app()\n")
        log.flush()
        self.proc = subprocess.Popen(
            [
                str(self.venv / "bin" / "gunicorn"),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--timeout",
                "300",
                "superset.app:create_app()",
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so stop() ends the workers too
        )
        log.close()
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < timeout:
            if self.proc.poll() is not None:
                raise CheckFailed(
                    "start Superset", f"gunicorn exited {self.proc.returncode}\n{self.tail()}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=5) as resp:
                    if resp.status == 200 and resp.read().strip() == b"OK":
                        detail(
                            f"pid {self.proc.pid}, {self.url}, healthy after "
                            f"{time.perf_counter() - t0:.0f} s"
                        )
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        raise CheckFailed("start Superset", f"/health not OK after {timeout:.0f} s\n{self.tail()}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        step(f"Superset stopped (pid {self.proc.pid}, exit {self.proc.returncode})")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def tail(self, lines: int = 40) -> str:
        if not self.log.exists():
            return ""
        text = self.log.read_text(errors="replace").splitlines()
        return f"last lines of {self.log}:\n" + "\n".join(text[-lines:])


class Api:
    """A logged-in REST client: a bearer token, a CSRF token and the session cookie it needs."""

    def __init__(self, base: str, username: str, password: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.headers = {"Referer": base}
        body = self.call(
            "log in",
            "POST",
            "/api/v1/security/login",
            {"username": username, "password": password, "provider": "db", "refresh": True},
        )
        self.headers["Authorization"] = f"Bearer {body['access_token']}"
        self.headers["X-CSRFToken"] = self.call(
            "CSRF token", "GET", "/api/v1/security/csrf_token/"
        )["result"]

    def call(
        self,
        what: str,
        method: str,
        path: str,
        payload: dict | None = None,
        params: dict | None = None,
        timeout: float = 330,
    ) -> dict:
        url = self.base + path + ("?" + urllib.parse.urlencode(params) if params else "")
        data = json.dumps(payload).encode() if payload is not None else None
        headers = {**self.headers, "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with self.opener.open(request, timeout=timeout) as resp:
                return json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise CheckFailed(
                what, f"{method} {path} returned HTTP {exc.code}: {_message(exc.read())}"
            ) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            raise CheckFailed(what, f"{method} {path} failed: {exc}") from None

    def sql(self, what: str, database_id: int, sql: str) -> tuple[list[list], dict]:
        """One SQL Lab query, run synchronously: rows as lists in column order, and the payload."""
        body = self.call(
            what,
            "POST",
            "/api/v1/sqllab/execute/",
            {"database_id": database_id, "sql": sql, "runAsync": False, "queryLimit": 10000},
        )
        if body.get("status") != "success":
            raise CheckFailed(what, f"SQL Lab answered status {body.get('status')!r}: {body}")
        names = [c["column_name"] for c in body["columns"]]
        return [[row.get(n) for n in names] for row in body["data"]], body


def _message(raw: bytes) -> str:
    try:
        body = json.loads(raw)
    except ValueError:
        text = raw.decode(errors="replace")
        title = re.search(r"<title>(.*?)</title>", text, flags=re.S)
        return title.group(1).strip() if title else text[:500]
    if isinstance(body, dict):
        if body.get("errors"):
            return "; ".join(e.get("message", str(e)) for e in body["errors"])
        if "message" in body:
            return (
                json.dumps(body["message"])
                if not isinstance(body["message"], str)
                else body["message"]
            )
    return json.dumps(body)[:1000]


def rison_string(value: str) -> str:
    return "'" + value.replace("!", "!!").replace("'", "!'") + "'"


# --- the checks ------------------------------------------------------------------------------


def check_catalogue(api: Api, db_id: int, published: Path) -> None:
    expected = file_catalogue(published)
    schema = f"{published.stem}.main"  # duckdb_engine names schemas <catalog>.<schema>
    schemas = api.call("list schemas", "GET", f"/api/v1/database/{db_id}/schemas/")["result"]
    if schema not in schemas:
        raise CheckFailed("list schemas", f"{schema!r} not among {schemas}")
    detail(f"schemas: {', '.join(schemas)}")
    listed = api.call(
        "list tables",
        "GET",
        f"/api/v1/database/{db_id}/tables/",
        params={"q": f"(schema_name:{rison_string(schema)})"},
    )["result"]
    tables = sorted(t["value"] for t in listed)
    if tables != sorted(expected):
        raise CheckFailed(
            "list tables", f"Superset lists {tables}, the file has {sorted(expected)}"
        )
    detail(f"tables in {schema}: {len(tables)}, the same as in the file")
    n_columns = 0
    for table in tables:
        meta = api.call(
            f"columns of {table}",
            "GET",
            f"/api/v1/database/{db_id}/table_metadata/",
            params={"name": table, "schema": schema},
        )
        got = [(c["name"], c.get("comment")) for c in meta["columns"]]
        if got != expected[table]["columns"]:
            raise CheckFailed(
                f"columns of {table}",
                f"Superset shows {got}, the file has {expected[table]['columns']}",
            )
        if meta.get("comment") != expected[table]["comment"]:
            raise CheckFailed(
                f"description of {table}",
                f"Superset shows {meta.get('comment')!r}, the file has "
                f"{expected[table]['comment']!r}",
            )
        n_columns += len(got)
    detail(
        f"columns: {n_columns} in {len(tables)} tables, names, order and descriptions as in the file"
    )


def check_questions(api: Api, db_id: int, warehouse: Path, label: str) -> int:
    queries = readme_queries()
    for i, sql in enumerate(queries, 1):
        expected = same_answer(techhubs_query(warehouse, sql))
        if not expected:  # an empty answer would match anything empty
            raise CheckFailed(f"{label}: README question {i}", "`techhubs query` returns no rows")
        rows, _ = api.sql(f"{label}: README question {i}", db_id, sql)
        got = same_answer(rows)
        if got != expected:
            raise CheckFailed(
                f"{label}: README question {i}",
                f"SQL Lab answered {got}\n`techhubs query` answered {expected}\nquery:\n{sql}",
            )
    detail(f"{label}: {len(queries)} README questions, the same answers as `techhubs query`")
    return len(queries)


BUILD_SQL = "select build_id, input_fingerprint from warehouse_build"
HOLD_SQL = (
    "with recursive r(i) as (select 0 union all select i + 1 from r where i < {n}) "
    "select (select build_id from warehouse_build) as build_id, count(*) as steps from r"
)


def check_refresh(
    api: Api, make_api, db_id: int, warehouse: Path, hold_seconds: float, tries: int = 3
) -> tuple[str, str]:
    """`techhubs refresh --force` while a SQL Lab query holds the file; then the new build."""
    before = api.sql("build before the refresh", db_id, BUILD_SQL)[0][0][0]
    if before != techhubs_query(warehouse, BUILD_SQL)[0][0]:
        raise CheckFailed("build before the refresh", "Superset and `techhubs query` differ")
    detail(f"build before: {before}")
    # a query that takes a known time (a recursive CTE is one step after another)
    t0 = time.perf_counter()
    api.sql("time a holding query", db_id, HOLD_SQL.format(n=200_000))
    per_step = max((time.perf_counter() - t0) / 200_000, 1e-7)
    for attempt in range(1, tries + 1):
        n = int(hold_seconds / per_step)
        held: dict = {}
        other = make_api()  # its own HTTP session, logged in, for the thread

        def hold(n: int = n, held: dict = held, other: Api = other) -> None:
            try:
                held["rows"] = other.sql("the held query", db_id, HOLD_SQL.format(n=n))[0]
            except CheckFailed as exc:
                held["error"] = exc
            held["ended"] = time.perf_counter()

        holder = threading.Thread(target=hold, daemon=True)
        holder.start()
        time.sleep(2)  # the held query has opened its connection by now
        if "ended" in held:
            raise CheckFailed("hold a connection", f"the held query ended at once: {held}")
        step(
            f"techhubs refresh --force, while a SQL Lab query (~{hold_seconds:.0f} s) holds the file"
        )
        t0 = time.perf_counter()
        with subprocess.Popen(
            [str(TECHHUBS), "refresh", "--force", "--warehouse", str(warehouse)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
        ) as refresh:
            for line in refresh.stdout:  # its progress, as it goes
                detail(f"| {line.rstrip()}")
        refreshed = time.perf_counter()
        if refresh.returncode != 0:
            raise CheckFailed("techhubs refresh --force", f"exit {refresh.returncode}")
        detail(f"refresh done in {refreshed - t0:.0f} s")
        meanwhile = None  # a new query in the same Superset process while the held one runs
        if holder.is_alive():
            rows = api.sql("a query while the held one runs", db_id, BUILD_SQL)[0]
            if holder.is_alive():
                meanwhile = rows[0][0]
        detail("waiting for the held query")
        holder.join(timeout=hold_seconds * 4 + 300)
        if "error" in held:
            raise CheckFailed("the held query", str(held["error"]))
        if "rows" not in held:
            raise CheckFailed("the held query", "no answer (still running?)")
        if held["ended"] < refreshed:
            if attempt == tries:
                raise CheckFailed(
                    "hold a connection",
                    f"the held query ended before the refresh did, {tries} times "
                    "(raise --hold-seconds)",
                )
            hold_seconds = max(hold_seconds, refreshed - t0) * 3
            detail(f"the held query ended before the refresh; again, holding ~{hold_seconds:.0f} s")
            continue
        if held["rows"][0][0] != before:
            raise CheckFailed(
                "the held query",
                f"answered from build {held['rows'][0][0]}, not from {before} it opened",
            )
        detail(
            f"the held query spanned the refresh and answered from the build it opened ({before})"
        )
        if meanwhile is not None and meanwhile != before:
            raise CheckFailed(
                "a query while the held one runs",
                f"answered from build {meanwhile}, not {before}: DuckDB no longer shares one "
                "instance per file per process (docs/bi-tools.md says it does)",
            )
        if meanwhile is not None:
            detail(
                "a query started after the refresh, while the held one still ran in the same "
                f"Superset process, answered from the old build too ({before}): DuckDB shares "
                "one instance per file per process"
            )
        break
    after = api.sql("build after the refresh", db_id, BUILD_SQL)[0][0][0]
    published = techhubs_query(warehouse, BUILD_SQL)[0][0]
    if after == before or after != published:
        raise CheckFailed(
            "build after the refresh",
            f"Superset sees build {after}; before the refresh {before}; published {published}",
        )
    detail(f"build after: {after} (the new build; Superset's next query sees it)")
    return before, after


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=PROJECT / "warehouse",
        help="warehouse folder (default: warehouse/; built first when it has no published file)",
    )
    parser.add_argument(
        "--superset-venv",
        type=Path,
        default=Path(os.environ.get("TECHHUBS_SUPERSET_VENV", PROJECT / ".venv-superset")),
        help="virtual environment with apache-superset (default: .venv-superset)",
    )
    parser.add_argument(
        "--state",
        type=Path,
        default=PROJECT / "warehouse" / ".superset",
        help="Superset's metadata database and log, new each run (default: warehouse/.superset)",
    )
    parser.add_argument(
        "--hold-seconds",
        type=float,
        default=30,
        help="how long the query held open across the refresh runs (longer when it must be)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the state folder afterwards")
    args = parser.parse_args()

    started = time.perf_counter()
    warehouse = args.warehouse.resolve()
    published = warehouse / "tech_hubs.duckdb"
    superset = Superset(args.superset_venv.resolve(), args.state.resolve())
    ok = False
    try:
        if not (superset.venv / "bin" / "superset").exists():
            raise CheckFailed(
                "find Superset", f"no {superset.venv}/bin/superset (`make superset-check` makes it)"
            )
        version = superset.version()
        if not published.exists():
            step(f"no published file in {warehouse}: techhubs refresh")
            done = subprocess.run([str(TECHHUBS), "refresh", "--warehouse", str(warehouse)])
            if done.returncode != 0:
                raise CheckFailed("techhubs refresh", f"exit {done.returncode}")
        uri, engine_params = guide_connection(published)

        step(f"initialise Superset {version} (metadata database in {superset.state})")
        shutil.rmtree(superset.state, ignore_errors=True)
        superset.state.mkdir(parents=True)
        password = secrets.token_urlsafe(16)
        superset.cli("superset db upgrade", "db", "upgrade")
        superset.cli(
            "admin user",
            *("fab", "create-admin", "--username", "admin", "--password", password),
            *("--firstname", "Check", "--lastname", "Admin", "--email", "admin@localhost"),
        )
        superset.cli("superset init (roles and permissions)", "init")

        step("start Superset (gunicorn, 127.0.0.1 only)")
        superset.start()

        def make_api() -> Api:
            return Api(superset.url, "admin", password)

        api = make_api()
        step(
            f"add the warehouse as a database: {uri}  engine parameters {json.dumps(engine_params)}"
        )
        created = api.call(
            "add the database",
            "POST",
            "/api/v1/database/",
            {
                "database_name": "tech_hubs",
                "sqlalchemy_uri": uri,
                "extra": json.dumps({"engine_params": engine_params}),
                "expose_in_sqllab": True,
            },
        )
        db_id = created["id"]
        if created["result"]["sqlalchemy_uri"] != uri:
            raise CheckFailed("add the database", f"Superset stored {created['result']}")
        detail(f"database id {db_id}, driver {created['result'].get('driver')}")

        step("schemas, tables and columns through the API")
        check_catalogue(api, db_id, published)

        step("the README's example questions through SQL Lab")
        n = check_questions(api, db_id, warehouse, "before the refresh")

        before, after = check_refresh(api, make_api, db_id, warehouse, args.hold_seconds)

        step("the README's example questions again, on the new build")
        check_questions(api, db_id, warehouse, "after the refresh")
        ok = True
    except CheckFailed as exc:
        console.print(f"[bold red]FAILED[/bold red] at step '{exc.step}'", highlight=False)
        console.print(str(exc), markup=False, highlight=False, soft_wrap=True)
    finally:
        superset.stop()
    seconds = time.perf_counter() - started
    if ok:
        print(
            f"OK: Superset {version} on 127.0.0.1 read the warehouse with the guide's settings: "
            f"catalogue, {n} README questions before and after a refresh (build {before} -> "
            f"{after}) ({seconds:.0f} s)"
        )
        if not args.keep:
            shutil.rmtree(superset.state, ignore_errors=True)
        return 0
    log = f"; Superset's log: {superset.log}" if superset.log.exists() else ""
    print(f"FAILED: Superset check ({seconds:.0f} s){log}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
