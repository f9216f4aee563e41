"""The candidate vote as one compiled loop.

The vote walks ~4,500 posting entries for a supplier name against the bundled lists. Written
as ~45 vectorised numpy calls it cost ~0.4 ms a query, nearly all of it per-call overhead
(measured on 10,000 generated supplier rows; the arithmetic is a few microseconds), so it is
compiled with numba: one call does the lookup, the budget, the weighted scatter, the filters
and the top-k selection. ``tests/test_vote.py`` checks it against a plain numpy vote.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

from redflags.matching.jit import CACHE
from redflags.matching.keys import IDENTIFIER_WEIGHT

_ID_WEIGHT = np.float64(IDENTIFIER_WEIGHT)


@njit(cache=CACHE)
def _worse(vote_a: np.float32, row_a: np.int32, vote_b: np.float32, row_b: np.int32) -> bool:
    """Whether candidate a ranks below candidate b: a lower vote, or the same and a higher row."""
    return bool(vote_a < vote_b or (vote_a == vote_b and row_a > row_b))


@njit(cache=CACHE, nogil=True)
def _vote(
    key_hashes: npt.NDArray[np.uint64],
    key_offsets: npt.NDArray[np.int64],
    key_weights: npt.NDArray[np.float32],
    postings: npt.NDArray[np.int32],
    hashes: npt.NDArray[np.uint64],
    budget: int,
    mask: npt.NDArray[np.bool_],
    scratch: npt.NDArray[np.float64],
    k: int,
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32], npt.NDArray[np.bool_], float]:
    n_keys = len(key_hashes)
    found = np.zeros(len(hashes), dtype=np.bool_)
    pos = np.empty(len(hashes), dtype=np.int64)
    n_found = 0
    name_weight = 0.0
    for i in range(len(hashes)):
        h = hashes[i]
        lo, hi = 0, n_keys  # binary search: numba's np.searchsorted took seconds to compile
        while lo < hi:
            mid = (lo + hi) // 2
            if key_hashes[mid] < h:
                lo = mid + 1
            else:
                hi = mid
        p = lo
        if p < n_keys and key_hashes[p] == h:
            found[i] = True
            pos[n_found] = p
            n_found += 1
            w = np.float64(key_weights[p])
            if w < _ID_WEIGHT:
                name_weight += w
    empty_rows = np.zeros(0, dtype=np.int32)
    empty_votes = np.zeros(0, dtype=np.float32)
    if n_found == 0:
        return empty_rows, empty_votes, found, name_weight
    # rarest keys first (ties by position), until the budget is spent; at least one key.
    # An insertion sort of a query's few dozen keys (numba's sorts took seconds to compile)
    order = pos[:n_found]
    lengths = np.empty(n_found, dtype=np.int64)
    for i in range(n_found):
        p = order[i]
        length = key_offsets[p + 1] - key_offsets[p]
        j = i - 1
        while j >= 0 and (lengths[j] > length or (lengths[j] == length and order[j] > p)):
            order[j + 1], lengths[j + 1] = order[j], lengths[j]
            j -= 1
        order[j + 1], lengths[j + 1] = p, length
    n_scan = 0
    total = 0
    for j in range(n_found):
        if n_scan > 0 and total + lengths[j] > budget:
            break
        total += lengths[j]
        n_scan += 1
    # the weighted scatter; a row is remembered the first time it gets a vote (weights > 0)
    seen = np.empty(total, dtype=np.int32)
    n_seen = 0
    for j in range(n_scan):
        p = order[j]
        w = np.float64(key_weights[p])
        for e in range(key_offsets[p], key_offsets[p + 1]):
            r = postings[e]
            if scratch[r] == 0.0:
                seen[n_seen] = r
                n_seen += 1
            scratch[r] += w
    # the k best (vote, then lowest row) in a heap whose root is the worst kept: most rows
    # lose one comparison against the root. Partitioning or sorting all the rows met cost
    # more than the scatter (numba's sorts are slow on thousands of tied votes).
    heap_rows = np.empty(k, dtype=np.int32)
    heap_votes = np.empty(k, dtype=np.float32)
    size = 0
    filtered = len(mask) > 0
    for i in range(n_seen):
        r = seen[i]
        v = np.float32(scratch[r])
        scratch[r] = 0.0
        if filtered and not mask[r]:
            continue
        if size < k:
            j = size
            size += 1
            while j > 0:  # sift up
                parent = (j - 1) // 2
                if not _worse(v, r, heap_votes[parent], heap_rows[parent]):
                    break
                heap_votes[j], heap_rows[j] = heap_votes[parent], heap_rows[parent]
                j = parent
            heap_votes[j], heap_rows[j] = v, r
        elif _worse(heap_votes[0], heap_rows[0], v, r):
            j = 0
            while True:  # sift down
                child = 2 * j + 1
                if child >= size:
                    break
                if child + 1 < size and _worse(
                    heap_votes[child + 1], heap_rows[child + 1], heap_votes[child], heap_rows[child]
                ):
                    child += 1
                if not _worse(heap_votes[child], heap_rows[child], v, r):
                    break
                heap_votes[j], heap_rows[j] = heap_votes[child], heap_rows[child]
                j = child
            heap_votes[j], heap_rows[j] = v, r
    # best first: an insertion sort of at most k entries
    rows, votes = heap_rows[:size], heap_votes[:size]
    for i in range(1, size):
        v, r = votes[i], rows[i]
        j = i - 1
        while j >= 0 and _worse(votes[j], rows[j], v, r):
            votes[j + 1], rows[j + 1] = votes[j], rows[j]
            j -= 1
        votes[j + 1], rows[j + 1] = v, r
    return rows, votes, found, name_weight


def vote(
    key_hashes: npt.NDArray[np.uint64],
    key_offsets: npt.NDArray[np.int64],
    key_weights: npt.NDArray[np.float32],
    postings: npt.NDArray[np.int32],
    hashes: npt.NDArray[np.uint64],
    *,
    budget: int,
    mask: npt.NDArray[np.bool_] | None,
    scratch: npt.NDArray[np.float64],
    k: int,
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32], npt.NDArray[np.bool_], float]:
    """The ``k`` rows with the highest sum of the weights of the keys (by hash) they hold,
    best first (ties: lowest row), with their votes; which hashes the index holds; and the
    summed weight of the name keys found. Keys are walked rarest first until ``budget``
    posting entries are spent (at least one key). ``mask`` (None: every row) says which rows
    may be returned; ``scratch`` is a zeroed float64 array of one slot per row, left zeroed."""
    no_mask = np.zeros(0, dtype=np.bool_)
    rows, votes, found, weight = _vote(
        key_hashes,
        key_offsets,
        key_weights,
        postings,
        hashes,
        budget,
        no_mask if mask is None else mask,
        scratch,
        k,
    )
    return rows, votes, found, float(weight)


def warm() -> None:
    """Load (or compile) the vote for the array types screening passes: the index's arrays
    are memory-mapped, so read-only. A process that forks workers calls this first."""
    ro = _read_only
    vote(
        ro(np.array([1], np.uint64)),
        ro(np.array([0, 1], np.int64)),
        ro(np.array([1.0], np.float32)),
        ro(np.array([0], np.int32)),
        np.array([1], np.uint64),
        budget=10,
        mask=None,
        scratch=np.zeros(1),
        k=1,
    )


def _read_only(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    array.flags.writeable = False
    return array


__all__ = ["vote", "warm"]
