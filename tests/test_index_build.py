"""The fast index build: its word-by-word tokens and hashed keys are exactly ``name_tokens``
and ``name_keys``, and its sorted postings are those of a plain build from ``entity_keys``."""

from __future__ import annotations

import csv
import itertools
import logging
import math
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redflags.matching import index as index_module
from redflags.matching import keys as keys_module
from redflags.matching.index import Index
from redflags.matching.keys import (
    entity_keys,
    entity_names,
    name_keys,
)
from redflags.sources import ParseContext, get_parser
from redflags.text import name_tokens


def _expected(name: str) -> set[tuple[int, float]]:
    return {
        (keys_module._blake(k), float(np.float32(keys_module.key_weight(k))))
        for k in name_keys(name)
    }


def _built(keyer: Any, names: list[str]) -> list[set[tuple[int, float]]]:
    tokens = [keyer.tokens(name) for name in names]
    rows = np.arange(len(names), dtype=np.int32)
    hashes, owners, weights = keyer.keys(tokens, rows)
    out: list[set[tuple[int, float]]] = [set() for _ in names]
    for h, row, w in zip(hashes.tolist(), owners.tolist(), weights.tolist(), strict=True):
        out[row].add((h, w))
    return out


def _check_names(names: list[str]) -> None:
    keyer = keys_module._Keyer()
    assert keyer.rules is not None  # the fast path is what is under test
    for name in names:
        assert keyer.tokens(name) == tuple(name_tokens(name)), name
    for name, keys in zip(names, _built(keyer, names), strict=True):
        assert keys == _expected(name), name
    assert keyer.rules is not None  # no sampled check disagreed


@pytest.fixture(scope="module")
def real_names(shared_data: Path) -> list[str]:
    """Listed names in many scripts and forms, and cross-script spellings."""
    names: list[str] = []
    parse = get_parser("ofac-csv")
    cons = shared_data / "ofac" / "cons_2025-12" / "cons_prim.csv"
    for entity in parse(cons, ParseContext("us_ofac_cons")):
        names.extend(entity_names(entity))
    parse = get_parser("un-xml")
    un = shared_data / "un" / "un_consolidated_2026-02.xml"
    for entity in parse(un, ParseContext("un_sc")):
        names.extend(entity_names(entity))
    ev = shared_data / "matching_eval"
    names.extend(
        line.strip()
        for line in (ev / "putin_names_multiscript.txt").read_text(encoding="utf-8").splitlines()
        if line.strip()
    )
    with open(ev / "watchman_cross_script_pairs.csv", encoding="utf-8") as fh:
        for row in csv.reader(x for x in fh if not x.startswith("#")):
            names.extend(v for v in row[:2] if v.strip())
    for script in ("russian", "arabic", "chinese", "hebrew", "katakana", "korean"):
        path = ev / "transliteration" / f"wikidata_en_{script}_pairs_20pct.tsv"
        with open(path, encoding="utf-8") as fh:
            for line in itertools.islice(fh, 300):
                names.extend(v for v in line.rstrip("\n").split("\t")[:2] if v.strip())
    with open(ev / "dedupe_patstat_input.csv", encoding="utf-8", newline="") as fh:
        names.extend(r["Name"] for r in itertools.islice(csv.DictReader(fh), 2000))
    return names


def test_tokens_and_keys_equal_name_keys_on_real_names(real_names: list[str]) -> None:
    assert len(real_names) > 5000
    _check_names(real_names)


_WORDS = [
    "co", "ltd", "limited", "company", "gmbh", "s", "a", "sa", "trading", "forty", "four",
    "twenty", "first", "ooo", "holding", "bank", "of", "al", "abu", "j.", "ig0r", "sech1n",
    "maatscappij", "techology", "x", "ab", "3m", "a320", "1st", "iv", "mig-29", "o'brien",
    "общество", "с", "ограниченной", "ответственностью", "有限公司", "习近平", "محمد",
    "müller", "ﬁrst", "Ⅻ", "  ", ",", "-", "&",
]  # fmt: skip


def test_a_word_that_latinizes_to_several_words_keeps_its_context() -> None:
    # "习近平forty" latinizes to "xi jin ping forty": the tens word joins the next word
    _check_names(["习近平forty:1", "习近平forty 4", "co ltd forty four", "Forty-Four Co"])
    # a form read only at an edge of the name ("PT", "TOO") is a word in the middle
    _check_names(["0, TOO, co", "Me Too Ltd", "TOO KAZSTANEX", "Ansell PT Services", "X PT"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_WORDS) | st.text(min_size=1, max_size=6), max_size=6))
def test_tokens_and_keys_equal_name_keys_on_odd_names(words: list[str]) -> None:
    """Legal forms that span words, tens words, leetspeak, mixed scripts, punctuation."""
    _check_names([" ".join(words), "".join(words), ", ".join(reversed(words))])


def _reference_postings(entities: list[dict[str, Any]]) -> dict[int, tuple[list[int], float]]:
    """The index defined plainly: each row's keys from entity_keys, IDF-weighted."""
    rows: dict[int, list[int]] = {}
    kinds: dict[int, float] = {}
    n = 0
    for entity in entities:
        if entity.get("schema") not in index_module.MATCHABLE_SCHEMATA:
            continue
        keys = entity_keys(entity)
        if not keys:
            continue
        for key in keys:
            h = keys_module._blake(key)
            rows.setdefault(h, []).append(n)
            kinds[h] = float(np.float32(keys_module.key_weight(key)))
        n += 1
    out = {}
    for h, posting in rows.items():
        w = kinds[h]
        weight = w if w >= keys_module.IDENTIFIER_WEIGHT else w * math.log1p(n / len(posting))
        out[h] = (posting, weight)
    return out


def _postings_of(index: Index) -> dict[int, tuple[list[int], float]]:
    out = {}
    for i, h in enumerate(index.key_hashes.tolist()):
        a, b = int(index.key_offsets[i]), int(index.key_offsets[i + 1])
        out[h] = (index.postings[a:b].tolist(), float(index.key_weights[i]))
    return out


def _entities(n: int, seed: int) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    words = ["Ivan", "Petrov", "Co", "Ltd", "Bank", "Melli", "Forty", "Four", "Al", "Abu",
             "Xi", "Jinping", "S.A.", "GmbH", "Trading", "Иван", "Петров", "习近平"]  # fmt: skip
    out: list[dict[str, Any]] = []
    for i in range(n):
        schema = rnd.choice(["Person", "Company", "Vessel", "Address"])
        names = [" ".join(rnd.choices(words, k=rnd.randint(0, 4))) for _ in range(2)]
        props: dict[str, list[str]] = {"name": [names[0]], "alias": [names[1]]}
        if rnd.random() < 0.3:
            props["registrationNumber" if schema != "Vessel" else "imoNumber"] = [f"RN {i:06d}"]
        out.append({"id": f"e{i}", "schema": schema, "properties": props, "datasets": ["d"]})
    return out


@pytest.mark.parametrize("chunk", [7, 50_000])
def test_build_equals_the_plain_definition(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module._Builder, "CHUNK", chunk)
    entities = _entities(400, seed=chunk)
    index = Index.build(entities)
    got, want = _postings_of(index), _reference_postings(entities)
    assert got.keys() == want.keys()
    for h, (posting, weight) in want.items():
        assert got[h][0] == posting
        assert got[h][1] == pytest.approx(weight, rel=1e-6)


def _plain_sorted(
    hashes: np.ndarray, rows: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = np.lexsort((rows, hashes))
    hashes, rows, weights = hashes[order], rows[order], weights[order]
    keep = np.ones(len(hashes), dtype=np.bool_)
    keep[1:] = (hashes[1:] != hashes[:-1]) | (rows[1:] != rows[:-1])
    return hashes[keep], rows[keep], weights[keep]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3000), st.integers(1, 200), st.booleans(), st.integers(0, 2**32))
def test_sorted_postings_equal_a_lexsort(n: int, n_keys: int, clash: bool, seed: int) -> None:
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, 2**64 - 1, n_keys, dtype=np.uint64)
    if clash:  # many hashes sharing their top 40 bits: the packed sort must notice
        keys = (keys & np.uint64(0xFFFFFFFFFF000000)) | rng.integers(0, 3, n_keys).astype(np.uint64)
    hashes = keys[rng.integers(0, n_keys, n)]
    runs = np.array_split(rng.integers(0, 50, n).astype(np.int32), 3)
    rows = np.concatenate([np.sort(r) for r in runs])
    weights = (hashes % np.uint64(5)).astype(np.float32)
    got = index_module._sorted_postings(hashes, rows, weights)
    want = _plain_sorted(hashes, rows, weights)
    for a, b in zip(got, want, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_changed_text_layer_turns_the_word_cache_off(
    caplog: pytest.LogCaptureFixture,
) -> None:
    keyer = keys_module._Keyer()
    keyer.CHECK_EVERY = 1
    keyer.words["putin"] = ("putn",)  # as if name_tokens now said otherwise
    with caplog.at_level(logging.WARNING, logger="redflags.matching.index"):
        assert keyer.tokens("Vladimir Putin") == ("vladimir", "putin")
    assert keyer.rules is None
    assert "differ from name_tokens" in caplog.text
    assert keyer.tokens("Vladimir Putin") == tuple(name_tokens("Vladimir Putin"))


def test_keyer_arrays_are_typed() -> None:
    keyer = keys_module._Keyer()
    hashes, rows, weights = keyer.keys([("ivan", "petrov"), ()], np.array([0, 1], np.int32))
    assert hashes.dtype == np.uint64 and rows.dtype == np.int32 and weights.dtype == np.float32
    assert set(rows.tolist()) == {0}  # a name without tokens has no key


def test_grams_of_any_flat_name() -> None:
    """Latinized names give [a-z0-9] grams; any other text still gets its exact g: keys."""
    keyer = keys_module._Keyer()
    flats = ["abcd", "ab_c.d", "xy", "", "ääbc", "q"]
    hashes, rows = keyer._gram_keys(flats, np.arange(len(flats), dtype=np.int32) * 10)
    got = sorted(zip(rows.tolist(), hashes.tolist(), strict=True))
    want = []
    for row, flat in enumerate(flats):
        grams = [flat] if len(flat) < 3 else [flat[i : i + 3] for i in range(len(flat) - 2)]
        want.extend((row * 10, keys_module._blake("g:" + g)) for g in grams if g)
    assert got == sorted(want)


@pytest.mark.parametrize("warm", [0, 5])
def test_parallel_build_with_warm_start_equals_single_process(
    warm: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first entities keyed in the parent, the rest in two workers: same index."""
    monkeypatch.setattr(index_module._Builder, "BATCH", 7)
    monkeypatch.setattr(index_module._Builder, "WARM", warm)
    entities = _entities(60, seed=3)
    single = Index.build(entities)
    parallel = Index.build(iter(entities), workers=2)
    for name in ("key_hashes", "key_offsets", "postings", "schema_codes", "name_offsets"):
        np.testing.assert_array_equal(getattr(parallel, name), getattr(single, name))
    np.testing.assert_array_equal(parallel.id_hashes, single.id_hashes)
    np.testing.assert_allclose(parallel.key_weights, single.key_weights)
    assert list(parallel) == list(single)
    assert parallel.get("e59") == single.get("e59")


def test_builds_in_threads_do_not_share_a_keyer() -> None:
    """A server may build in a background thread while another build runs: the keyer's
    caches are per thread, and both indexes come out as a lone build would."""
    import threading

    entities = _entities(300, seed=9)
    alone = Index.build(entities)
    results: list[Index] = []
    threads = [
        threading.Thread(target=lambda: results.append(Index.build(entities))) for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 3
    for index in results:
        np.testing.assert_array_equal(index.key_hashes, alone.key_hashes)
        np.testing.assert_array_equal(index.postings, alone.postings)
    keyers = []
    threads = [threading.Thread(target=lambda: keyers.append(keys_module._keyer()))]
    threads[0].start()
    threads[0].join()
    assert keyers[0] is not keys_module._keyer()
