"""Ownership at scale: a generated graph of 1,000,000 edges, timed and measured.

Run: ``.venv/bin/python bench/ownership_bench.py [--edges N]``. Prints the machine, the
time of each stage and the peak resident memory (ru_maxrss), so figures can be compared.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import resource
import sys
import time

from redflags.ownership.edges import Edge
from redflags.ownership.exposure import derived_hits
from redflags.ownership.graph import OwnershipGraph, aggregate_closure, effective_owners
from redflags.ownership.rules import load_rules


def generate(n_edges: int, seed: int = 7) -> tuple[list[Edge], dict[str, list[str]]]:
    """Layered company groups (like real registers: mostly trees, a few owners per company),
    with 1% listed parties, 10% unknown shares, 5% ranges and some cycles."""
    rng = random.Random(seed)
    n_nodes = max(10, n_edges * 2 // 5)
    ids = [f"n{i}" for i in range(n_nodes)]
    layers = 8
    per_layer = n_nodes // layers
    edges: list[Edge] = []
    src = "bench"
    while len(edges) < n_edges:
        layer = rng.randrange(1, layers)
        owned = ids[layer * per_layer + rng.randrange(per_layer)]
        up = max(0, layer - rng.choice((1, 1, 1, 2)))
        owner = ids[up * per_layer + rng.randrange(per_layer)]
        if rng.random() < 0.002:  # a cycle back down the chain
            owner, owned = owned, owner
        r = rng.random()
        if r < 0.10:
            low = high = None
            text = None
        elif r < 0.15:
            low, high, text = 0.25, 0.5, "25-50%"
        else:
            pct = rng.choice((10, 20, 25, 30, 40, 50, 51, 60, 75, 100))
            low = high = pct / 100
            text = str(pct)
        edges.append(Edge(owner, owned, "ownership", low, high, text, src, None, None))
    listed = {ids[i]: ["us_ofac_sdn"] for i in rng.sample(range(n_nodes), n_nodes // 100)}
    return edges, listed


def peak_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 if sys.platform != "darwin" else rss / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1_000)
    args = parser.parse_args()
    print(
        f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cpus, python {platform.python_version()}"
    )
    t0 = time.perf_counter()
    gc.disable()  # a million Edge objects: the cyclic GC only adds rescans here
    edges, listed = generate(args.edges)
    gc.enable()
    gc.freeze()
    t1 = time.perf_counter()
    print(f"generate {len(edges):,} edges: {t1 - t0:.1f} s")
    graph = OwnershipGraph(edges)
    t2 = time.perf_counter()
    print(f"build graph ({len(graph):,} parties, {len(graph.pairs):,} pairs): {t2 - t1:.1f} s")
    closure = aggregate_closure(graph, listed, 0.5)
    t3 = time.perf_counter()
    print(
        f"OFAC 50% closure, whole graph ({len(listed):,} listed): {t3 - t2:.1f} s; "
        f"caught {len(closure.certain):,}, possibly {len(closure.possible):,}"
    )
    rng = random.Random(1)
    sample = rng.sample(graph.ids, args.queries)
    n_owners = 0
    for ident in sample:
        n_owners += len(effective_owners(graph, ident))
    t4 = time.perf_counter()
    print(
        f"effective owners of {args.queries:,} parties: {t4 - t3:.1f} s "
        f"({n_owners / args.queries:.1f} owners each)"
    )
    rules = load_rules()
    n_hits = 0
    for ident in sample:
        n_hits += len(derived_hits(ident, graph, listed, rules))
    t5 = time.perf_counter()
    print(
        f"derived_hits (all rules) for {args.queries:,} parties: {t5 - t4:.1f} s, {n_hits:,} hits"
    )
    print(
        f"total {t5 - t0:.1f} s (graph + whole-graph rule {t3 - t1:.1f} s); "
        f"peak RSS {peak_mb():,.0f} MB"
    )


if __name__ == "__main__":
    main()
