"""Labelled query/candidate pairs built from the public evaluation files in shared data.

Every loader is deterministic (fixed seed, sorted inputs) so figures are comparable between
runs and between matchers, and each set is capped so the whole bench runs in minutes. Pairs
carry FtM-shaped dicts so any matcher (ours, nomenklatura's logic-v2, a naive baseline) sees
exactly the same input.

``split``: pairs are assigned to "train" (~70%) or "test" by a hash of their *group* (the
underlying name or cluster), so a name used to fit weights never leaks into the test half.
A pair derived from a name of another set (the "screening" negatives) carries that name's
``split_key`` and so stays on its side.
The files themselves are already the development half of their sources (see PROVENANCE.md).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import random
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from anyascii import anyascii
from lxml import etree
from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import Levenshtein
from rigour.text.phonetics import metaphone

from redflags.model import EntityBuilder
from redflags.text import GENERIC, NAME, name_tokens, token_kind

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("REDFLAGS_SHARED_DATA", REPO.parent / "shared" / "data"))
EVAL_DIR = SHARED_DATA / "matching_eval"
UN_XML = SHARED_DATA / "un" / "un_consolidated_2025-11-20.xml"

SEED = 20261127
SPLITS = ("all", "train", "test")
TRAIN_SHARE = 7  # out of 10

Entity = dict[str, Any]


@dataclass(frozen=True)
class Pair:
    """One labelled comparison; ``group`` keeps related pairs on the same side of a split."""

    query: Entity
    candidate: Entity
    label: bool
    set: str
    category: str
    group: str = ""
    note: str = ""
    split_key: str = ""  # when set, decides the split instead of set|group (see in_split)


# --------------------------------------------------------------------------- helpers


def entity(schema: str, eid: str, **props: str | Iterable[str | None] | None) -> Entity:
    """An FtM-shaped dict, cleaned and validated by the project's own builder."""
    builder = EntityBuilder(schema, eid, dataset="bench")
    for prop, values in props.items():
        builder.add(prop, values)
    data = builder.to_dict()
    return {"id": data["id"], "schema": data["schema"], "properties": data["properties"]}


def in_split(pair: Pair, split: str) -> bool:
    if split == "all":
        return True
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; use one of {', '.join(SPLITS)}")
    # a derived pair (screening negatives) inherits the split of the name it came from
    key = (pair.split_key or f"{pair.set}|{pair.group or pair.query.get('id', '')}").encode()
    bucket = int(hashlib.sha1(key).hexdigest()[:8], 16) % 10
    return (bucket < TRAIN_SHARE) == (split == "train")


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _read_csv(path: Path, **kwargs: Any) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        return list(csv.DictReader(fh, **kwargs))


def _sample(items: Sequence[Any], n: int, rng: random.Random) -> list[Any]:
    if len(items) <= n:
        return list(items)
    return rng.sample(list(items), n)


# --------------------------------------------------------------------------- nomenklatura


def load_nk_names() -> list[Pair]:
    """nomenklatura's name bench: labelled name pairs; category is the case group."""
    pairs = []
    rows = _read_csv(EVAL_DIR / "nomenklatura_name_bench_cases.csv")
    for i, row in enumerate(rows):
        schema = row["schema"]
        gid = f"nkn-{i}"
        pairs.append(
            Pair(
                query=entity(schema, f"{gid}-q", name=row["name1"]),
                candidate=entity(schema, f"{gid}-c", name=row["name2"]),
                label=row["is_match"].strip().lower() == "true",
                set="nk_names",
                category=row["case_group"],
                group=_norm(row["name2"]),
                note=row["category"] or row["notes"],
            )
        )
    return pairs


def load_nk_checks() -> list[Pair]:
    """nomenklatura's whole-entity checks (names split into parts in some); category=schema."""
    with (EVAL_DIR / "nomenklatura_entity_bench_checks.yml").open(encoding="utf-8") as fh:
        checks = yaml.safe_load(fh)["checks"]
    pairs = []
    for i, check in enumerate(checks):
        schema = check["schema"]

        def build(side: dict[str, Any], eid: str, schema: str = schema) -> Entity:
            props = {k: [str(v)] if not isinstance(v, list) else [str(x) for x in v]
                     for k, v in side.items()}
            return entity(schema, eid, **props)

        cand = check["candidate"]
        pairs.append(
            Pair(
                query=build(check["query"], f"nkc-{i}-q"),
                candidate=build(cand, f"nkc-{i}-c"),
                label=bool(check["match"]),
                set="nk_checks",
                category=schema,
                group=_norm(str(cand.get("name") or cand.get("lastName") or i)),
                note=str(check.get("label") or ""),
            )
        )
    return pairs


# --------------------------------------------------------------------------- cross-script

SCRIPT_FILES = {
    "arabic": "wikidata_en_arabic_pairs_20pct.tsv",
    "chinese": "wikidata_en_chinese_pairs_20pct.tsv",
    "hebrew": "wikidata_en_hebrew_pairs_20pct.tsv",
    "katakana": "wikidata_en_katakana_pairs_20pct.tsv",
    "korean": "wikidata_en_korean_pairs_20pct.tsv",
    "russian": "wikidata_en_russian_pairs_20pct.tsv",
}
# How people write a two-part foreign name in each script (Chinese and Japanese use a dot).
SCRIPT_SEP = {"chinese": "·", "katakana": "・"}
LATIN_TOKEN = re.compile(r"^[a-z][a-z'\-]+$")
XSCRIPT_PER_SCRIPT = 400


@dataclass
class _Lexicon:
    """English token <-> script forms, with counts, for one script."""

    forms: dict[str, dict[str, int]]  # english -> {script form: count}
    english_of: dict[str, set[str]]  # script form -> english tokens
    # edits needed in the script before two names count as different: one syllable in
    # Chinese/Korean, two letters in alphabets and abjads (Arabic drops short vowels, so
    # "Labid"/"Labida" differ by one letter or none and a reader could not tell them apart)
    min_script_edits: int = 2

    def best(self, english: str) -> str:
        forms = self.forms[english]
        return max(sorted(forms), key=lambda f: forms[f])


def _read_lexicon(path: Path, wikidata: bool) -> _Lexicon:
    forms: dict[str, dict[str, int]] = defaultdict(dict)
    english_of: dict[str, set[str]] = defaultdict(set)
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 2:
                continue
            if wikidata:
                english, script = cols[0].strip().lower(), "".join(cols[1].split())
                count = int(cols[2]) if len(cols) > 2 and cols[2].strip().isdigit() else 1
            else:  # google ar2en: arabic \t english
                script, english = "".join(cols[0].split()), cols[1].strip().lower()
                count = 1
            if not LATIN_TOKEN.match(english) or len(english) < 3 or not script:
                continue
            if script.isascii():
                continue
            forms[english][script] = forms[english].get(script, 0) + count
            english_of[script].add(english)
    syllabic = path.name.startswith(("wikidata_en_chinese", "wikidata_en_korean"))
    return _Lexicon(dict(forms), dict(english_of), 1 if syllabic else 2)


def _is_variant(lex: _Lexicon, a: str, b: str) -> bool:
    """True when two English tokens could be the same name: same sound, or written (nearly)
    alike in the script, so labelling them different would measure noise."""
    if a == b or metaphone(a) == metaphone(b):
        return True
    return any(Levenshtein.distance(fa, fb, score_cutoff=lex.min_script_edits)
               < lex.min_script_edits for fa in lex.forms[a] for fb in lex.forms[b])


def _similar_other(lex: _Lexicon, name: str, buckets: dict[tuple[str, int], list[str]],
                   rng: random.Random) -> str | None:
    """A *different* English name that looks alike: same first letter, similar length,
    edit distance 2-40% of its length; the closest of those."""
    options: list[tuple[int, str]] = []
    for length in (len(name) - 1, len(name), len(name) + 1):
        for other in buckets.get((name[0], length), []):
            dist = Levenshtein.distance(name, other)
            if 2 <= dist <= max(2, int(len(name) * 0.4)) and not _is_variant(lex, name, other):
                options.append((dist, other))
    if not options:
        return None
    best = min(d for d, _ in options)
    closest = sorted(o for d, o in options if d == best)
    return str(rng.choice(closest))


def _random_other(lex: _Lexicon, name: str, pool: list[str], rng: random.Random) -> str:
    while True:
        other = rng.choice(pool)
        if not _is_variant(lex, name, other):
            return other


def _xscript_pairs(script: str, lex: _Lexicon, cap: int) -> list[Pair]:
    rng = random.Random(f"{SEED}-{script}")
    pool = sorted(lex.forms)
    buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
    for name in pool:
        buckets[(name[0], len(name))].append(name)
    sep = SCRIPT_SEP.get(script, " ")
    quarter, hard, rand = cap // 4, cap * 3 // 16, cap // 16
    pairs: list[Pair] = []
    counter = iter(range(10**9))

    def add(query_tokens: list[str], cand_tokens: list[str], label: bool, note: str) -> None:
        n = next(counter)
        q = sep.join(lex.best(t) for t in query_tokens)
        c = " ".join(t.capitalize() for t in cand_tokens)
        pairs.append(
            Pair(
                query=entity("Person", f"xs-{script}-{n}-q", name=q),
                candidate=entity("Person", f"xs-{script}-{n}-c", name=c),
                label=label,
                set="xscript",
                category=script,
                group=" ".join(query_tokens),
                note=note,
            )
        )

    names = rng.sample(pool, min(len(pool), cap * 2))
    it = iter(names)
    for _ in range(quarter):  # single-token positives
        t = next(it)
        add([t], [t], True, "single")
    for _ in range(quarter):  # two-part positives, both sides composed the same way
        a, b = next(it), next(it)
        add([a, b], [a, b], True, "full")
    made = 0
    while made < hard:  # single hard negatives
        t = rng.choice(pool)
        other = _similar_other(lex, t, buckets, rng)
        if other is not None:
            add([t], [other], False, "single-hard")
            made += 1
    for _ in range(rand):
        t = rng.choice(pool)
        add([t], [_random_other(lex, t, pool, rng)], False, "single-random")
    made = 0
    while made < hard:  # full-name hard negatives: one part swapped for a look-alike
        a, b = rng.choice(pool), rng.choice(pool)
        if rng.random() < 0.5:
            other = _similar_other(lex, b, buckets, rng)
            cand = [a, other] if other else None
        else:
            other = _similar_other(lex, a, buckets, rng)
            cand = [other, b] if other else None
        if cand is not None and a != b:
            add([a, b], [c for c in cand if c], False, "full-hard")
            made += 1
    for _ in range(rand):
        a, b = rng.choice(pool), rng.choice(pool)
        add([a, b], [_random_other(lex, a, pool, rng), _random_other(lex, b, pool, rng)],
            False, "full-random")
    return pairs


@lru_cache(maxsize=1)
def _xscript_all() -> tuple[Pair, ...]:
    pairs: list[Pair] = []
    tdir = EVAL_DIR / "transliteration"
    for script, fname in SCRIPT_FILES.items():
        pairs.extend(_xscript_pairs(script, _read_lexicon(tdir / fname, True), XSCRIPT_PER_SCRIPT))
    lex = _read_lexicon(tdir / "google_ar2en.tsv", False)
    pairs.extend(_xscript_pairs("arabic_google", lex, XSCRIPT_PER_SCRIPT))
    return tuple(pairs)


def load_xscript() -> list[Pair]:
    """Cross-script person names, balanced per script (wikidata token pairs, google ar2en)."""
    return list(_xscript_all())


def load_xscript_extra() -> list[Pair]:
    """Small all-positive sets: hand-made watchman pairs and Putin's name in 79 spellings."""
    pairs: list[Pair] = []
    with (EVAL_DIR / "watchman_cross_script_pairs.csv").open(encoding="utf-8") as fh:
        lines = [ln for ln in fh if ln.strip() and not ln.startswith("#")]
    for i, row in enumerate(csv.reader(lines)):
        if len(row) < 2:
            continue
        pairs.append(
            Pair(
                query=entity("Person", f"wm-{i}-q", name=row[0].strip()),
                candidate=entity("Person", f"wm-{i}-c", name=row[1].strip()),
                label=True,
                set="xscript_extra",
                category="watchman",
                group=_norm(row[1]),
                note=row[3].strip() if len(row) > 3 else "",
            )
        )
    text = (EVAL_DIR / "putin_names_multiscript.txt").read_text(encoding="utf-8")
    spellings = [ln.strip() for ln in text.splitlines() if ln.strip()]
    listed = entity("Person", "putin-c", name="Vladimir Vladimirovich PUTIN",
                    alias=["Vladimir Putin"])
    for i, spelling in enumerate(spellings):
        pairs.append(
            Pair(
                query=entity("Person", f"putin-{i}-q", name=spelling),
                candidate=listed,
                label=True,
                set="xscript_extra",
                category="putin",
                group="putin",
            )
        )
    return pairs


# --------------------------------------------------------------------------- companies

COMPANY_PER_SOURCE = 1000


@lru_cache(maxsize=65536)
def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", text))


def _contained(a: str, b: str) -> bool:
    ta, tb = _words(a), _words(b)
    return ta <= tb or tb <= ta


def _cluster_pairs(clusters: dict[str, list[Entity]], set_name: str, category: str,
                   cap: int, rng: random.Random) -> list[Pair]:
    """Positives: distinct names within a cluster. Hard negatives: names in different
    clusters sharing a token of 3+ letters, unless one name's words contain the other's
    ("SANOFI" / "SANOFI SYNTHELABO", "Locke" / "Locke Charter School"): the ground truth
    calls those different (parent vs. subsidiary, one agency's sites) but a screening
    engine is right to flag them, so they would measure label noise, not quality."""

    def key(e: Entity) -> str:
        return _norm(e["properties"]["name"][0])

    pos: list[Pair] = []
    token_index: dict[str, list[tuple[str, str, Entity]]] = defaultdict(list)
    for cid in sorted(clusters):
        distinct: dict[str, Entity] = {}
        for ent in clusters[cid]:
            distinct.setdefault(key(ent), ent)
        members = [distinct[k] for k in sorted(distinct)]
        for k in sorted(distinct):
            for tok in set(re.findall(r"\w{3,}", k)):
                token_index[tok].append((cid, k, distinct[k]))
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                pos.append(Pair(a, b, True, set_name, category, group=cid))
    # valid negatives per shared token (at most 60 names per token, so "chicago" or
    # "center" does not dominate); then draw tokens uniformly so many brands are covered.
    by_token: dict[str, list[tuple[Entity, Entity, str]]] = {}
    for tok in sorted(token_index):
        sharing = token_index[tok]
        if len(sharing) > 60:
            sharing = rng.sample(sharing, 60)
        options = [(a, b, ca) for i, (ca, ka, a) in enumerate(sharing)
                   for cb, kb, b in sharing[i + 1:] if ca != cb and not _contained(ka, kb)]
        if options:
            by_token[tok] = options
    neg: list[Pair] = []
    names_seen: set[tuple[str, str]] = set()
    want = min(cap // 2, len(pos))
    tokens = sorted(by_token)
    while len(neg) < want and tokens:
        tok = rng.choice(tokens)
        options = by_token[tok]
        a, b, ca = options.pop(rng.randrange(len(options)))
        if not options:
            tokens.remove(tok)
        ka, kb = key(a), key(b)
        if (ka, kb) in names_seen:
            continue
        names_seen.update({(ka, kb), (kb, ka)})
        neg.append(Pair(a, b, False, set_name, category, group=ca))
    pos = _sample(pos, len(neg), rng)
    return pos + neg


def _patstat_rows() -> Iterator[tuple[str, str, str]]:
    """(person id, applicant name, reference cluster) of every named, resolved applicant."""
    ref = {r["person_id"]: r["leuven_id"] for r in
           _read_csv(EVAL_DIR / "dedupe_patstat_reference.csv")}
    for row in _read_csv(EVAL_DIR / "dedupe_patstat_input.csv"):
        name = row["Name"].strip()
        if name and row["person_id"] in ref:
            yield row["person_id"], name, ref[row["person_id"]]


def load_companies() -> list[Pair]:
    """Company/organisation name variants: PATSTAT applicants and Chicago childcare sites."""
    rng = random.Random(f"{SEED}-companies")
    clusters: dict[str, list[Entity]] = defaultdict(list)
    for person_id, name, cluster in _patstat_rows():
        clusters[cluster].append(entity("Company", f"patstat-{person_id}", name=name))
    pairs = _cluster_pairs(clusters, "companies", "patstat", COMPANY_PER_SOURCE, rng)

    clusters = defaultdict(list)
    for row in _read_csv(EVAL_DIR / "dedupe_chicago_early_childhood_true_ids.csv"):
        name = row["Site name"].strip()
        if name:
            address = " ".join(f"{row['Address']} {row['Zip']}".split())
            clusters[row["True Id"]].append(
                entity("Organization", f"chicago-{row['Id']}", name=name, address=address,
                       country="us"))
    pairs += _cluster_pairs(clusters, "companies", "chicago", COMPANY_PER_SOURCE, rng)
    return pairs


# --------------------------------------------------------------------------- persons

PERSONS_PER_SOURCE = 600
FEBRL_SETS = {
    "febrl1": ("dataset1.csv",),
    "febrl2": ("dataset2.csv",),
    "febrl3": ("dataset3.csv",),
    "febrl4": ("dataset4a.csv", "dataset4b.csv"),
}


def _febrl_date(raw: str) -> str | None:
    raw = raw.strip()
    if len(raw) != 8 or not raw.isdigit():
        return None
    month, day = int(raw[4:6]), int(raw[6:8])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{raw[:4]}-{raw[4:6]}-{raw[6:8]}"


def _febrl_person(row: dict[str, str]) -> Entity:
    given, surname = row["given_name"].strip(), row["surname"].strip()
    address = ", ".join(
        p for p in (
            f"{row['street_number'].strip()} {row['address_1'].strip()}".strip(),
            row["address_2"].strip(),
            f"{row['suburb'].strip()} {row['postcode'].strip()} {row['state'].strip()}".strip(),
        ) if p
    )
    return entity(
        "Person", f"febrl-{row['rec_id'].strip()}",
        name=" ".join(p for p in (given, surname) if p) or None,
        firstName=given or None, lastName=surname or None,
        birthDate=_febrl_date(row["date_of_birth"]), address=address or None, country="au",
    )


@dataclass(frozen=True)
class _Person:
    """A record known by cluster and name; its entity is built only when a pair uses it
    (building all 20k FEBRL records through the FtM cleaner costs seconds)."""

    cluster: str
    name: str
    last: str
    build: Callable[[], Entity]


def _person_negatives(queries: list[tuple[_Person, Entity]], pool: list[_Person],
                      set_name: str, category: str, rng: random.Random) -> list[Pair]:
    """For each query, another person with the same surname, else the closest name."""
    by_surname: dict[str, list[_Person]] = defaultdict(list)
    for person in pool:
        if person.last:
            by_surname[_norm(person.last)].append(person)
    pool_names = [utils.default_process(p.name) for p in pool]
    out: list[Pair] = []
    for qp, query in queries:
        same = [p for p in by_surname.get(_norm(qp.last), []) if p.cluster != qp.cluster] \
            if qp.last else []
        if same:
            cand = rng.choice(same)
            note = "same-surname"
        else:
            hits = process.extract(utils.default_process(qp.name), pool_names,
                                   scorer=fuzz.ratio, limit=30)
            others = [pool[i] for _, _, i in hits if pool[i].cluster != qp.cluster]
            if not others:
                continue
            cand = others[0]
            note = "similar-name"
        out.append(Pair(query, cand.build(), False, set_name, category, group=qp.cluster,
                        note=note))
    return out


def _febrl_record(cluster: str, row: dict[str, str]) -> _Person:
    given, surname = row["given_name"].strip(), row["surname"].strip()
    name = " ".join(p for p in (given, surname) if p)
    return _Person(cluster, name, surname, lru_cache(maxsize=1)(lambda: _febrl_person(row)))


def _febrl_pairs(category: str, files: tuple[str, ...], cap: int) -> list[Pair]:
    rng = random.Random(f"{SEED}-{category}")
    originals: dict[str, _Person] = {}
    dups: list[tuple[str, _Person]] = []
    for fname in files:
        rows = _read_csv(EVAL_DIR / "febrl" / fname, skipinitialspace=True)
        for row in rows:
            rec = row["rec_id"].strip()
            m = re.match(r"rec-(\d+)-(org|dup-\d+)$", rec)
            if not m:
                continue
            if m.group(2) == "org":
                originals[m.group(1)] = _febrl_record(m.group(1), row)
            else:
                dups.append((rec, _febrl_record(m.group(1), row)))
    dups = sorted(d for d in dups if d[1].cluster in originals)
    chosen = [(p, p.build()) for _, p in _sample(dups, cap // 2, rng)]
    pos = [Pair(q, originals[p.cluster].build(), True, "persons", category, group=p.cluster)
           for p, q in chosen]
    pool = [originals[k] for k in sorted(originals)]
    neg = _person_negatives(chosen, pool, "persons", category, rng)
    return pos + neg


def _const(ent: Entity) -> Callable[[], Entity]:
    return lambda: ent


def _splink_pairs(cap: int) -> list[Pair]:
    rng = random.Random(f"{SEED}-splink")
    clusters: dict[str, list[tuple[_Person, Entity]]] = defaultdict(list)
    people: list[_Person] = []
    for row in _read_csv(EVAL_DIR / "splink_fake_1000.csv"):
        first, last = row["first_name"].strip(), row["surname"].strip()
        if not (first or last):
            continue
        name = " ".join(p for p in (first, last) if p)
        ent = entity(
            "Person", f"splink-{row['unique_id']}", name=name, firstName=first or None,
            lastName=last or None, birthDate=row["dob"].strip() or None,
            address=row["city"].strip() or None,
        )
        person = _Person(row["cluster"], name, last, _const(ent))
        clusters[row["cluster"]].append((person, ent))
        people.append(person)
    pos: list[tuple[_Person, Pair]] = []
    for cid in sorted(clusters):
        members = clusters[cid]
        for i, (pa, a) in enumerate(members):
            for _, b in members[i + 1:]:
                pos.append((pa, Pair(a, b, True, "persons", "splink", group=cid)))
    pos = _sample(pos, cap // 2, rng)
    queries = [(person, pair.query) for person, pair in pos]
    negatives = _person_negatives(queries, people, "persons", "splink", rng)
    return [pair for _, pair in pos] + negatives


def load_persons() -> list[Pair]:
    """Person records with dates and addresses: FEBRL (4 datasets) and splink fake_1000."""
    pairs: list[Pair] = []
    for category, files in FEBRL_SETS.items():
        pairs += _febrl_pairs(category, files, PERSONS_PER_SOURCE)
    pairs += _splink_pairs(PERSONS_PER_SOURCE)
    return pairs


# --------------------------------------------------------------------------- yente / UN


def _un_text(elem: etree._Element, tag: str) -> str | None:
    text = elem.findtext(tag)
    return text.strip() if text and text.strip() else None


@lru_cache(maxsize=1)
def un_individuals() -> tuple[Entity, ...]:
    """The UN SC consolidated list's individuals as candidates (names, aliases, DOB, nat.)."""
    tree = etree.parse(str(UN_XML), etree.XMLParser(resolve_entities=False, no_network=True))
    out: list[Entity] = []
    for ind in tree.iter("INDIVIDUAL"):
        parts = [_un_text(ind, t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME",
                                            "FOURTH_NAME")]
        name = " ".join(p for p in parts if p)
        aliases: list[str] = []
        weak: list[str] = []
        for alias in ind.iter("INDIVIDUAL_ALIAS"):
            value = _un_text(alias, "ALIAS_NAME")
            if value:
                (weak if _un_text(alias, "QUALITY") == "Low" else aliases).append(value)
        original = _un_text(ind, "NAME_ORIGINAL_SCRIPT")
        if original:
            aliases.append(original)
        dobs: list[str | None] = []
        for dob in ind.iter("INDIVIDUAL_DATE_OF_BIRTH"):
            dobs += [_un_text(dob, "DATE"), _un_text(dob, "YEAR"),
                     _un_text(dob, "FROM_YEAR"), _un_text(dob, "TO_YEAR")]
        nats = [v.text.strip() for v in ind.iterfind("NATIONALITY/VALUE") if v.text]
        out.append(entity("Person", f"un-{_un_text(ind, 'DATAID')}", name=name or None,
                          alias=aliases, weakAlias=weak, birthDate=dobs, nationality=nats))
    return tuple(out)


def _yente_query(row: dict[str, str], eid: str) -> Entity:
    return entity(
        "Person", eid, name=row["full_name"], firstName=row["first_name"] or None,
        middleName=row["middle_name"] or None, lastName=row["last_name"] or None,
        birthDate=row["date_of_birth"] or None, birthPlace=row["place_of_birth"] or None,
        nationality=row["nationality"] or None,
    )


def _all_names(e: Entity) -> list[str]:
    props = e["properties"]
    return [*props.get("name", []), *props.get("alias", [])]


def _sorted_ascii(name: str) -> str:
    return " ".join(sorted(utils.default_process(anyascii(name)).split()))


def load_yente() -> list[Pair]:
    """UN persons (as yente's benchmark queries them) against their own UN list entry, and
    synthetic never-listed people against the most similar-looking UN entry."""
    un = un_individuals()
    by_name: dict[str, Entity] = {}
    for ent in un:
        for n in _all_names(ent):
            by_name.setdefault(_norm(n), ent)
    pairs: list[Pair] = []
    for i, row in enumerate(_read_csv(EVAL_DIR / "yente_positives_un_untreated.csv")):
        cand = by_name.get(_norm(row["full_name"]))
        if cand is None:
            continue
        pairs.append(Pair(_yente_query(row, f"yente-pos-{i}"), cand, True, "yente",
                          "un_positives", group=cand["id"]))
    # cheap similarity: ratio of sorted ASCII tokens (token_sort_ratio, vectorised), one row
    # per name so the winner maps back to its entity.
    choices: list[str] = []
    owners: list[Entity] = []
    for ent in un:
        for n in _all_names(ent):
            choices.append(_sorted_ascii(n))
            owners.append(ent)
    for fname, category in (("yente_negatives_global.csv", "negatives_global"),
                            ("yente_negatives_us.csv", "negatives_us")):
        rows = _read_csv(EVAL_DIR / fname)
        scores = process.cdist([_sorted_ascii(r["full_name"]) for r in rows], choices,
                               scorer=fuzz.ratio, dtype=np.uint8, workers=1)
        for i, row in enumerate(rows):
            best = int(scores[i].argmax())
            query = _yente_query(row, f"yente-{category}-{i}")
            pairs.append(Pair(query, owners[best], False, "yente", category,
                              group=query["id"], note=f"cheap-sim={scores[i][best]}"))
    return pairs


# --------------------------------------------------------------------------- own hard cases

DISTINCT_WORDS = [
    "Golden", "Silver", "Star", "Moon", "Eagle", "Dragon", "Ocean", "Pacific", "Atlas",
    "Phoenix", "Lotus", "Crystal", "Summit", "Orient", "Royal", "Apex", "Nova", "Delta",
    "Falcon", "Cedar", "Jade", "Tiger", "Horizon", "Emerald", "Sapphire", "Caspian", "Baltic",
    "Aurora", "Zenith", "Meridian", "Harbor", "Sunrise", "Velvet", "Granite", "Coral", "Amber",
]
GENERIC_WORDS = [
    "Trading", "General Trading", "Import Export", "Shipping", "Logistics", "Industrial",
    "Technology", "Holdings", "International", "Investment", "Energy", "Petroleum", "Marine",
    "Electronics", "Engineering", "Global Resources",
]
# (short form, long form) so positives can spell the legal form out.
LEGAL_FORMS = [
    ("Co Ltd", "Company Limited"), ("Co., Ltd.", "Company Limited"),
    ("LLC", "Limited Liability Company"),
    ("Ltd", "Limited"), ("GmbH", "Gesellschaft mit beschränkter Haftung"), ("FZE", "FZE"),
    ("JSC", "Joint Stock Company"), ("Pte Ltd", "Private Limited"), ("S.A.", "Sociedad Anónima"),
    ("Inc", "Incorporated"), ("Corp", "Corporation"), ("OOO", "ООО"),
]
HARD_PER_CATEGORY = 400


def _generic_companies(rng: random.Random, n: int) -> list[Pair]:
    pairs: list[Pair] = []
    for i in range(n // 2):
        a, b = rng.sample(DISTINCT_WORDS, 2)
        generic = rng.choice(GENERIC_WORDS)
        short, long = rng.choice(LEGAL_FORMS)
        base = f"{a} {b} {generic}"
        # positive: same company, legal form spelled out or case/punctuation changed
        variant = rng.choice([f"{base} {long}", f"{base.upper()} {short.upper()}",
                              f"{a}{b} {generic} {short}", f"{base}, {short}"])
        pairs.append(Pair(entity("Company", f"gc-{i}-pq", name=variant),
                          entity("Company", f"gc-{i}-pc", name=f"{base} {short}"),
                          True, "hard_cases", "generic_company", group=base))
        # negative: different distinctive words (one or both), same generic words + form
        c, d = rng.sample([w for w in DISTINCT_WORDS if w not in (a, b)], 2)
        other = rng.choice([f"{c} {d}", f"{a} {d}", f"{c} {b}"])
        pairs.append(Pair(entity("Company", f"gc-{i}-nq", name=f"{other} {generic} {short}"),
                          entity("Company", f"gc-{i}-nc", name=f"{base} {short}"),
                          False, "hard_cases", "generic_company", group=base))
    return pairs


def _script(text: str) -> str:
    """The Unicode script of a word's first letter (LATIN, ARABIC, CJK...), roughly."""
    for char in text:
        if char.isalpha():
            return unicodedata.name(char, "UNKNOWN").split()[0]
    return "UNKNOWN"


def _same_surname(rng: random.Random, n: int) -> list[Pair]:
    """Same surname, different person (negatives) vs. one person written another way."""
    rows = _read_csv(EVAL_DIR / "yente_negatives_global.csv") + \
        _read_csv(EVAL_DIR / "yente_negatives_us.csv")
    people = [r for r in rows if r["first_name"] and r["last_name"]]
    by_last: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in people:
        by_last[_norm(r["last_name"])].append(r)
    by_script: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in people:
        by_script[_script(r["first_name"])].append(r)
    pairs: list[Pair] = []
    for i in range(n // 2):
        r = rng.choice(people)
        first, last = r["first_name"], r["last_name"]
        full = f"{first} {last}"
        variant = rng.choice([f"{last.upper()}, {first}", f"{last} {first}", full.upper(),
                              f"{first} {r['middle_name']} {last}".replace("  ", " ")])
        pairs.append(Pair(entity("Person", f"ss-{i}-pq", name=variant),
                          entity("Person", f"ss-{i}-pc", name=full),
                          True, "hard_cases", "same_surname", group=_norm(last)))
        others = [o for o in by_last[_norm(last)] if _norm(o["first_name"]) != _norm(first)]
        if others:
            other_first = rng.choice(others)["first_name"]
        else:  # borrow a first name in the same script from another family
            donors = [o["first_name"] for o in by_script[_script(first)]
                      if _norm(o["first_name"]) != _norm(first)]
            if not donors:
                continue
            other_first = rng.choice(donors)
        pairs.append(Pair(entity("Person", f"ss-{i}-nq", name=f"{other_first} {last}"),
                          entity("Person", f"ss-{i}-nc", name=full),
                          False, "hard_cases", "same_surname", group=_norm(last)))
    return pairs


def load_hard_cases() -> list[Pair]:
    """Our own hard cases: generic-word companies and same-surname people, both labels."""
    rng = random.Random(f"{SEED}-hard")
    return _generic_companies(rng, HARD_PER_CATEGORY) + _same_surname(rng, HARD_PER_CATEGORY)


# --------------------------------------------------------------------------- screening

SCREENING_FILE = REPO / "bench" / "data" / "screening_negatives.jsonl.gz"


def screening_queries() -> Iterator[tuple[Entity, str, str]]:
    """Ordinary names as a user screens them, with their category and split key: PATSTAT
    applicants and Chicago sites (distinct names, keyed by their cluster, as in
    load_companies) and yente's synthetic never-listed people (keyed as in load_yente). A
    name in several clusters takes the test split if any of them is in it."""

    def key_for(set_name: str, groups: Iterable[str]) -> str:
        keys = [f"{set_name}|{g}" for g in sorted(set(groups))]
        probe = [Pair({}, {}, False, set_name, "", split_key=k) for k in keys]
        test = [k for k, p in zip(keys, probe, strict=True) if in_split(p, "test")]
        return (test or keys)[0]

    names: dict[str, list[str]] = defaultdict(list)
    for _, name, cluster in _patstat_rows():
        names[name].append(cluster)
    for i, name in enumerate(sorted(names)):
        yield (entity("Company", f"scr-patstat-{i}", name=name), "patstat",
               key_for("companies", names[name]))
    sites: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in _read_csv(EVAL_DIR / "dedupe_chicago_early_childhood_true_ids.csv"):
        if row["Site name"].strip():
            sites[row["Site name"].strip()].append(row)
    for i, name in enumerate(sorted(sites)):
        first = sites[name][0]
        address = " ".join(f"{first['Address']} {first['Zip']}".split())
        yield (entity("Organization", f"scr-chicago-{i}", name=name, address=address,
                      country="us"), "chicago",
               key_for("companies", (r["True Id"] for r in sites[name])))
    for fname, category in (("yente_negatives_global.csv", "negatives_global"),
                            ("yente_negatives_us.csv", "negatives_us")):
        for i, row in enumerate(_read_csv(EVAL_DIR / fname)):
            query = _yente_query(row, f"yente-{category}-{i}")
            yield query, f"yente_{category}", f"yente|{query['id']}"


def _core(name: str) -> frozenset[str]:
    """The identifying tokens of a name (its org words when it has none)."""
    tokens = name_tokens(name)
    core = frozenset(t for t in tokens if token_kind(t) == NAME)
    return core or frozenset(t for t in tokens if token_kind(t) == GENERIC)


def same_party(query: dict[str, Any], candidate: dict[str, Any]) -> bool:
    """Whether a screening hit may name the queried party itself, so it cannot serve as a
    negative: one of its names has the same identifying words ("ASTRA" / "PJSC ASTRA GROUP",
    "Huawei Tech Co" / "HUAWEI TECHNOLOGIES CO., LTD."). Containment is not enough: a list
    entry's one-word alias ("SARA", "THE YOUTH") inside an ordinary name is the false
    positive this set is for."""
    props = candidate["properties"]
    cand = {_core(n) for p in ("name", "alias", "previousName", "weakAlias")
            for n in props.get(p, [])}
    return any(_core(n) in cand for n in query["properties"].get("name", []) if _core(n))


def load_screening() -> list[Pair]:
    """Screening-style negatives: ordinary names (screening_queries) against the top
    candidates the bundled lists returned for them, minus those that name the same party.
    Frozen in SCREENING_FILE by ``scripts/fit_matcher.py negatives`` (the lists and the
    matcher that picked the candidates change; a fit must not): the file in the repository
    holds the top 3 candidates of the matcher before it was fitted on them (redflags-v1 of
    2026-11-27 03:50 UTC, bundled lists of 2026-07-09). Each pair keeps the split of its
    query's name, so test-split names only ever measure (the fit reads the train split)."""
    if not SCREENING_FILE.exists():
        return []
    pairs = []
    with gzip.open(SCREENING_FILE, "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            pairs.append(Pair(row["query"], row["candidate"], False, "screening",
                              row["category"], group=row["query"]["id"],
                              note=f"rank={row['rank']} score={row['score']}",
                              split_key=row["split_key"]))
    return pairs


# --------------------------------------------------------------------------- registry

LOADERS: dict[str, Callable[[], list[Pair]]] = {
    "nk_names": load_nk_names,
    "nk_checks": load_nk_checks,
    "xscript": load_xscript,
    "xscript_extra": load_xscript_extra,
    "companies": load_companies,
    "persons": load_persons,
    "yente": load_yente,
    "hard_cases": load_hard_cases,
    "screening": load_screening,
}


@cache
def _load(name: str) -> tuple[Pair, ...]:
    return tuple(LOADERS[name]())


def load_set(name: str, split: str = "all") -> list[Pair]:
    """One set, built once per process (pairs share their entity dicts: do not mutate)."""
    if name not in LOADERS:
        raise KeyError(f"unknown set {name!r}; known: {', '.join(LOADERS)}")
    return [p for p in _load(name) if in_split(p, split)]


def load_all(split: str = "all", sets: Iterable[str] | None = None) -> dict[str, list[Pair]]:
    """Every set (or the named ones), filtered to the split; keys in a stable order."""
    names = list(sets) if sets is not None else list(LOADERS)
    return {name: load_set(name, split) for name in names}


def iter_pairs(split: str = "all") -> Iterator[Pair]:
    for pairs in load_all(split).values():
        yield from pairs
