"""Import speed and peak memory of the list parsers and the store.

    python -m bench.import_bench [--repeat 3] [--data ../shared/data]

Times (median of --repeat runs, each into a fresh store): importing the full 2024 SDN CSV plus
the 2025 non-SDN set (the issue's <10 s target), next to the parse-only time and a plain
``csv.reader`` pass over the same bytes (the floor any parser pays), measured in the same run.
Then peak RSS of importing each shared list file in its own subprocess (<500 MB target).
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.machine import describe

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"

PAIR = [
    ("us_ofac_sdn", "ofac-csv", "ofac/sdn_2024-05-03/sdn.csv"),
    ("us_ofac_cons", "ofac-csv", "ofac/cons_2025-12/cons_prim.csv"),
]

FILES: list[tuple[str, ...]] = [
    ("us_ofac_sdn", "ofac-csv", "ofac/sdn_2024-05-03/sdn.csv"),
    ("us_ofac_sdn", "ofac-csv", "ofac/sdn_2021-07/sdn.csv"),
    ("us_ofac_cons", "ofac-csv", "ofac/cons_2025-12/cons_prim.csv"),
    ("us_ofac_cons", "ofac-xml", "ofac/cons_2018-05/consolidated.xml"),
    ("us_trade_csl", "csl-csv", "csl/consolidated_screening_list_2023-11_truncated.csv",
     "on_bad_row=skip"),
    ("us_bis_dpl", "bis-dpl", "bis/denied_persons_list_2023-11.txt"),
    ("us_bis_entity_list", "us-json", "us_lists_2026-07/bis_entity_list.json"),
    ("un_sc", "un-xml", "un/un_consolidated_2026-02.xml"),
    ("gb_ofsi", "uk-ofsi", "uk/ofsi_conlist_2025-04-14.xlsx"),
]

CHILD = """
import sys, time
from pathlib import Path
from redflags.store import Store
t = time.perf_counter()
opts = dict(o.split("=", 1) for o in sys.argv[5:])
with Store(Path(sys.argv[1])) as st:
    r = st.import_file(sys.argv[2], sys.argv[3], Path(sys.argv[4]), options=opts)
# VmHWM: ru_maxrss would carry this benchmark's own peak across fork+exec.
hwm = next(int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmHWM:"))
print(r.entity_count, time.perf_counter() - t, hwm / 1024)
"""

# What a user runs: one fresh process importing both files (imports, cold caches and all).
PAIR_CHILD = """
import sys, time
from pathlib import Path
t = time.perf_counter(); c = time.process_time()
from redflags.store import Store
with Store(Path(sys.argv[1])) as st:
    n = sum(st.import_file(a, "ofac-csv", Path(b)).entity_count
            for a, b in zip(sys.argv[2::2], sys.argv[3::2]))
print(n, time.perf_counter() - t, time.process_time() - c)
"""


def raw_csv_pass(path: Path) -> int:
    n = 0
    with open(path, encoding="cp1252", newline="") as fh:
        for _ in csv.reader(fh):
            n += 1
    return n


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    from redflags.sources import ParseContext, get_parser
    from redflags.store import Store

    print(f"machine: {describe()}")
    floor, parse, full = [], [], []
    entities = 0
    for _ in range(args.repeat):
        t = time.perf_counter()
        for _name, _fmt, rel in PAIR:
            raw_csv_pass(args.data / rel)
        floor.append(time.perf_counter() - t)
        t = time.perf_counter()
        for name, fmt, rel in PAIR:
            for _e in get_parser(fmt)(args.data / rel, ParseContext(name)):
                pass
        parse.append(time.perf_counter() - t)
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            with Store(Path(tmp) / "s.duckdb") as st:
                entities = sum(
                    st.import_file(name, fmt, args.data / rel).entity_count
                    for name, fmt, rel in PAIR
                )
            full.append(time.perf_counter() - t)
    cold_wall, cold_cpu = [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            argv = [str(Path(tmp) / "s.duckdb")]
            for name, _fmt, rel in PAIR:
                argv += [name, str(args.data / rel)]
            out = subprocess.run([sys.executable, "-c", PAIR_CHILD, *argv],
                                 capture_output=True, text=True, check=True).stdout.split()
            cold_wall.append(float(out[1]))
            cold_cpu.append(float(out[2]))
    med = statistics.median
    print(f"\nSDN 2024-05-03 + non-SDN 2025-12 ({entities} entities), median of {args.repeat}:")
    print(f"  fresh process, as `redflags import` runs: {med(cold_wall):6.2f} s wall, "
          f"{med(cold_cpu):6.2f} s CPU   target < 10 s")
    print("  in one warm process (parser caches filled by the previous run):")
    print(f"  csv.reader pass (floor)  {med(floor):6.2f} s")
    ratio = med(parse) / med(floor)
    print(f"  parse only               {med(parse):6.2f} s   ({ratio:.1f}x floor)")
    print(f"  full import into store   {med(full):6.2f} s   ({med(full) / med(floor):.1f}x floor,"
          f" {med(full) / med(parse):.2f}x parse)")
    print("\nPeak RSS per file (fresh process each, target < 500 MB):")
    rows = []
    for name, fmt, rel, *options in FILES:
        path = args.data / rel
        if not path.exists():
            continue
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(Path(tmp) / "s.duckdb"), name, fmt, str(path),
                 *options],
                capture_output=True, text=True, check=False,
            )
        if out.returncode != 0:
            print(f"  {rel:60} FAILED: {out.stderr.strip().splitlines()[-1:]}")
            continue
        count, secs, rss = out.stdout.split()
        rows.append({"file": rel, "entities": int(count), "seconds": float(secs),
                     "peak_rss_mb": float(rss)})
        print(f"  {rel:60} {int(count):7d} entities {float(secs):6.2f} s {float(rss):7.0f} MB")
    if args.json:
        args.json.write_text(json.dumps({
            "machine": describe(), "cold_wall_s": med(cold_wall), "cold_cpu_s": med(cold_cpu),
            "floor_s": med(floor), "parse_s": med(parse),
            "import_s": med(full), "entities": entities, "files": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
