#!/bin/bash
# Same-run A/B of the screening job: an earlier revision against this tree, alternating.
#
#     bench/ab_job.sh REV [ROWS] [ROUNDS]      # e.g. bench/ab_job.sh d7ba52f 100000 2
#
# Each side runs this tree's bench/screen_bench.py (2 workers) on its own code, with its own
# data directory (so neither rebuilds the other's engine index); the baseline's index is built
# by a small warm-up run before the timed ones. Prints each run's line; compare medians.
set -euo pipefail
REV=${1:?usage: bench/ab_job.sh REV [ROWS] [ROUNDS]}
ROWS=${2:-100000}
ROUNDS=${3:-2}
REPO=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-$REPO/.venv/bin/python}
WORK=$(mktemp -d)
trap 'git -C "$REPO" worktree remove --force "$WORK/base" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
git -C "$REPO" worktree add -q --detach "$WORK/base" "$REV"
cp "$REPO/bench/screen_bench.py" "$WORK/base/bench/screen_bench.py"
base() { (cd "$WORK/base" && REDFLAGS_HOME="$WORK/home-base" PYTHONPATH="$WORK/base/src:$WORK/base" \
          "$PY" -m bench.screen_bench --workers 2 "$@"); }
current() { (cd "$REPO" && REDFLAGS_HOME="$WORK/home-current" "$PY" -m bench.screen_bench --workers 2 "$@"); }
base --rows 2000 >/dev/null 2>&1
current --rows 2000 >/dev/null 2>&1
"$PY" -c "import sys; sys.path.insert(0, '$REPO'); from bench.machine import describe; print(describe())"
for _ in $(seq "$ROUNDS"); do
  base --rows "$ROWS" | grep "workers=" | sed "s/^/baseline $REV: /"
  current --rows "$ROWS" | grep "workers=" | sed "s/^/current:       /"
done
