"""Benchmark of the screening job: N input rows against the installed lists, 1 and 2 workers.

    python -m bench.screen_bench [--rows 100000] [--workers 1,2] [--data /work/shared/data]

Rows are generated from real names (PATSTAT applicants, Chicago organisations, FEBRL and
Splink people, yente negatives), recombined so that most are distinct. Each configuration
runs in a fresh process; wall time, rows/s, the CPU of the whole process tree and its peak
memory are printed with the machine's description: resident (RSS, the memory-mapped index
counted once per process; sampled four times a second) and proportional (PSS, shared pages
divided among the processes that map them: what the tree really holds; every three
seconds, as reading it costs ~27 ms of CPU a process).
Targets (issue 4): 100,000 rows < 60 s and < 1.5 GB; throughput grows with workers.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any


def real_names(data: Path) -> tuple[list[str], list[str], list[str]]:
    """(organisation names, given names, family names) from the evaluation files."""
    ev = data / "matching_eval"
    orgs: set[str] = set()
    with open(ev / "dedupe_patstat_input.csv", encoding="utf-8", newline="") as fh:
        orgs.update(" ".join(r["Name"].split()) for r in csv.DictReader(fh))
    with open(ev / "dedupe_chicago_early_childhood_true_ids.csv", encoding="utf-8",
              errors="replace", newline="") as fh:
        orgs.update(" ".join(r["Site name"].split()) for r in csv.DictReader(fh))
    given: set[str] = set()
    family: set[str] = set()
    for name in ("dataset2.csv", "dataset3.csv"):
        with open(ev / "febrl" / name, encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh, skipinitialspace=True):
                given.add((r.get("given_name") or "").strip().title())
                family.add((r.get("surname") or "").strip().title())
    for name in ("yente_negatives_global.csv", "yente_negatives_us.csv"):
        with open(ev / name, encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                given.add(r["first_name"])
                family.add(r["last_name"])
    return sorted(orgs - {""}), sorted(given - {""}), sorted(family - {""})


def make_input(path: Path, rows: int, data: Path, seed: int = 4) -> None:
    orgs, given, family = real_names(data)
    rnd = random.Random(seed)
    suffixes = ["", " Ltd", " GmbH", " BV", " Inc", " SA", " Holdings", " Group", " Trading"]
    countries = ["DE", "NL", "US", "GB", "FR", "CN", "IN", "BR", ""]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["id", "name", "type", "country", "dob"])
        for i in range(rows):
            if rnd.random() < 0.5:
                name = rnd.choice(orgs) + rnd.choice(suffixes)
                w.writerow([i, name, "company", rnd.choice(countries), ""])
            else:
                name = f"{rnd.choice(given)} {rnd.choice(family)}"
                dob = f"{rnd.randint(1940, 2000)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
                w.writerow([i, name, "person", rnd.choice(countries), dob])


# PSS is sampled every this many quarter-seconds (memory stays flat while a job streams).
PSS_EVERY = 12


def _tree_rss(proc: Any, cpu: dict[int, float] | None = None,
              pss: bool = True) -> tuple[int, int]:
    """(RSS, PSS) summed over the process and its children; PSS where the OS reports it
    and ``pss`` is asked for (it parses /proc/PID/smaps: ~27 ms of CPU for a 1 GB worker, so
    sampling it four times a second over four processes took a third of a core from the job
    it measured). ``cpu`` gets each process's CPU seconds so far (workers are the
    forkserver's children, out of reach of getrusage): on a shared, noisy machine the CPU a
    row costs is steadier than the wall time."""
    rss_sum = pss_sum = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(Exception):  # a worker may exit between listing and reading
            if pss:
                info = p.memory_full_info()
                rss_sum += info.rss
                pss_sum += getattr(info, "pss", info.rss)
            else:
                rss_sum += p.memory_info().rss
            if cpu is not None:
                times = p.cpu_times()
                cpu[p.pid] = times.user + times.system
    return rss_sum, pss_sum


def null_batch() -> Any:
    """A screener that finds nothing: measures the job itself (read, map, write, IPC)."""
    return lambda queries: [[] for _ in queries]


def run_one(input_path: Path, workers: int, out: Path, null: bool = False) -> dict[str, Any]:
    """One configuration, in this process: what the `screen` command does, minus printing."""
    import psutil  # type: ignore[import-untyped]

    from redflags.reports.results import OutputPaths
    from redflags.screening.columns import detect_columns
    from redflags.screening.engine import load_engine
    from redflags.screening.job import EngineBatch, ScreenOptions, run_screening
    from redflags.screening.reader import open_input

    me = psutil.Process()
    peak = [0, 0]
    done = threading.Event()

    cpu: dict[int, float] = {}

    def sample() -> None:
        # resident memory four times a second (cheap), proportional every PSS_EVERY samples
        n = 0
        while not done.wait(0.25):
            n += 1
            rss, pss = _tree_rss(me, cpu, pss=n % PSS_EVERY == 0)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)

    t0 = time.perf_counter()
    engine = load_engine()
    load_s = time.perf_counter() - t0
    options = ScreenOptions(limit=5)
    from redflags.screening.job import worker_factory_for

    source = open_input(input_path)
    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    _tree_rss(me, cpu)
    cpu0 = sum(cpu.values())
    t1 = time.perf_counter()
    outcome = run_screening(
        source, detect_columns(source.headers), OutputPaths(out / f"w{workers}"),
        options=options, formats=("csv", "jsonl"), workers=workers,
        batch_fn=(null_batch() if null else EngineBatch(engine, None, 5)) if workers == 1
        else None,
        worker_factory=null_batch if null else worker_factory_for(options),
    )
    elapsed = time.perf_counter() - t1
    done.set()
    thread.join()
    rss, pss = _tree_rss(me, cpu)
    used = sum(cpu.values()) - cpu0
    peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
    ck = outcome.checkpoint
    return {
        "workers": workers, "rows": ck.rows_done, "screened": ck.screened,
        "rejected": ck.rejected, "rows_with_hits": ck.rows_with_hits,
        "seconds": round(elapsed, 1), "rows_per_s": round(ck.rows_done / elapsed),
        "cpu_s": round(used, 1),
        "cpu_ms_per_row": round(used / max(1, ck.rows_done) * 1e3, 3),
        "engine_load_s": round(load_s, 2), "peak_rss_mb": round(peak[0] / 2**20),
        "peak_pss_mb": round(peak[1] / 2**20),
        "lists": len(engine.lists), "catalog": engine.catalog.description,
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        import psutil

        mem = f", {psutil.virtual_memory().total / 2**30:.0f} GiB RAM"
    except ImportError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}, "
            f"load average {load:.1f} at start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--null-screener", action="store_true",
                        help="screen with a stand-in that finds nothing: the job's own cost")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.input, args.one, args.out, args.null_screener)))
        return 0
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="screen-bench-") as tmp:
        input_path = Path(tmp) / "input.csv"
        make_input(input_path, args.rows, args.data)
        size = input_path.stat().st_size
        print(f"input: {args.rows} rows generated from real names ({size:,} B)")
        results = []
        for workers in (int(w) for w in args.workers.split(",")):
            proc = subprocess.run(
                [sys.executable, "-m", "bench.screen_bench", "--one", str(workers), "--input",
                 str(input_path), "--out", tmp]
                + (["--null-screener"] if args.null_screener else []),
                capture_output=True, text=True, check=False,
            )
            if proc.returncode != 0:
                print(proc.stderr[-3000:], file=sys.stderr)
                return 1
            res = json.loads(proc.stdout.strip().splitlines()[-1])
            results.append(res)
            print(f"workers={res['workers']}: {res['rows']} rows in {res['seconds']} s "
                  f"({res['rows_per_s']:,} rows/s), peak RSS {res['peak_rss_mb']} MB, PSS "
                  f"{res['peak_pss_mb']} MB (process tree), "
                  f"{res['rows_with_hits']} rows with hits, CPU {res['cpu_s']} s "
                  f"({res['cpu_ms_per_row']} ms a row, parent and workers), "
                  f"engine load {res['engine_load_s']} s; {res['catalog']}")
        if len(results) > 1:
            base = results[0]["rows_per_s"]
            for res in results[1:]:
                print(f"speed-up with {res['workers']} workers: {res['rows_per_s'] / base:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
