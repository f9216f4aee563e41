"""Rebuild examples/suppliers.csv from the openly licensed files in the shared data folder.

    python examples/make_suppliers.py [--data /work/shared/data]

Deterministic: the same data gives the same file. Only MIT / OGL / US-government sources are
used (see examples/README.md); nothing from OpenSanctions' CC BY-NC files.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = ["id", "name", "type", "country", "date_of_birth", "registration_number", "address",
           "origin"]

# Listed organisations spelled the way users type them (by hand; see README for each).
TYPED: list[tuple[str, str, str]] = [
    ("Hikvision", "company", "CN"),
    ("HIKVISION DIGITAL TECH CO", "company", "CN"),
    ("杭州海康威视数字技术股份有限公司", "company", "CN"),
    ("Hangzhou Hikvison Digital Technology", "company", "CN"),  # typo
    ("Huawei Technologies Co Ltd", "company", "CN"),
    ("HUAWEI TECH. CO., LTD.", "company", "CN"),
    ("华为技术有限公司", "company", "CN"),
    ("Huawie Technologies", "company", "CN"),  # typo
    ("ZTE Corp", "company", "CN"),
    ("ZTE Corporation", "company", "CN"),
    ("Dahua Technology", "company", "CN"),
    ("Zhejiang Dahua Tech Co", "company", "CN"),
    ("SMIC", "company", "CN"),
    ("Semiconductor Manufacturing Intl Corp", "company", "CN"),
    ("China Mobile Communications Group", "company", "CN"),
    ("Рособоронэкспорт", "company", "RU"),
    ("ROSOBORONEXPORT OAO", "company", "RU"),
    ("Sberbank of Russia", "company", "RU"),
]
# Rows that must be rejected, to show the rejects file and the reconciliation.
BAD: list[dict[str, str]] = [
    {"name": "N/A", "type": "company", "country": "DE", "origin": "demo: no usable name"},
    {"name": "", "type": "person", "country": "FR", "origin": "demo: no name"},
    {"name": "Jane Example", "type": "person", "country": "GB", "date_of_birth": "31/31/1980",
     "origin": "demo: unparsable date of birth"},
]


def _rows(data: Path) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    ev = data / "matching_eval"
    with open(ev / "dedupe_patstat_input.csv", encoding="utf-8", newline="") as fh:
        names = sorted({" ".join(r["Name"].split()) for r in csv.DictReader(fh)} - {""})
    rows += [{"name": n, "type": "company", "country": "",
              "origin": "PATSTAT applicant (dedupe-examples, MIT)"} for n in names[::3][:110]]
    with open(ev / "dedupe_chicago_early_childhood_true_ids.csv", encoding="utf-8",
              errors="replace", newline="") as fh:
        seen: dict[str, str] = {}
        for r in csv.DictReader(fh):
            name = " ".join(r["Site name"].split())
            if name and "?" not in name and name not in seen:
                seen[name] = " ".join(r["Address"].split())
    for name in sorted(seen)[::20][:100]:
        rows.append({"name": name, "type": "organisation", "country": "US",
                     "address": f"{seen[name]}, Chicago IL",
                     "origin": "Chicago early-childhood site (dedupe-examples, MIT)"})
    for fname, label in (("yente_negatives_global.csv", "global"), ("yente_negatives_us.csv",
                                                                     "US")):
        with open(ev / fname, encoding="utf-8", newline="") as fh:
            people = list(csv.DictReader(fh))
        for r in people[::8][:50]:
            rows.append({"name": r["full_name"], "type": "person", "country": r["nationality"],
                         "date_of_birth": r["date_of_birth"],
                         "origin": f"yente synthetic negative, {label} (MIT)"})
    rows.append({"name": "! LTD", "type": "company", "country": "GB",
                 "registration_number": "08209948", "address": "9 PRINCES SQUARE, HARROGATE",
                 "origin": "Companies House BasicCompanyData (OGL v3.0)"})
    for name, kind, country in TYPED:
        rows.append({"name": name, "type": kind, "country": country,
                     "origin": "listed company as users type it (hand-written)"})
    rows += BAD
    for i, row in enumerate(rows, start=1):
        row["id"] = f"S{i:04d}"
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--out", type=Path, default=HERE / "suppliers.csv")
    args = parser.parse_args()
    rows = _rows(args.data)
    with open(args.out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in COLUMNS})
    print(f"wrote {len(rows)} rows to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
