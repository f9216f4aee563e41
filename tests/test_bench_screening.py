"""The screening negatives: frozen, negative only, and never leaking a test-split name into
the train split the matcher is fitted on."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import pairs as bp


@pytest.fixture(autouse=True)
def _data(shared_data: Path) -> None:
    """Skip (via the shared fixture) when the real files are absent."""


def _name(entity: dict[str, object]) -> str:
    props = entity["properties"]
    assert isinstance(props, dict)
    return str(props["name"][0])


def test_frozen_set_is_there_and_all_negative() -> None:
    pairs = bp.load_set("screening")
    # the count depends on the matcher that mined them (top candidates scoring >= 0.05):
    # 4,784 in the third session, 1,857 re-mined in the fourth with a stricter matcher
    assert len(pairs) > 1000, "run scripts/fit_matcher.py negatives"
    assert not any(p.label for p in pairs)
    assert {p.category for p in pairs} >= {"patstat", "chicago"}
    assert all(p.query["schema"] in ("Company", "Organization", "Person") for p in pairs)


def test_split_follows_the_name_it_came_from() -> None:
    """A PATSTAT or Chicago name whose cluster is in the test split of the labelled company
    pairs must not reach the fit through the screening set."""
    # the names of a test cluster: both sides of its positives, the query of its negatives
    # (a negative's candidate comes from another cluster, of either split)
    test_names = {_name(e) for p in bp.load_set("companies", "test")
                  for e in ((p.query, p.candidate) if p.label else (p.query,))}
    train_names = {_name(p.query) for p in bp.load_set("screening", "train")}
    # names in both splits' clusters take the test split (screening_queries), so the only
    # overlap allowed is none
    assert not train_names & test_names
    train = bp.load_set("screening", "train")
    test = bp.load_set("screening", "test")
    assert len(train) + len(test) == len(bp.load_set("screening"))
    assert 0.55 * len(bp.load_set("screening")) < len(train)


def test_queries_keep_the_labelled_sets_split_keys() -> None:
    keys = {_name(q): key for q, _, key in bp.screening_queries()}
    for pair in bp.load_set("companies", "train")[:200]:
        if pair.label:  # positives: both names belong to the pair's own cluster
            for ent in (pair.query, pair.candidate):
                key = keys[_name(ent)]
                probe = bp.Pair({}, {}, False, "x", "", split_key=key)
                assert key.startswith("companies|")
                # a train cluster's name is train unless it also sits in a test cluster
                assert bp.in_split(probe, "train") or key != f"companies|{pair.group}"


@pytest.mark.parametrize(("query", "candidate", "same"), [
    ("ASTRA", "PUBLIC JOINT STOCK COMPANY ASTRA GROUP", True),
    ("Huawei Tech Co", "HUAWEI TECHNOLOGIES CO., LTD.", True),
    ("BAYER", "BAJER S.R.L.", False),
    ("DE LEE SARA", "SANABEL RELIEF AGENCY LIMITED", False),  # alias "SARA" is contained only
])
def test_same_party(query: str, candidate: str, same: bool) -> None:
    q = {"schema": "Company", "properties": {"name": [query]}}
    c = {"schema": "Company", "properties": {"name": [candidate], "alias": ["SARA"]}}
    assert bp.same_party(q, c) is same
