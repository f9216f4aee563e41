"""The benchmark loaders build the expected, balanced, deterministic pair sets."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench import pairs as bp

# set -> (pairs, positives): pinned so a change in construction is noticed, not silent.
EXPECTED = {
    "nk_names": (826, 425),
    "nk_checks": (228, 127),
    "xscript": (2800, 1400),
    "xscript_extra": (103, 103),
    "companies": (2000, 1000),
    "persons": (3000, 1500),
    "yente": (1663, 681),
    "hard_cases": (800, 400),
}


@pytest.fixture(autouse=True)
def _data(shared_data: Path) -> None:
    """Skip (via the shared fixture) when the real files are absent."""


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_set_sizes_and_labels(name: str) -> None:
    pairs = bp.load_set(name)
    n, positives = EXPECTED[name]
    assert len(pairs) == n
    assert sum(p.label for p in pairs) == positives
    assert all(p.set == name for p in pairs)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_pairs_are_ftm_shaped(name: str) -> None:
    for pair in bp.load_set(name):
        for ent in (pair.query, pair.candidate):
            assert set(ent) == {"id", "schema", "properties"}
            assert all(isinstance(v, list) and v for v in ent["properties"].values())
        names = [
            *pair.query["properties"].get("name", []),
            *pair.query["properties"].get("firstName", []),
        ]
        assert names, pair


def test_xscript_balanced_per_script() -> None:
    counts = Counter((p.category, p.label) for p in bp.load_set("xscript"))
    scripts = {c for c, _ in counts}
    assert scripts == {*bp.SCRIPT_FILES, "arabic_google"}
    for script in scripts:
        assert counts[(script, True)] == counts[(script, False)] == bp.XSCRIPT_PER_SCRIPT // 2


def test_xscript_queries_are_in_script_and_candidates_latin() -> None:
    for pair in bp.load_set("xscript"):
        query = pair.query["properties"]["name"][0]
        cand = pair.candidate["properties"]["name"][0]
        assert not query.isascii()
        assert cand.isascii()


def test_xscript_negatives_are_not_spelling_variants() -> None:
    # a hard negative's English name never shares a transliteration with the query's.
    for pair in bp.load_set("xscript"):
        if not pair.label:
            assert pair.group.title() != pair.candidate["properties"]["name"][0]


def test_persons_carry_dates_and_negatives_differ_in_cluster() -> None:
    pairs = bp.load_set("persons")
    with_dates = sum("birthDate" in p.query["properties"] for p in pairs)
    assert with_dates > 0.9 * len(pairs)
    for pair in pairs:
        if not pair.label:
            assert pair.query["id"] != pair.candidate["id"]
            assert pair.note in {"same-surname", "similar-name"}


def test_company_negatives_never_share_the_exact_name() -> None:
    for pair in bp.load_set("companies"):
        q = pair.query["properties"]["name"][0].casefold().split()
        c = pair.candidate["properties"]["name"][0].casefold().split()
        assert pair.label or q != c


def test_loaders_are_deterministic() -> None:
    first = [(p.query["id"], p.candidate["id"], p.label) for p in bp.load_set("hard_cases")]
    second = [(p.query["id"], p.candidate["id"], p.label) for p in bp.load_set("hard_cases")]
    assert first == second
    a = bp.load_set("companies")
    b = bp.load_set("companies")
    assert [p.query["properties"] for p in a] == [p.query["properties"] for p in b]


def test_splits_partition_and_keep_groups_together() -> None:
    everything = bp.load_set("nk_names")
    train = bp.load_set("nk_names", "train")
    test = bp.load_set("nk_names", "test")
    assert len(train) + len(test) == len(everything)
    assert 0.55 * len(everything) < len(train) < 0.85 * len(everything)
    assert not {p.group for p in train} & {p.group for p in test}


def test_load_all_and_unknown_names() -> None:
    got = bp.load_all(sets=["nk_checks", "hard_cases"])
    assert list(got) == ["nk_checks", "hard_cases"]
    with pytest.raises(KeyError):
        bp.load_set("nope")
    with pytest.raises(ValueError):
        bp.load_set("nk_checks", "validation")
