"""The compiled vote against a plain numpy vote on random indexes (hypothesis)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from hypothesis import given, settings
from hypothesis import strategies as st

from redflags.matching.keys import IDENTIFIER_WEIGHT
from redflags.matching.vote import vote


def reference(
    key_hashes: npt.NDArray[np.uint64],
    key_offsets: npt.NDArray[np.int64],
    key_weights: npt.NDArray[np.float32],
    postings: npt.NDArray[np.int32],
    hashes: npt.NDArray[np.uint64],
    budget: int,
    mask: npt.NDArray[np.bool_] | None,
    n_rows: int,
    k: int,
) -> tuple[list[int], list[float], list[bool], float]:
    """What the vote promises, written the obvious way."""
    pos = np.searchsorted(key_hashes, hashes)
    found = (pos < len(key_hashes)) & (key_hashes[np.minimum(pos, len(key_hashes) - 1)] == hashes)
    kept = np.sort(pos[found])
    weights = key_weights[kept].astype(np.float64)
    name_weight = float(weights[weights < IDENTIFIER_WEIGHT].sum())
    lengths = key_offsets[kept + 1] - key_offsets[kept]
    order = np.argsort(lengths, kind="stable")
    scanned, total = [], 0
    for j in order:
        if scanned and total + lengths[j] > budget:
            break
        scanned.append(int(kept[j]))
        total += int(lengths[j])
    sums = np.zeros(n_rows, dtype=np.float64)
    hit = np.zeros(n_rows, dtype=np.bool_)
    for p in scanned:
        rows = postings[key_offsets[p] : key_offsets[p + 1]]
        for r in rows:  # in order, as the kernel adds them
            sums[r] += np.float64(key_weights[p])
        hit[rows] = True
    if mask is not None:
        hit &= mask
    rows = np.flatnonzero(hit)
    votes = sums[rows].astype(np.float32)
    best = np.lexsort((rows, -votes))[:k]
    return rows[best].tolist(), votes[best].tolist(), found.tolist(), name_weight


@st.composite
def indexes(draw: st.DrawFn) -> dict[str, object]:
    n_rows = draw(st.integers(1, 40))
    n_keys = draw(st.integers(1, 12))
    key_hashes = np.array(
        sorted(draw(st.sets(st.integers(0, 2**64 - 1), min_size=n_keys, max_size=n_keys))),
        dtype=np.uint64,
    )
    lists = [
        sorted(draw(st.sets(st.integers(0, n_rows - 1), min_size=1, max_size=n_rows)))
        for _ in range(n_keys)
    ]
    # few distinct weights, so that votes tie often; identifier weight now and then
    weights = np.array(
        [draw(st.sampled_from([0.5, 1.0, 1.5, IDENTIFIER_WEIGHT])) for _ in range(n_keys)],
        dtype=np.float32,
    )
    present = draw(st.lists(st.sampled_from(key_hashes.tolist()), unique=True, max_size=n_keys))
    absent = draw(st.lists(st.integers(0, 2**64 - 1), max_size=3))
    hashes = list(dict.fromkeys(present + [h for h in absent if h not in key_hashes]))
    mask = draw(st.one_of(st.none(), st.lists(st.booleans(), min_size=n_rows, max_size=n_rows)))
    return {
        "key_hashes": key_hashes,
        "key_offsets": np.concatenate(([0], np.cumsum([len(x) for x in lists]))).astype(np.int64),
        "key_weights": weights,
        "postings": np.array([r for x in lists for r in x], dtype=np.int32),
        "hashes": np.array(draw(st.permutations(hashes)), dtype=np.uint64),
        "mask": None if mask is None else np.array(mask, dtype=np.bool_),
        "n_rows": n_rows,
        "budget": draw(st.integers(1, 3 * n_rows)),
        "k": draw(st.integers(1, 10)),
    }


@settings(max_examples=300, deadline=None)
@given(indexes())
def test_vote_matches_numpy_reference(ix: dict[str, object]) -> None:
    scratch = np.zeros(int(ix["n_rows"]), dtype=np.float64)  # type: ignore[call-overload]
    rows, votes, found, weight = vote(
        ix["key_hashes"],  # type: ignore[arg-type]
        ix["key_offsets"],  # type: ignore[arg-type]
        ix["key_weights"],  # type: ignore[arg-type]
        ix["postings"],  # type: ignore[arg-type]
        ix["hashes"],  # type: ignore[arg-type]
        budget=int(ix["budget"]),  # type: ignore[call-overload]
        mask=ix["mask"],  # type: ignore[arg-type]
        scratch=scratch,
        k=int(ix["k"]),  # type: ignore[call-overload]
    )
    want = reference(**ix)  # type: ignore[arg-type]
    assert rows.tolist() == want[0]
    assert votes.tolist() == want[1]
    assert found.tolist() == want[2]
    assert weight == want[3]
    assert not scratch.any(), "the scratch array must be left zeroed"


def test_vote_on_nothing_found() -> None:
    key_hashes = np.array([5, 9], dtype=np.uint64)
    rows, votes, found, weight = vote(
        key_hashes,
        np.array([0, 1, 2], dtype=np.int64),
        np.array([1.0, 1.0], dtype=np.float32),
        np.array([0, 1], dtype=np.int32),
        np.array([7], dtype=np.uint64),
        budget=10,
        mask=None,
        scratch=np.zeros(2),
        k=5,
    )
    assert len(rows) == 0 and len(votes) == 0
    assert found.tolist() == [False] and weight == 0.0
