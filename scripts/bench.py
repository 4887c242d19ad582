"""Benchmark the warehouse at several corpus sizes; print a table. A measurement, not a test.

    .venv/bin/python scripts/bench.py [--scales 5,1000,20000] [--workdir /tmp/techhubs-bench]

For each scale (5 = the real seed articles; other sizes = `techhubs synth`):
- full refresh (cold: a new warehouse folder)
- peak memory of the full, +1 article and +1 % refreshes: the larger of the biggest single process
  (its max RSS) and all its processes at once (validation and the load run in a forked
  process, which forks validation's workers; their RSS summed, sampled every 50 ms: an upper
  bound, as pages a fork shares are counted in each process)
- the floor: the same transforms as plain SQL straight in DuckDB (dbt's compiled SQL of every
  model, run in dependency order against the same staging file, no tests), and the ratios
- no-op refresh (inputs unchanged; the median of three)
- refresh after adding one new article (what any small refresh costs at that size; not at 5,
  where the +1 % refresh is one article), from a copy of the state that is then put back
- refresh after adding 1 % new articles
- staging and published file sizes
- ten typical BI queries on the published file: median and p95 latency
Every refresh runs as its own process (`techhubs refresh`), as cron would run it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb

PROJECT = Path(__file__).resolve().parent.parent
TECHHUBS = [sys.executable, "-m", "etl.cli"]

BI_QUERIES = {
    "top cities by AI companies": """
        select c.city_name, max(o.value) as ai_companies from fct_metric_observation o
        join dim_city c on o.city_id = c.city_id and o.place_id = c.city_id
        where o.metric_id = 'ai_company_count' and o.is_preferred group by c.city_name order by 2 desc limit 10""",
    "firm presence matrix": """
        select coalesce(c.city_name, 'outside a city') as city, p.presence_type, count(*) as n
        from fct_firm_presence p left join dim_city c using (city_id) group by all order by 1, 2""",
    "metrics by year for Wuhan": """
        select y.year, m.metric_name, y.value_type, y.value from fct_city_metric_year y
        join dim_metric m using (metric_id) where y.city_id = 'wuhan' order by 1, 2""",
    "investments by firm in USD": """
        select f.firm_name, sum(o.value_usd) as usd, count(*) as n from fct_metric_observation o
        join dim_firm f using (firm_id) where o.metric_id = 'investment' and o.is_preferred
        group by f.firm_name order by usd desc""",
    "every fact from one source": """
        select e.fact_kind, e.fact_id, e.evidence_quote from fct_fact_evidence e
        where e.source_id = (select min(source_id) from dim_source) order by e.evidence_start""",
    "conflicts by metric": """
        select metric_id, count(*) as conflicts, avg(distinct_values) from dq_conflicts group by 1 order by 2 desc""",
    "province facts with quotes": """
        select pl.place_name, m.metric_name, o.value, o.evidence_quote from fct_metric_observation o
        join dim_place pl using (place_id) join dim_metric m using (metric_id)
        where o.province_id = 'sichuan' and o.is_preferred order by o.period_end desc limit 200""",
    "busiest metrics": """
        select metric_id, count(*) as observations, count(distinct source_id) as sources
        from fct_metric_observation group by 1 order by 2 desc limit 10""",
    "latest preferred values for Chengdu": """
        select metric_id, arg_max(value, year) as latest, max(year) as year from fct_city_metric_year
        where city_id = 'chengdu' and value_type = 'actual' group by 1 order by 1""",
    "targets vs actuals per city": """
        select city_id, count(*) filter (where value_type = 'target') as targets,
               count(*) filter (where value_type = 'actual') as actuals
        from fct_metric_observation where city_id is not null group by 1 order by 1""",
}


def _tree_rss_kb(root: int) -> int:
    """The resident set size of a process and all its descendants, summed (Linux /proc; 0
    elsewhere). /proc/PID/status, not smaps_rollup: reading the proportional set size of a
    3 GB process takes 40 ms of a core, too much to sample beside the refresh."""
    parents: dict[int, int] = {}
    try:
        names = os.listdir("/proc")
    except OSError:  # no /proc: the single process's max RSS stands alone
        return 0
    for name in names:
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as fh:
                    parents[int(name)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, total = {root}, 0
    grown = True
    while grown:
        grown = False
        for pid, ppid in parents.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grown = True
    for pid in tree:
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total


class TreeMemory:
    """Samples ``_tree_rss_kb`` of a process every 50 ms in a thread; ``stop`` returns the
    largest sample in MB."""

    def __init__(self, pid: int):
        self.pid, self.peak_kb = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(self.pid))

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_kb / 1024


def run_refresh(seeds: Path, warehouse: Path, *extra: str) -> tuple[float, float, dict]:
    """Run `techhubs refresh` as a process; return (seconds, peak memory in MB, its JSON
    record). Peak memory: the larger of its biggest single process's max RSS and the sampled
    sum over all its processes at once."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [
            *TECHHUBS,
            "refresh",
            "--seeds",
            str(seeds),
            "--warehouse",
            str(warehouse),
            "--json",
            *extra,
        ],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    sampler = TreeMemory(proc.pid)
    out = proc.stdout.read()
    together_mb = sampler.stop()  # before the wait: the process must still exist to be read
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    record = json.loads(out) if out.strip() else {}
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"refresh failed: {record.get('error')}")
    return seconds, max(usage.ru_maxrss / 1024, together_mb), record


def floor_seconds(warehouse: Path) -> float:
    """dbt's compiled SQL of every model, run directly in DuckDB in dependency order (no tests)."""
    target = warehouse / ".dbt" / "target"
    manifest = json.loads((target / "manifest.json").read_text())
    models = {k: n for k, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    order, seen = [], set()

    def visit(key: str) -> None:
        if key in seen or key not in models:
            return
        seen.add(key)
        for parent in manifest["parent_map"].get(key, []):
            visit(parent)
        order.append(key)

    for key in sorted(models):
        visit(key)
    floor_dir = warehouse / ".floor"
    shutil.rmtree(floor_dir, ignore_errors=True)
    floor_dir.mkdir()
    con = duckdb.connect(str(floor_dir / "tech_hubs.duckdb"))
    try:
        con.execute(f"attach '{warehouse / 'staging.duckdb'}' as staging_db (read_only)")
        con.execute("create schema if not exists staging; create schema if not exists intermediate")
        start = time.perf_counter()
        for key in order:
            node = models[key]
            sql = (target / "compiled" / "techhubs" / node["original_file_path"]).read_text()
            kind = "view" if node["config"]["materialized"] == "view" else "table"
            con.execute(f'create {kind} "tech_hubs"."{node["schema"]}"."{node["alias"]}" as {sql}')
        con.execute("checkpoint")
        return time.perf_counter() - start
    finally:
        con.close()
        shutil.rmtree(floor_dir, ignore_errors=True)


def query_latencies(published: Path, repeat: int) -> dict[str, tuple[float, float]]:
    con = duckdb.connect(str(published), read_only=True)
    out = {}
    try:
        for name, sql in BI_QUERIES.items():
            con.execute(sql).fetchall()  # warm
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                con.execute(sql).fetchall()
                times.append((time.perf_counter() - t0) * 1000)
            times.sort()
            out[name] = (
                statistics.median(times),
                times[min(len(times) - 1, int(0.95 * len(times)))],
            )
    finally:
        con.close()
    return out


def synth(seeds: Path, articles: int) -> None:
    """Append synthetic articles to ``seeds`` until it holds ``articles`` of them."""
    subprocess.run(
        [*TECHHUBS, "synth", "--articles", str(articles), "--out", str(seeds)],
        cwd=PROJECT,
        check=True,
        stderr=subprocess.DEVNULL,
    )


def one_article_refresh(n: int, seeds: Path, warehouse: Path) -> tuple[float, float, dict]:
    """A refresh after adding one article, from the warehouse as it is, which is then put back
    as it was: the +1 % refresh must start from the same state as without this one (an
    incremental build leaves free blocks in the file, and past the free share the next build
    is full). The warehouse is copied beside itself and renamed back, so that its path, and
    with it dbt's partial parse, stays the same; the copies are flushed to disk first, so that
    writing them out does not run into the measurement."""
    seeds_one, saved = seeds.with_name("seeds-one"), warehouse.with_name("warehouse-saved")
    shutil.rmtree(seeds_one, ignore_errors=True)
    shutil.rmtree(saved, ignore_errors=True)
    shutil.copytree(seeds, seeds_one)  # copy2 keeps mtimes: the fingerprint reuses its digests
    synth(seeds_one, n + 1)
    subprocess.run(["cp", "-a", str(warehouse), str(saved)], check=True)  # hard links stay links
    os.sync()
    try:
        result = run_refresh(seeds_one, warehouse)
    finally:
        shutil.rmtree(warehouse)
        saved.rename(warehouse)
        shutil.rmtree(seeds_one)
        os.sync()
    # The copy's files have other inodes: a refresh with nothing to do records the published
    # file's new identity (etl/build/publish.py), as the no-ops before left it, and says that the
    # warehouse is back as it was.
    check = run_refresh(seeds, warehouse)
    assert check[2]["status"] == "up_to_date", check
    return result


def bench_scale(n: int, workdir: Path, repeat: int) -> dict:
    base = workdir / str(n)
    shutil.rmtree(base, ignore_errors=True)
    seeds, warehouse = base / "seeds", base / "warehouse"
    if n == 5:
        shutil.copytree(PROJECT / "seeds", seeds)
    else:
        synth(seeds, n)
    full_s, full_mb, full = run_refresh(seeds, warehouse)
    floor = floor_seconds(warehouse)
    # the median of three: one sample of a sub-second process is at the mercy of a shared machine
    noops = [run_refresh(seeds, warehouse) for _ in range(3)]
    assert all(r[2]["status"] == "up_to_date" for r in noops), noops
    noop_s = statistics.median(r[0] for r in noops)
    one_s, one_mb, one = None, 0.0, {}  # at 5 the +1 % refresh is the one-article refresh
    if n == 5:  # one new article: a copy of the smallest seed article's facts under a new id
        shutil.copytree(seeds, base / "seeds-plus", dirs_exist_ok=True)
        seeds_plus = base / "seeds-plus"
        synth(seeds_plus, 1)
        for name in (
            "places.csv",
            "firms.csv",
            "metrics.csv",
            "fx_rates.csv",
            "fx_series.yml",
            "corrections.yml",
        ):
            shutil.copy(PROJECT / "seeds" / "reference" / name, seeds_plus / "reference" / name)
        plus_s, plus_mb, plus = run_refresh(seeds_plus, warehouse)
    else:
        one_s, one_mb, one = one_article_refresh(n, seeds, warehouse)
        synth(seeds, int(n * 1.01))
        plus_s, plus_mb, plus = run_refresh(seeds, warehouse)
    return {
        "articles": n,
        "facts": full["row_counts"]["fct_metric_observation"]
        + full["row_counts"]["fct_firm_presence"],
        "full_s": full_s,
        "full_stages": full["stage_seconds"],
        "peak_mb": max(full_mb, one_mb, plus_mb),  # of the full, +1 article and +1 % refresh
        "floor_s": floor,
        "noop_s": noop_s,
        "one_s": one_s,
        "one_stages": one.get("stage_seconds", {}),
        "one_mode": one.get("build_mode"),
        "plus_s": plus_s,
        "plus_stages": plus["stage_seconds"],
        "full_mode": full.get("build_mode"),
        "plus_mode": plus.get("build_mode"),
        "staging_mb": (warehouse / "staging.duckdb").stat().st_size / 2**20,
        "published_mb": (warehouse / "tech_hubs.duckdb").stat().st_size / 2**20,
        "queries": query_latencies(warehouse / "tech_hubs.duckdb", repeat),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="5,1000,20000")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/techhubs-bench"))
    parser.add_argument("--repeat", type=int, default=30, help="runs of each BI query")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    results = []
    for n in (int(x) for x in args.scales.split(",")):
        print(f"... {n} articles", file=sys.stderr, flush=True)
        results.append(bench_scale(n, args.workdir, args.repeat))
    if not args.keep:
        shutil.rmtree(args.workdir, ignore_errors=True)
    print(
        f"{'articles':>9} {'facts':>9} {'full s':>8} {'floor s':>8} {'full/floor':>10} {'dbt/floor':>9} "
        f"{'no-op s':>8} {'+1 art s':>8} {'+1art/full':>10} {'+1% s':>7} {'+1%/full':>8} "
        f"{'peak MB':>8} {'staging MB':>10} {'published MB':>12}"
    )
    for r in results:
        dbt_s = r["full_stages"].get("dbt build", 0)
        one = (
            f"{r['one_s']:>8.1f} {r['one_s'] / r['full_s']:>10.1%}"
            if r["one_s"] is not None
            else f"{'-':>8} {'-':>10}"
        )
        print(
            f"{r['articles']:>9} {r['facts']:>9} {r['full_s']:>8.1f} {r['floor_s']:>8.2f} "
            f"{r['full_s'] / r['floor_s']:>10.1f} {dbt_s / r['floor_s']:>9.1f} {r['noop_s']:>8.2f} "
            f"{one} {r['plus_s']:>7.1f} {r['plus_s'] / r['full_s']:>8.1%} {r['peak_mb']:>8.0f} "
            f"{r['staging_mb']:>10.1f} {r['published_mb']:>12.1f}"
        )
    print()
    for label, key, mode in (
        ("full", "full_stages", "full_mode"),
        ("+1 article", "one_stages", "one_mode"),
        ("+1 %", "plus_stages", "plus_mode"),
    ):
        if all(r[mode] is None for r in results):
            continue  # no one-article refresh at 5 articles
        print(
            f"stages of the {label} refresh (s): "
            + "; ".join(
                f"{r['articles']} ({r[mode]} build): "
                + ", ".join(f"{k} {v:.1f}" for k, v in r[key].items() if v >= 0.05)
                for r in results
                if r[mode] is not None
            )
        )
    print()
    print(f"{'BI query (ms, median / p95)':<40}" + "".join(f"{r['articles']:>18}" for r in results))
    for name in BI_QUERIES:
        print(
            f"{name:<40}"
            + "".join(
                f"{r['queries'][name][0]:>10.1f} / {r['queries'][name][1]:<5.1f}" for r in results
            )
        )


if __name__ == "__main__":
    main()
