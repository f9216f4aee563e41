"""Load test of `redflags serve` on loopback with wrk: /match throughput and latency.

    python -m bench.api_load [--duration 20] [--connections 8] [--workers 2] [--reload]

Starts the server (bundled lists, an API key in a temporary home), waits until /readyz,
then runs wrk (Debian package `wrk`) with single-query yente-style /match requests: 16 fixed
names (listed companies and people, and ordinary ones) and 10,000 distinct real names in turn,
so that caches cannot flatter the figures; /healthz is the framework baseline in the same
run. With --reload, a new list version is imported into the store while the load runs and the
report shows that no request failed and that the server switched versions.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.machine import describe

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"

QUERIES = [
    ("Company", "Hikvision"),
    ("Company", "HIKVISION DIGITAL TECH CO"),
    ("Company", "杭州海康威视数字技术股份有限公司"),
    ("Company", "Huawei Technologies"),
    ("Company", "Rosneft Oil Company"),
    ("Company", "Koninklijke Philips Electronics N.V."),
    ("Company", "Golden Star Trading Co Ltd"),
    ("Person", "Viktor Bout"),
    ("Person", "Vladimir Putin"),
    ("Person", "John Smith"),
    ("Company", "Banco Nacional de Cuba"),
    ("Company", "Siemens AG"),
    ("Person", "Kim Jong Un"),
    ("Company", "Islamic Revolutionary Guard Corps"),
    ("Company", "Mahan Air"),
    ("Company", "Tesco Stores Limited"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_queries(count: int, seed: int = 7) -> list[tuple[str, str]]:
    """The 16 names above plus ``count`` distinct real names (organisations and people from
    the evaluation files, recombined as in the screening benchmark): a server must not look
    fast only because it sees the same few queries again and again."""
    from bench.screen_bench import real_names

    orgs, given, family = real_names(DATA)
    rnd = random.Random(seed)
    out = list(QUERIES)
    seen = {name for _, name in out}
    while len(out) < len(QUERIES) + count:
        if rnd.random() < 0.5:
            schema, name = "Company", rnd.choice(orgs)
        else:
            schema, name = "Person", f"{rnd.choice(given)} {rnd.choice(family)}"
        if name not in seen:
            seen.add(name)
            out.append((schema, name))
    return out


def lua_script(path: Path, token: str, queries: list[tuple[str, str]]) -> None:
    bodies = []
    for i, (schema, name) in enumerate(queries):
        body = {"queries": {f"q{i}": {"schema": schema, "properties": {"name": [name]}}}}
        bodies.append(json.dumps(json.dumps(body, ensure_ascii=False), ensure_ascii=False))
    path.write_text(
        "local bodies = {" + ",".join(bodies) + "}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i + 1\n"
        "  return wrk.format('POST', nil, {['Content-Type']='application/json',"
        f" ['Authorization']='Bearer {token}'}}, bodies[(i % #bodies) + 1])\n"
        "end\n",
        encoding="utf-8",
    )


def wait_ready(base: str, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("server did not become ready")


def run_wrk(url: str, duration: int, conns: int, script: Path | None) -> dict[str, float]:
    cmd = ["wrk", "-t1", f"-c{conns}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    res: dict[str, float] = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}  # type: ignore[union-attr]
    for pct in ("50", "90", "99"):
        m = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out)
        if m:
            val = float(m.group(1))
            res[f"p{pct}_ms"] = val / 1000 if m.group(2) == "us" else val * (
                1000 if m.group(2) == "s" else 1)
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    res["non_2xx"] = float(m.group(1)) if m else 0.0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    res["socket_errors"] = float(sum(int(x) for x in m.groups())) if m else 0.0
    m = re.search(r"(\d+) requests in", out)
    res["requests"] = float(m.group(1)) if m else 0.0
    return res


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=20)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--reload", action="store_true", help="import a new list version mid-run")
    ap.add_argument("--distinct", type=int, default=10_000,
                    help="distinct real names besides the 16 fixed queries")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install wrk")
    home = Path(tempfile.mkdtemp(prefix="redflags-load-"))
    env = dict(os.environ, REDFLAGS_HOME=str(home))
    exe = [sys.executable, "-m", "redflags"]
    store = home / "store.duckdb"
    if args.reload:  # a real store so that an update can land while serving
        from redflags.store import Store

        os.environ["REDFLAGS_HOME"] = str(home)
        with Store(store) as st:
            st.seed_from_bundle()
    token = subprocess.run([*exe, "keys", "create", "load"], env=env, capture_output=True,
                           text=True, check=True).stdout.strip().splitlines()[-1]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*exe, "serve", "--port", str(port), "--workers", str(args.workers),
         "--reload-interval", "1", *(["--store", str(store)] if args.reload else [])],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        wait_ready(base)
        script = home / "match.lua"
        queries = load_queries(args.distinct)
        lua_script(script, token, queries)
        print(f"machine: {describe()}")
        print(f"server: {args.workers} uvicorn workers; load: wrk 1 thread, "
              f"{args.connections} connections, {args.duration} s, "
              f"{len(queries)} distinct single-query bodies in turn\n")
        run_wrk(base + "/match/default", 3, args.connections, script)  # warm caches
        health = run_wrk(base + "/healthz", args.duration, args.connections, None)
        updater = None
        if args.reload:
            updater = subprocess.Popen(
                [*exe, "import", str(DATA / "us_lists_2026-07" / "fcc_covered.json"),
                 "--list", "us_fcc_covered", "--format", "us-json", "--force",
                 "--store", str(store)],
                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            )
        match = run_wrk(base + "/match/default", args.duration, args.connections, script)
        if updater is not None:
            print("update during load:", (updater.communicate()[0] or "").strip()[-200:])
        print(f"{'endpoint':20} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8}"
              f" {'errors':>7}")
        for name, r in (("GET /healthz", health), ("POST /match/default", match)):
            print(f"{name:20} {r['rps']:9.0f} {r.get('p50_ms', 0):8.2f} {r.get('p90_ms', 0):8.2f}"
                  f" {r.get('p99_ms', 0):8.2f} {r['non_2xx'] + r['socket_errors']:7.0f}")
        print(f"\n/match throughput = {match['rps'] / health['rps']:.2f} x /healthz (same run)")
        print("targets: >= 500 req/s, p99 < 50 ms, no failed request during a list update")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
