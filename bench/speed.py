"""Speed of the candidate index and the screening call: latency, throughput, build, memory.

    python -m bench.speed                    # the bundled lists, as the package ships them
    python -m bench.speed --million          # also a one-million-entity synthetic index
    python -m bench.speed --million --count 200000 --runs 3

Targets (issue): single query p50 < 1 ms and p99 < 5 ms on the bundled lists; p50 < 5 ms on
one million entities; batch >= 2,000 queries/s per core on the bundled lists; a one-million
index builds in < 2 min and < 3 GB peak RSS and loads in < 1 s.

The machine is shared and noisy: every figure is the median of ``--runs`` repetitions, and
latencies are given both as wall time and as the thread's CPU time (which other processes on
the same cores do not inflate). Builds and loads run in fresh subprocesses so that peak RSS
and load time are those of a real start. Query mix: listed names as published, with one typo,
with tokens reordered, in other scripts (79 spellings of one listed person, watchman's
cross-script pairs), and non-matching people (yente negatives) and companies (PATSTAT,
Chicago). Recall figures say whether the listed entity made the candidate set / the top 10.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from bench.machine import describe

DATA = Path("/work/shared/data")
# ---- inputs ---------------------------------------------------------------------------------


def bundled_entities(cache: Path) -> list[dict[str, Any]]:
    """All entities of the bundled lists as the package ships them (the snapshot that
    ``scripts/build_bundle.py`` writes), read once and cached as JSON lines."""
    if cache.exists():
        with open(cache, encoding="utf-8") as fh:
            return [json.loads(line) for line in fh]
    from redflags.store import bundle

    out: list[dict[str, Any]] = []
    for entry in bundle.manifest()["lists"]:
        out.extend(dict(e) for e in bundle.iter_list(entry))
    with open(cache, "w", encoding="utf-8") as fh:
        for entity in out:
            fh.write(json.dumps(entity, ensure_ascii=False) + "\n")
    return out


def _typo(name: str, rnd: random.Random) -> str:
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    if len(letters) < 4:
        return name
    i = rnd.choice(letters[1:])
    op = rnd.randrange(3)
    if op == 0:
        return name[:i] + name[i + 1 :]
    if op == 1:
        return name[:i] + rnd.choice("aeiourstnl") + name[i + 1 :]
    return name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]


def _reorder(name: str, rnd: random.Random) -> str:
    tokens = name.replace(",", " ").split()
    if len(tokens) < 2:
        return name
    rnd.shuffle(tokens)
    return " ".join(tokens)


def listed_queries(
    entities: list[dict[str, Any]], n: int, seed: int = 3
) -> list[tuple[str, dict[str, Any], str | None]]:
    """(kind, query, expected id) for exact, one-typo and reordered listed names."""
    from redflags.matching.index import MATCHABLE_SCHEMATA
    from redflags.matching.keys import entity_names

    rnd = random.Random(seed)
    pool = [e for e in entities if e.get("schema") in MATCHABLE_SCHEMATA and entity_names(e)]
    out: list[tuple[str, dict[str, Any], str | None]] = []
    for entity in rnd.sample(pool, min(n, len(pool))):
        name = rnd.choice(entity_names(entity))
        schema = entity["schema"]
        for kind, text in (
            ("exact", name),
            ("typo", _typo(name, rnd)),
            ("reorder", _reorder(name, rnd)),
        ):
            out.append((kind, {"schema": schema, "properties": {"name": [text]}}, entity["id"]))
    return out


def other_queries(data: Path, n: int, seed: int = 5) -> list[tuple[str, dict[str, Any], None]]:
    """Cross-script spellings (expected: a hit on the listed Latin name) and negatives."""
    ev = data / "matching_eval"
    rnd = random.Random(seed)
    out: list[tuple[str, dict[str, Any], None]] = []
    for line in (ev / "putin_names_multiscript.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            out.append(
                ("script", {"schema": "Person", "properties": {"name": [line.strip()]}}, None)
            )
    with open(ev / "watchman_cross_script_pairs.csv", encoding="utf-8") as fh:
        for row in csv.reader(x for x in fh if not x.startswith("#")):
            if row and row[0].strip():
                out.append(("script", {"schema": "Thing", "properties": {"name": [row[0]]}}, None))
    people: list[str] = []
    for name in ("yente_negatives_global.csv", "yente_negatives_us.csv"):
        with open(ev / name, encoding="utf-8", newline="") as fh:
            people.extend(r["full_name"] for r in csv.DictReader(fh) if r["full_name"])
    orgs: list[str] = []
    with open(ev / "dedupe_patstat_input.csv", encoding="utf-8", newline="") as fh:
        orgs.extend(" ".join(r["Name"].split()) for r in csv.DictReader(fh))
    with open(
        ev / "dedupe_chicago_early_childhood_true_ids.csv", encoding="utf-8", errors="replace"
    ) as fh:
        orgs.extend(" ".join(r["Site name"].split()) for r in csv.DictReader(fh))
    for name in rnd.sample(people, min(n, len(people))):
        out.append(("negative", {"schema": "Person", "properties": {"name": [name]}}, None))
    for name in rnd.sample(sorted(set(orgs)), min(n, len(orgs))):
        out.append(("negative", {"schema": "Company", "properties": {"name": [name]}}, None))
    return out


# ---- measurements ---------------------------------------------------------------------------


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def measure_latency(
    screener: Any, queries: list[tuple[str, dict[str, Any], str | None]], runs: int
) -> dict[str, float]:
    """Median over runs of per-run p50/p99, wall and CPU, in milliseconds."""
    for _, q, _ in queries[: min(200, len(queries))]:  # warm caches as a server would be
        screener.screen(q)
    stats: dict[str, list[float]] = {k: [] for k in ("wall50", "wall99", "cpu50", "cpu99")}
    for _ in range(runs):
        wall: list[float] = []
        cpu: list[float] = []
        for _, q, _ in queries:
            t0, c0 = time.perf_counter(), time.thread_time()
            screener.screen(q)
            cpu.append(time.thread_time() - c0)
            wall.append(time.perf_counter() - t0)
        stats["wall50"].append(_pct(wall, 50) * 1e3)
        stats["wall99"].append(_pct(wall, 99) * 1e3)
        stats["cpu50"].append(_pct(cpu, 50) * 1e3)
        stats["cpu99"].append(_pct(cpu, 99) * 1e3)
    return {k: statistics.median(v) for k, v in stats.items()}


def measure_stages(screener: Any, queries: list[tuple[str, dict[str, Any], str | None]]) -> str:
    """CPU per query spent in the vote alone, to separate index cost from Matcher cost."""
    t0 = time.thread_time()
    for _, q, _ in queries:
        screener.candidate_rows(q)
    vote = (time.thread_time() - t0) / len(queries) * 1e3
    return f"candidate vote alone: {vote:.3f} ms CPU/query (the rest is pre-score + Matcher)"


def measure_batch(
    screener: Any, queries: list[tuple[str, dict[str, Any], str | None]], runs: int
) -> tuple[float, float]:
    """Median queries/s of screen_many on one core: by wall clock and by CPU time."""
    batch = [q for _, q, _ in queries]
    by_wall, by_cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        screener.screen_many(batch)
        by_cpu.append(len(batch) / (time.process_time() - c0))
        by_wall.append(len(batch) / (time.perf_counter() - t0))
    return statistics.median(by_wall), statistics.median(by_cpu)


def measure_recall(
    screener: Any, queries: list[tuple[str, dict[str, Any], str | None]]
) -> dict[str, tuple[float, float, int]]:
    """Per query kind: share with the expected entity among candidates and in the top 10."""
    index = screener.index
    acc: dict[str, list[tuple[bool, bool]]] = {}
    for kind, q, expected in queries:
        if expected is None:
            continue
        rows = screener.candidate_rows(q).rows
        in_cands = any(index.entity_id(int(r)) == expected for r in rows)
        in_top = any(h.entity["id"] == expected for h in screener.screen(q, limit=10))
        acc.setdefault(kind, []).append((in_cands, in_top))
    return {
        k: (sum(a for a, _ in v) / len(v), sum(b for _, b in v) / len(v), len(v))
        for k, v in acc.items()
    }


def script_top_hit(screener: Any, queries: list[tuple[str, dict[str, Any], str | None]]) -> str:
    hits = []
    for kind, q, _ in queries:
        if kind == "script" and q["schema"] == "Person":
            top = screener.screen(q, limit=1)
            hits.append(bool(top) and "PUTIN" in str(top[0].entity["properties"].get("name")))
    return f"{sum(hits)}/{len(hits)} Putin spellings rank the listed PUTIN first"


# ---- subprocess steps (build and load measured in a fresh interpreter) ----------------------


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


class _TimedSource:
    """The entity source, timing the CPU spent producing entities (the synthetic generator
    or JSON reading), which runs inside the build's timing but is not the index's work."""

    def __init__(self, entities: Iterable[dict[str, Any]]) -> None:
        self.entities = iter(entities)
        self.cpu_s = 0.0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self

    def __next__(self) -> dict[str, Any]:
        c0 = time.thread_time()  # the thread that pulls (the pool's task thread, or main)
        try:
            return next(self.entities)
        finally:
            self.cpu_s += time.thread_time() - c0


def step_build(source: str, out: Path, count: int, workers: int) -> dict[str, Any]:
    from redflags.matching.index import Index

    entities: Iterable[dict[str, Any]]
    if source == "synthetic":
        from bench.gen_names import generate, load_parts

        parts = load_parts()
        entities = generate(count, parts=parts)
    else:
        entities = _jsonl(Path(source))
    timed = _TimedSource(entities)
    t0, c0 = time.perf_counter(), time.process_time()
    # the bundled lists are indexed as `redflags screen` does (with prepared candidates);
    # a million-row registry without them (see Index.build)
    index = Index.build(timed, workers=workers, prepared=source != "synthetic")
    built = time.perf_counter()
    index.save(out)
    return {
        "wall_s": time.perf_counter() - t0,
        "save_s": time.perf_counter() - built,
        "source_cpu_s": timed.cpu_s,
        "cpu_s": time.process_time() - c0 + _children_cpu(),
        "peak_rss_mb": _peak_rss_mb(),
        "workers_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "workers": workers,
        "entities": len(index),
        "keys": index.manifest["keys"],
        "postings": index.manifest["postings"],
        "text": index.manifest["text"],
    }


def step_load(path: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    from redflags.matching.index import Index

    t1 = time.perf_counter()
    index = Index.load(path)
    index.entity(len(index) - 1)  # touch it: a load that defers everything would cheat
    t2 = time.perf_counter()
    return {"import_s": t1 - t0, "load_s": t2 - t1, "entities": len(index)}


def _build_step(reuse: bool, *args: str) -> dict[str, Any]:
    """Build in a fresh process, or with ``--reuse`` take the figures of the last build of
    the same index when it still loads (the build is the slow part of a rerun)."""
    path = Path(args[1])
    figures = path.with_name(path.name + ".build.json")
    if reuse and figures.exists():
        try:
            from redflags.matching.index import Index

            Index.load(path)
            result: dict[str, Any] = json.loads(figures.read_text())
            result["reused"] = True
            return result
        except Exception:
            pass
    result = _run_step("build", *args)
    figures.write_text(json.dumps(result))
    return result


def _run_step(*args: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.speed", "--step", *args],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.iterdir()) / 1e6


def report_index(
    title: str,
    path: Path,
    build: dict[str, Any],
    queries: list[tuple[str, dict[str, Any], str | None]],
    runs: int,
    batch: bool,
) -> None:
    from redflags.matching.index import Index
    from redflags.matching.screener import Screener

    loads = [_run_step("load", str(path)) for _ in range(runs)]
    print(
        f"\n== {title}: {build['entities']:,} entities, {build['keys']:,} keys, "
        f"{build['postings']:,} postings, {_dir_mb(path):.0f} MB on disk (text: {build['text']})"
    )
    print(
        f"build+save: {build['wall_s']:.1f} s wall, {build['cpu_s']:.1f} s CPU, "
        f"peak RSS {build['peak_rss_mb']:.0f} MB (workers: {build['workers']}, "
        f"largest worker {build['workers_peak_rss_mb']:.0f} MB)"
        + (
            f"; of which save {build['save_s']:.1f} s wall, and {build['source_cpu_s']:.1f} s"
            " CPU producing the entities (generator / JSON reading)"
            if "source_cpu_s" in build
            else ""
        )
        + (" [figures of the previous build, --reuse]" if build.get("reused") else "")
    )
    print(
        f"load (fresh process, median of {runs}): "
        f"{statistics.median(x['load_s'] for x in loads) * 1e3:.1f} ms "
        f"(+ {statistics.median(x['import_s'] for x in loads) * 1e3:.0f} ms importing redflags)"
    )
    # the same queries are screened in every run: without the shortlist cache, or all runs
    # after the first would time the Matcher alone
    screener = Screener(Index.load(path), shortlist_cache=0)
    lat = measure_latency(screener, queries, runs)
    print(
        f"single query over {len(queries)} queries, median of {runs} runs: "
        f"wall p50 {lat['wall50']:.2f} ms, p99 {lat['wall99']:.2f} ms; "
        f"CPU p50 {lat['cpu50']:.2f} ms, p99 {lat['cpu99']:.2f} ms"
    )
    print(measure_stages(screener, queries))
    if batch:
        wall_qps, cpu_qps = measure_batch(screener, queries, runs)
        print(
            f"batch screen_many, one core: {wall_qps:,.0f} queries/s by wall clock, "
            f"{cpu_qps:,.0f} queries/s per CPU-second"
        )
    for kind, (cands, top, n) in measure_recall(screener, queries).items():
        print(f"recall {kind:8s} (n={n}): in candidates {cands:.1%}, in top 10 {top:.1%}")


def _load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description="redflags index and screening speed")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "rf-speed")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--listed", type=int, default=300, help="listed entities to query")
    parser.add_argument("--negatives", type=int, default=300)
    parser.add_argument("--million", action="store_true")
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2, help="build processes (million)")
    parser.add_argument("--reuse", action="store_true", help="reuse a built index's figures")
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        if args.step[0] == "build":
            step = args.step
            print(json.dumps(step_build(step[1], Path(step[2]), int(step[3]), int(step[4]))))
        else:
            print(json.dumps(step_load(Path(args.step[1]))))
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(describe())
    print(f"load average at start: {_load_average()}")

    cache = args.workdir / "bundle-snapshot.jsonl"
    entities = bundled_entities(cache)
    queries = listed_queries(entities, args.listed) + other_queries(args.data, args.negatives)
    n_entities = len(entities)
    # the harness's own 85,000 entity dicts would be walked by every full collection of the
    # cyclic GC while screening (one took 1.1 s in a batch): no screening process holds them
    del entities
    gc.collect()
    path = args.workdir / "bundled.index"
    build = _build_step(args.reuse, str(cache), str(path), "0", "1")
    print(f"bundled lists: {n_entities:,} entities of the shipped snapshot")
    report_index("bundled lists", path, build, queries, args.runs, batch=True)
    from redflags.matching.index import Index
    from redflags.matching.screener import Screener

    print(script_top_hit(Screener(Index.load(path)), queries))

    if args.million:
        from bench.gen_names import generate, load_parts

        mpath = args.workdir / f"synthetic-{args.count}.index"
        build = _build_step(args.reuse, "synthetic", str(mpath), str(args.count), str(args.workers))
        synthetic = list(generate(min(args.count, 20_000), parts=load_parts()))
        mqueries = listed_queries(synthetic, args.listed, seed=11) + other_queries(
            args.data, args.negatives
        )
        del synthetic
        gc.collect()
        report_index(f"synthetic {args.count:,}", mpath, build, mqueries, args.runs, batch=True)
        print(f"load average at end: {_load_average()}")


if __name__ == "__main__":
    main()
