"""A synthetic index-sized population (default one million entities) from real name parts.

    python -m bench.gen_names --count 1000000 --out /tmp/synthetic.ftm.jsonl

Given names and surnames come from FEBRL, Splink, the yente negatives and the English side of
the transliteration pairs; a share of persons is written in Cyrillic, Arabic or Chinese with the
target side of those pairs; company names recombine words of PATSTAT applicants, Chicago
organisations and listed companies with legal forms. The mix (about 60% persons, 35%
companies, 5% vessels; identifiers on a third of the companies and all vessels) follows the
bundled lists, so posting-list lengths are realistic and not uniform. Deterministic per seed.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA = Path("/work/shared/data")
LEGAL_FORMS = [
    "LLC",
    "Ltd",
    "Limited",
    "Inc",
    "Corp",
    "GmbH",
    "AG",
    "SA",
    "S.A.",
    "SRL",
    "BV",
    "NV",
    "OOO",
    "AO",
    "PJSC",
    "JSC",
    "Co., Ltd.",
    "LLP",
    "PLC",
    "SARL",
    "Trading Co",
    "Holding",
]
COUNTRIES = ["ru", "cn", "ir", "us", "gb", "de", "ae", "tr", "kp", "sy", "ve", "by", "hk", "in"]
DATASETS = [f"synthetic_{i}" for i in range(8)]
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]{1,}")


@dataclass
class Parts:
    given: list[str]
    family: list[str]
    company_words: list[str]
    foreign: list[tuple[str, str]]  # (latin token, token in another script)


def _csv_column(path: Path, *columns: str, encoding: str = "utf-8") -> list[str]:
    out: list[str] = []
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        reader = csv.DictReader(fh, skipinitialspace=True)
        for row in reader:
            for col in columns:
                value = (row.get(col) or "").strip()
                if value:
                    out.append(value)
    return out


def load_parts(data: Path = DATA) -> Parts:
    ev = data / "matching_eval"
    given: set[str] = set()
    family: set[str] = set()
    for name in ("dataset1", "dataset2", "dataset3", "dataset4a", "dataset4b"):
        path = ev / "febrl" / f"{name}.csv"
        given.update(_csv_column(path, "given_name"))
        family.update(_csv_column(path, "surname"))
    for name in ("yente_negatives_global.csv", "yente_negatives_us.csv"):
        given.update(_csv_column(ev / name, "first_name", "middle_name"))
        family.update(_csv_column(ev / name, "last_name"))
    given.update(_csv_column(ev / "splink_fake_1000.csv", "first_name"))
    family.update(_csv_column(ev / "splink_fake_1000.csv", "surname"))
    foreign: list[tuple[str, str]] = []
    for script in ("russian", "arabic", "chinese"):
        path = ev / "transliteration" / f"wikidata_en_{script}_pairs_20pct.tsv"
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                cols = line.rstrip("\n").split("\t")
                if len(cols) >= 2 and cols[0].isalpha():
                    family.add(cols[0])
                    foreign.append((cols[0], cols[1].replace(" ", "")))
    words: set[str] = set()
    for org in _csv_column(ev / "dedupe_patstat_input.csv", "Name"):
        words.update(w.title() for w in _WORD.findall(org) if len(w) > 2)
    for org in _csv_column(ev / "dedupe_chicago_early_childhood_true_ids.csv", "Site name"):
        words.update(w.title() for w in _WORD.findall(org) if len(w) > 2)
    for path in sorted((data / "ofac").glob("*/sdn.csv")):
        with open(path, encoding="cp1252", errors="replace", newline="") as fh:
            for row in csv.reader(fh):
                if len(row) > 2 and row[2].strip() == "-0-":
                    words.update(w.title() for w in _WORD.findall(row[1]) if len(w) > 2)
    clean = sorted(g.title() for g in given if g.isalpha() and len(g) > 1)
    return Parts(
        given=clean,
        family=sorted(f.title() for f in family if f.isalpha() and len(f) > 1),
        company_words=sorted(words),
        foreign=foreign,
    )


def generate(count: int, seed: int = 7, parts: Parts | None = None) -> Iterator[dict[str, Any]]:
    """Yield ``count`` FtM-shaped entities; the same seed gives the same population."""
    parts = parts or load_parts()
    rnd = random.Random(seed)
    for i in range(count):
        roll = rnd.random()
        props: dict[str, list[str]] = {}
        if roll < 0.60:
            schema = "Person"
            first = rnd.choice(parts.given)
            last = rnd.choice(parts.family)
            middle = f" {rnd.choice(parts.given)}" if rnd.random() < 0.3 else ""
            props["name"] = [f"{first}{middle} {last}"]
            if rnd.random() < 0.3:
                props["alias"] = [f"{last.upper()}, {first}"]
            if rnd.random() < 0.05:
                latin, other = rnd.choice(parts.foreign)
                props.setdefault("alias", []).append(other)
                props["name"] = [f"{first} {latin.title()}"]
            props["birthDate"] = [f"{rnd.randint(1930, 2000)}-{rnd.randint(1, 12):02d}"]
            props["nationality"] = [rnd.choice(COUNTRIES)]
        elif roll < 0.95:
            schema = "Company"
            n_words = rnd.choice((1, 2, 2, 3, 3, 4))
            words = " ".join(rnd.choice(parts.company_words) for _ in range(n_words))
            props["name"] = [f"{words} {rnd.choice(LEGAL_FORMS)}"]
            if rnd.random() < 0.33:
                props["registrationNumber"] = [str(rnd.randrange(10**9, 10**13))]
            props["jurisdiction"] = [rnd.choice(COUNTRIES)]
        else:
            schema = "Vessel"
            props["name"] = [" ".join(rnd.choice(parts.company_words) for _ in range(2)).upper()]
            props["imoNumber"] = [f"IMO{rnd.randrange(1_000_000, 9_999_999)}"]
        dataset = DATASETS[i % len(DATASETS)]
        yield {
            "id": f"syn-{i}",
            "schema": schema,
            "properties": props,
            "datasets": [dataset],
            "provenance": {"list": dataset, "record_id": str(i)},
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    parts = load_parts(args.data)
    with open(args.out, "w", encoding="utf-8") as fh:
        for entity in generate(args.count, args.seed, parts):
            fh.write(json.dumps(entity, ensure_ascii=False) + "\n")
    print(
        f"wrote {args.count} entities to {args.out} (given names {len(parts.given)}, "
        f"surnames {len(parts.family)}, company words {len(parts.company_words)})"
    )


if __name__ == "__main__":
    main()
