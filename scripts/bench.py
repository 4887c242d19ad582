"""Benchmark the warehouse at several corpus sizes; print a table. A measurement, not a test.

    .venv/bin/python scripts/bench.py [--scales 5,1000,20000] [--workdir /tmp/techhubs-bench]

For each scale (5 = the real seed articles; other sizes = `techhubs synth`):
- full refresh (cold: a new warehouse folder)
- peak memory of the full, +1 article and +1 % refreshes: the larger of the biggest single process
  (its max RSS) and all its processes at once (validation and the load run in a forked
  process, which forks validation's workers; their RSS summed, sampled every 50 ms: an upper
  bound, as pages a fork shares are counted in each process)
- two floors, and the full refresh's ratio to each: the models only (dbt's compiled SQL of
  every model, run in dependency order against the same staging file into plain tables, no
  tests), and the same guarantees (scripts/bench_floor.py: the facts files read, every fact
  checked against its article in set-based SQL, staging loaded with bulk inserts, the marts
  built with the contract's keys)
- no-op refresh (inputs unchanged; the median of three)
- refresh after adding one new article, twice in a row (what a curator waits for after each
  article; the first after a build by dbt may run dbt, which records its statements, and the
  second replays them: etl/build/replay.py), from a copy of the state that is then put back
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
from bench_floor import models_in_order, run_floor

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
    order = models_in_order(target)
    floor_dir = warehouse / ".floor"
    shutil.rmtree(floor_dir, ignore_errors=True)
    floor_dir.mkdir()
    con = duckdb.connect(str(floor_dir / "tech_hubs.duckdb"))
    try:
        con.execute(f"attach '{warehouse / 'staging.duckdb'}' as staging_db (read_only)")
        con.execute("create schema if not exists staging; create schema if not exists intermediate")
        start = time.perf_counter()
        for node in order:
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


def one_article_refresh(
    n: int, seeds: Path, warehouse: Path, reference: Path | None
) -> list[tuple[float, float, dict]]:
    """Two refreshes, each after adding one article (the first may run dbt and record its
    statements; the second replays them), from the warehouse as it is, which is then put back
    as it was, but for dbt's recorded statements (etl/build/replay.py: what any refresh after
    these would have): the +1 % refresh must start from the same state as without these (an
    incremental build leaves free blocks in the file, and past the free share the next build
    is full). The warehouse is copied beside itself and renamed back, so that its path, and
    with it dbt's partial parse, stays the same; the copies are flushed to disk first, so that
    writing them out does not run into the measurement. ``reference``: the reference data to
    keep (synth writes its own into a folder without it)."""
    seeds_one, saved = seeds.with_name("seeds-one"), warehouse.with_name("warehouse-saved")
    shutil.rmtree(seeds_one, ignore_errors=True)
    shutil.rmtree(saved, ignore_errors=True)
    shutil.copytree(seeds, seeds_one)  # copy2 keeps mtimes: the fingerprint reuses its digests
    subprocess.run(["cp", "-a", str(warehouse), str(saved)], check=True)  # hard links stay links
    results = []
    try:
        for extra in (1, 2):
            # at 5 the seeds have no synthetic article: synth counts only its own
            synth(seeds_one, (n if reference is None else 0) + extra)
            if reference is not None:
                for name in REFERENCE_FILES:
                    shutil.copy(reference / name, seeds_one / "reference" / name)
            os.sync()
            results.append(run_refresh(seeds_one, warehouse))
    finally:
        recorded = warehouse / ".dbt" / "replay"
        kept = saved / ".dbt" / "replay"
        if recorded.exists():
            shutil.rmtree(kept, ignore_errors=True)
            shutil.copytree(recorded, kept)
        shutil.rmtree(warehouse)
        saved.rename(warehouse)
        shutil.rmtree(seeds_one)
        os.sync()
    # The copy's files have other inodes: a refresh with nothing to do records the published
    # file's new identity (etl/build/publish.py), as the no-ops before left it, and says that the
    # warehouse is back as it was.
    check = run_refresh(seeds, warehouse)
    assert check[2]["status"] == "up_to_date", check
    return results


REFERENCE_FILES = (
    "places.csv",
    "firms.csv",
    "metrics.csv",
    "fx_rates.csv",
    "fx_series.yml",
    "corrections.yml",
)


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
    same = run_floor(seeds, warehouse, base / "floor")
    shutil.rmtree(base / "floor", ignore_errors=True)
    # the median of three: one sample of a sub-second process is at the mercy of a shared machine
    noops = [run_refresh(seeds, warehouse) for _ in range(3)]
    assert all(r[2]["status"] == "up_to_date" for r in noops), noops
    noop_s = statistics.median(r[0] for r in noops)
    # at 5, the new articles are synthetic ones beside the seeds, with the seeds' reference data
    reference = PROJECT / "seeds" / "reference" if n == 5 else None
    (first_s, first_mb, first), (one_s, one_mb, one) = one_article_refresh(
        n, seeds, warehouse, reference
    )
    # at 5 the +1 % is one new article (a sixth of the corpus), beside the seeds
    synth(seeds, 1 if n == 5 else int(n * 1.01))
    if reference is not None:
        for name in REFERENCE_FILES:
            shutil.copy(reference / name, seeds / "reference" / name)
    plus_s, plus_mb, plus = run_refresh(seeds, warehouse)
    return {
        "articles": n,
        "facts": full["row_counts"]["fct_metric_observation"]
        + full["row_counts"]["fct_firm_presence"],
        "full_s": full_s,
        "full_stages": full["stage_seconds"],
        # of the full, +1 article and +1 % refreshes
        "peak_mb": max(full_mb, first_mb, one_mb, plus_mb),
        "floor_s": floor,
        "same_s": same["total"],
        "same_stages": same,
        "first_s": first_s,
        "first_runner": first.get("build_runner"),
        "noop_s": noop_s,
        "one_s": one_s,
        "one_stages": one.get("stage_seconds", {}),
        "one_mode": one.get("build_mode"),
        "one_runner": one.get("build_runner"),
        "plus_s": plus_s,
        "plus_stages": plus["stage_seconds"],
        "full_mode": full.get("build_mode"),
        "plus_mode": plus.get("build_mode"),
        "plus_runner": plus.get("build_runner"),
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
        f"{'articles':>9} {'facts':>9} {'full s':>7} | {'models floor s':>14} {'full/models':>11} "
        f"{'dbt/models':>10} | {'same floor s':>12} {'full/same':>9} | {'no-op s':>7} "
        f"{'+1 art s':>8} {'(first)':>7} {'+1art/full':>10} {'+1% s':>6} {'+1%/full':>8} "
        f"{'peak MB':>7} {'staging MB':>10} {'published MB':>12}"
    )
    for r in results:
        dbt_s = r["full_stages"].get("dbt build", 0)
        print(
            f"{r['articles']:>9} {r['facts']:>9} {r['full_s']:>7.1f} | {r['floor_s']:>14.2f} "
            f"{r['full_s'] / r['floor_s']:>11.1f} {dbt_s / r['floor_s']:>10.1f} | "
            f"{r['same_s']:>12.1f} {r['full_s'] / r['same_s']:>9.2f} | {r['noop_s']:>7.2f} "
            f"{r['one_s']:>8.1f} {r['first_s']:>7.1f} {r['one_s'] / r['full_s']:>10.1%} "
            f"{r['plus_s']:>6.1f} {r['plus_s'] / r['full_s']:>8.1%} {r['peak_mb']:>7.0f} "
            f"{r['staging_mb']:>10.1f} {r['published_mb']:>12.1f}"
        )
    print()
    print(
        "same-guarantees floor (s): "
        + "; ".join(
            f"{r['articles']}: "
            + ", ".join(f"{k} {v:.1f}" for k, v in r["same_stages"].items() if k != "total")
            for r in results
        )
    )
    for label, key, mode in (
        ("full", "full_stages", "full_mode"),
        ("+1 article", "one_stages", "one_mode"),
        ("+1 %", "plus_stages", "plus_mode"),
    ):
        print(
            f"stages of the {label} refresh (s): "
            + "; ".join(
                f"{r['articles']} ({r[mode]} build): "
                + ", ".join(f"{k} {v:.1f}" for k, v in r[key].items() if v >= 0.05)
                for r in results
            )
        )
    print(
        "how the dbt stage ran (+1 article, first; second; +1 %): "
        + "; ".join(
            f"{r['articles']}: {r['first_runner']}; {r['one_runner']}; {r['plus_runner']}"
            for r in results
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
