"""A/B screening speed: this tree's code against an earlier revision, in the same run.

    python -m bench.ab_screen --baseline REV [--rounds 3] [--listed 300] [--negatives 300]

The machine is shared and noisy, so both sides run alternately in fresh processes, each
screening the same queries (bench.speed's mix) against an index of the bundled lists built by
its own code; a query's time is the minimum of 3 repetitions (CPU time), and each side's
figure is its best round. Prints ms per query for both and the ratio.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

from bench.machine import describe

REPO = Path(__file__).resolve().parents[1]

_BUILD = """
import inspect, json, sys
from redflags.matching.index import Index
ents = (json.loads(line) for line in open(sys.argv[1], encoding="utf-8"))
kw = {"prepared": True} if "prepared" in inspect.signature(Index.build).parameters else {}
Index.build(ents, **kw).save(__import__("pathlib").Path(sys.argv[2]))
"""

_RUN = """
import json, sys, time
from pathlib import Path
from redflags.matching.index import Index
from redflags.matching.screener import Screener
queries = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
import inspect
# each query is screened 3 times: a shortlist cache would time the first run only
kw = {"shortlist_cache": 0} if "shortlist_cache" in inspect.signature(Screener).parameters else {}
screener = Screener(Index.load(Path(sys.argv[2])), **kw)
for q in queries:
    screener.screen(q)
total = 0.0
for q in queries:
    best = 1e9
    for _ in range(3):
        t = time.thread_time()
        screener.screen(q)
        best = min(best, time.thread_time() - t)
    total += best
import redflags
print(json.dumps({"ms": total / len(queries) * 1e3, "code": redflags.__file__}))
"""


def export(rev: str, dest: Path) -> Path:
    data = subprocess.run(["git", "-C", str(REPO), "archive", rev, "src"], check=True,
                          capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")
    return dest / "src"


def run(src: Path, code: str, *args: str) -> str:
    env = {"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True,
                         text=True, env=env, cwd=str(src.parent))
    return out.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", required=True, help="git revision to compare against")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--listed", type=int, default=300)
    ap.add_argument("--negatives", type=int, default=300)
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    args = ap.parse_args()
    from bench.speed import bundled_entities, listed_queries, other_queries

    work = Path(tempfile.mkdtemp(prefix="rf-ab-"))
    cache = work / "bundled.jsonl"
    entities = bundled_entities(cache)
    queries = listed_queries(entities, args.listed) + other_queries(args.data, args.negatives)
    qpath = work / "queries.jsonl"
    qpath.write_text("".join(json.dumps(q) + "\n" for _, q, _ in queries), encoding="utf-8")
    sides = {"baseline": export(args.baseline, work / "base"), "current": REPO / "src"}
    for name, src in sides.items():
        run(src, _BUILD, str(cache), str(work / f"{name}.index"))
    print(describe())
    print(f"{len(queries)} queries (bench.speed mix), bundled lists, {args.rounds} rounds")
    best: dict[str, float] = {}
    for r in range(args.rounds):
        for name, src in sides.items():
            out = json.loads(run(src, _RUN, str(qpath), str(work / f"{name}.index")))
            if not out["code"].startswith(str(src)):  # the installed package must not win
                raise SystemExit(f"{name} ran {out['code']}, not {src}")
            ms = out["ms"]
            best[name] = min(best.get(name, ms), ms)
            print(f"  round {r + 1} {name:8}: {ms:.3f} ms/query")
    ratio = best["current"] / best["baseline"]
    print(f"baseline {args.baseline}: {best['baseline']:.3f} ms/query; current: "
          f"{best['current']:.3f} ms/query; ratio {ratio:.2f} ({1 / ratio:.2f}x faster)")


if __name__ == "__main__":
    main()
