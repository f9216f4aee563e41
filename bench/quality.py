"""Matching quality benchmark: our scorer vs. a naive baseline vs. nomenklatura's logic-v2.

Run from the repository root::

    python -m bench.quality                       # every set, every available scorer
    python -m bench.quality --sets nk_names,xscript --limit 500 --json out.json

All scorers see the same pairs in the same run, so their figures (and the ours/logic-v2
ratios) are directly comparable; logic-v2 is only run when nomenklatura is installed (the
optional ``bench`` extra).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import random
import sys
import time
import traceback
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, utils

from bench import metrics as mx
from bench.machine import describe
from bench.pairs import LOADERS, SEED, SPLITS, Pair, load_all

Entity = Mapping[str, Any]
ScoreFn = Callable[[Entity, Entity], float]

NAME_PROPS = ("name", "alias", "weakAlias", "previousName")


# --------------------------------------------------------------------------- scorers


def _names(entity: Entity) -> list[str]:
    props = entity.get("properties", {})
    names = [str(n) for p in NAME_PROPS for n in props.get(p, [])]
    parts = [props.get(p, [""])[0] for p in ("firstName", "middleName", "lastName")
             if props.get(p)]
    if parts:
        names.append(" ".join(parts))
    return names


def naive_score(query: Entity, candidate: Entity) -> float:
    """The floor any real matcher must beat: best rapidfuzz token_set_ratio over names."""
    best = 0.0
    for q in _names(query):
        qn = utils.default_process(q)
        for c in _names(candidate):
            best = max(best, fuzz.token_set_ratio(qn, utils.default_process(c)))
    return best / 100.0


def ours() -> tuple[ScoreFn, str] | None:
    """Our scorer, if the matching package is importable yet (it is built in parallel)."""
    try:
        matching = importlib.import_module("redflags.matching")
        matcher = matching.Matcher()
    except Exception as exc:  # any failure to build the scorer: report and bench the rest
        print(f"[ours] not available: {exc!r}", file=sys.stderr)
        return None

    def score(query: Entity, candidate: Entity) -> float:
        return float(matcher.compare(query, candidate).score)

    version = getattr(matcher, "algorithm", getattr(matching, "DEFAULT_ALGORITHM", "?"))
    return score, str(version)


def logic_v2() -> tuple[ScoreFn, str] | None:
    """nomenklatura's logic-v2 on FtM proxies with its default config, if installed."""
    try:
        from followthemoney import model
        from nomenklatura.matching import LogicV2
    except ImportError:
        return None
    config = LogicV2.default_config()

    def score(query: Entity, candidate: Entity) -> float:
        q = model.get_proxy({"id": query.get("id") or "q", "schema": query["schema"],
                             "properties": query["properties"]}, cleaned=False)
        c = model.get_proxy({"id": candidate.get("id") or "c", "schema": candidate["schema"],
                             "properties": candidate["properties"]}, cleaned=False)
        return float(LogicV2.compare(q, c, config).score)

    return score, f"nomenklatura {metadata.version('nomenklatura')}"


# --------------------------------------------------------------------------- running


@dataclass
class Run:
    """One scorer's scores over every pair, with timing and any failures."""

    name: str
    version: str
    threshold: float
    scores: dict[str, list[float]] = field(default_factory=dict)
    seconds: float = 0.0
    warmup_seconds: float = 0.0
    errors: int = 0
    first_error: str = ""


def score_all(name: str, version: str, fn: ScoreFn, threshold: float,
              sets: Mapping[str, Sequence[Pair]]) -> Run:
    """A pair whose comparison raises scores 0.0 and is counted, so one bad pair is a
    number in the report rather than a crashed benchmark.

    One pair per schema is scored first, untimed: name taggers and lookup tables load on
    first use (logic-v2's person-name tagger took 48s on a loaded 2-core machine), which
    says nothing about the per-pair cost.
    """
    run = Run(name, version, threshold)
    start = time.perf_counter()
    seen: set[str] = set()
    for pairs in sets.values():
        for pair in pairs:
            if pair.query["schema"] not in seen:
                seen.add(pair.query["schema"])
                try:
                    fn(pair.query, pair.candidate)
                except Exception:  # counted in the timed pass below
                    continue
    run.warmup_seconds = time.perf_counter() - start
    start = time.perf_counter()
    for set_name, pairs in sets.items():
        out = []
        for pair in pairs:
            try:
                out.append(fn(pair.query, pair.candidate))
            except Exception:
                run.errors += 1
                if not run.first_error:
                    run.first_error = f"{set_name} {pair.query.get('id')}: " + \
                        traceback.format_exc(limit=3)
                out.append(0.0)
        run.scores[set_name] = out
    run.seconds = time.perf_counter() - start
    return run


def limit_sets(sets: dict[str, list[Pair]], limit: int | None) -> dict[str, list[Pair]]:
    """A fixed-seed sample of at most ``limit`` pairs per set (kept in original order)."""
    if not limit:
        return sets
    out = {}
    for name, pairs in sets.items():
        if len(pairs) <= limit:
            out[name] = pairs
            continue
        keep = sorted(random.Random(f"{SEED}-{name}").sample(range(len(pairs)), limit))
        out[name] = [pairs[i] for i in keep]
    return out


def evaluate(run: Run, sets: Mapping[str, Sequence[Pair]]) -> dict[str, Any]:
    """Per set, per category and pooled figures for one run (JSON-ready)."""
    result: dict[str, Any] = {"name": run.name, "version": run.version,
                              "threshold": run.threshold, "seconds": round(run.seconds, 3),
                              "warmup_seconds": round(run.warmup_seconds, 3),
                              "errors": run.errors, "sets": {}}
    pooled_s: list[float] = []
    pooled_y: list[bool] = []
    n_pairs = 0
    for set_name, pairs in sets.items():
        scores = run.scores[set_name]
        labels = [p.label for p in pairs]
        by_cat: dict[str, tuple[list[float], list[bool]]] = defaultdict(lambda: ([], []))
        for pair, s in zip(pairs, scores, strict=True):
            by_cat[pair.category][0].append(s)
            by_cat[pair.category][1].append(pair.label)
        result["sets"][set_name] = {
            "all": mx.compute(scores, labels, run.threshold).to_dict(),
            "categories": {c: mx.compute(s, y, run.threshold).to_dict()
                           for c, (s, y) in sorted(by_cat.items())},
        }
        pooled_s += scores
        pooled_y += labels
        n_pairs += len(pairs)
    result["overall"] = mx.compute(pooled_s, pooled_y, run.threshold).to_dict()
    curve = mx.reliability(pooled_s, pooled_y)
    result["reliability"] = [b.to_dict() for b in curve]
    result["ece"] = mx.expected_calibration_error(curve)
    result["us_per_pair"] = round(1e6 * run.seconds / n_pairs, 1) if n_pairs else None
    return result


def ratios(ours_r: Mapping[str, Any], ref: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """ours / logic-v2 per set for F1 and R@1%FPR (None where either is undefined or 0)."""

    def div(a: float | None, b: float | None) -> float | None:
        return round(a / b, 3) if a is not None and b else None

    out = {}
    for set_name, figures in ours_r["sets"].items():
        mine, theirs = figures["all"], ref["sets"][set_name]["all"]
        out[set_name] = {k: div(mine[k], theirs[k]) for k in ("f1", "recall_at_1pct_fpr",
                                                               "roc_auc")}
    out["ALL"] = {k: div(ours_r["overall"][k], ref["overall"][k])
                  for k in ("f1", "recall_at_1pct_fpr", "roc_auc")}
    return out


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "summary": describe(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
    }
    try:
        psutil = importlib.import_module("psutil")
        info["memory_gb"] = round(psutil.virtual_memory().total / 2**30, 1)
        info["load_avg"] = [round(x, 2) for x in os.getloadavg()]
    except (ImportError, OSError):
        pass
    for pkg in ("redflags", "followthemoney", "rigour", "rapidfuzz", "nomenklatura"):
        try:
            info[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
    return info


# --------------------------------------------------------------------------- printing


def _metric_rows(res: Mapping[str, Any]) -> list[list[object]]:
    rows: list[list[object]] = []

    def row(label: str, m: Mapping[str, Any]) -> list[object]:
        return [label, m["n"], m["positives"], m["precision"], m["recall"], m["f1"], m["fpr"],
                m["recall_at_1pct_fpr"], m["roc_auc"], m["best_f1"], m["best_f1_threshold"]]

    for set_name, figures in res["sets"].items():
        rows.append(row(set_name, figures["all"]))
        if len(figures["categories"]) > 1:
            rows += [row(f"  {cat}", m) for cat, m in figures["categories"].items()]
    rows.append(row("ALL (pooled)", res["overall"]))
    return rows


def report(results: Sequence[Mapping[str, Any]], info: Mapping[str, Any],
           ratio: Mapping[str, Mapping[str, Any]] | None) -> str:
    out = ["# Matching quality benchmark", "",
           "machine: " + ", ".join(f"{k}={v}" for k, v in info.items()), ""]
    for res in results:
        out += [f"## {res['name']} ({res['version']}): threshold {res['threshold']}, "
                f"{res['seconds']:.1f}s (+{res['warmup_seconds']:.1f}s warm-up), "
                f"{res['us_per_pair']} us/pair, errors {res['errors']}",
                mx.table(mx.METRICS_HEADERS, _metric_rows(res)), "",
                f"reliability (all pairs pooled; ECE {mx.fmt(res['ece'])}):",
                mx.reliability_table([mx.Bin(**b) for b in res["reliability"]]), ""]
    if results:
        out += ["## summary (pooled over all sets)",
                mx.table(["scorer", "n", "P", "R", "F1", "FPR", "R@1%FPR", "AUC", "ECE"],
                         [[r["name"], r["overall"]["n"], r["overall"]["precision"],
                           r["overall"]["recall"], r["overall"]["f1"], r["overall"]["fpr"],
                           r["overall"]["recall_at_1pct_fpr"], r["overall"]["roc_auc"], r["ece"]]
                          for r in results]), ""]
    if ratio:
        out += ["## ratio ours / logic-v2 (>1 means ours is better)",
                mx.table(["set", "F1", "R@1%FPR", "AUC"],
                         [[k, v["f1"], v["recall_at_1pct_fpr"], v["roc_auc"]]
                          for k, v in ratio.items()]), ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- main

SCORERS = ("ours", "naive", "logic_v2")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.quality", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default=",".join(LOADERS),
                        help=f"comma-separated sets (default all: {','.join(LOADERS)})")
    parser.add_argument("--limit", type=int, default=None,
                        help="at most N pairs per set (fixed-seed sample)")
    parser.add_argument("--split", choices=SPLITS, default="all")
    parser.add_argument("--scorers", default=",".join(SCORERS),
                        help=f"comma-separated subset of {','.join(SCORERS)}")
    parser.add_argument("--threshold", type=float, default=None,
                        help="operating threshold for all scorers (default: ours, else 0.7)")
    parser.add_argument("--json", type=Path, default=None, help="write results as JSON")
    args = parser.parse_args(argv)

    names = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = [n for n in names if n not in LOADERS]
    if unknown:
        parser.error(f"unknown sets: {', '.join(unknown)}; known: {', '.join(LOADERS)}")
    wanted = {s.strip() for s in args.scorers.split(",") if s.strip()}
    threshold = args.threshold if args.threshold is not None else mx.default_threshold()

    t0 = time.perf_counter()
    sets = limit_sets(load_all(args.split, names), args.limit)
    load_seconds = time.perf_counter() - t0
    print(f"loaded {sum(map(len, sets.values()))} pairs in {load_seconds:.1f}s: "
          + ", ".join(f"{k}={len(v)}" for k, v in sets.items()), file=sys.stderr)

    available: list[tuple[str, ScoreFn, str]] = []
    if "ours" in wanted and (got := ours()) is not None:
        available.append(("ours", *got))
    if "naive" in wanted:
        available.append(("naive", naive_score, "rapidfuzz token_set_ratio on names"))
    if "logic_v2" in wanted:
        if (ref := logic_v2()) is not None:
            available.append(("logic_v2", *ref))
        else:
            print("[logic_v2] nomenklatura not installed: pip install 'nomenklatura>=4,<5'",
                  file=sys.stderr)

    results = []
    for name, fn, version in available:
        run = score_all(name, version, fn, threshold, sets)
        print(f"[{name}] {run.seconds:.1f}s (+{run.warmup_seconds:.1f}s warm-up), "
              f"errors={run.errors}", file=sys.stderr)
        if run.first_error:
            print(f"[{name}] first error: {run.first_error}", file=sys.stderr)
        results.append(evaluate(run, sets))

    by_name = {r["name"]: r for r in results}
    ratio = ratios(by_name["ours"], by_name["logic_v2"]) \
        if "ours" in by_name and "logic_v2" in by_name else None
    info = machine()
    print(report(results, info, ratio))
    if args.json:
        payload = {"machine": info, "split": args.split, "limit": args.limit,
                   "threshold": threshold, "load_seconds": round(load_seconds, 2),
                   "scorers": by_name, "ratio_ours_logic_v2": ratio}
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
        print(f"wrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
