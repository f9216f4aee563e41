"""The screener's pre-score as one compiled loop over the index's name bytes.

The pre-score is rapidfuzz's ``fuzz.ratio`` (2 * LCS / total length) of each query name
against each candidate name, both with their words sorted and with their spaces removed; a
candidate scores its best pair. Through rapidfuzz it cost ~0.2 ms a query against the bundled
lists, most of it gathering ~250 candidate names as Python strings, on a machine where every
scattered memory access is dear (measured on 5,000 generated supplier rows). Here the names
are read where the index keeps them (its Arrow buffer of normalised names) and the LCS is
Hyyrö's bit-parallel one, 64 query characters per machine word. ``tests/test_prescore.py``
checks it against rapidfuzz.

The normalised names are latinized ASCII; a byte outside ASCII (never seen in the bundled
lists) counts as a character of its own, so the score is then one on UTF-8 bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from numba import njit

from redflags.matching.jit import CACHE

if TYPE_CHECKING:
    from redflags.matching.index import NameBytes


_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)
_SPACE = np.uint8(32)


@njit(cache=CACHE)
def _popcount(x: np.uint64) -> int:
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return int((x * np.uint64(0x0101010101010101)) >> np.uint64(56))


@njit(cache=CACHE)
def _lcs(
    table: npt.NDArray[np.uint64],
    m: int,
    text: npt.NDArray[np.uint8],
    n: int,
    state: npt.NDArray[np.uint64],
) -> int:
    """Length of the longest common subsequence of the pattern (``table``, ``m`` bytes) and
    ``text[:n]`` (Hyyrö 2004, with the carry of the addition passed between blocks)."""
    blocks = (m + 63) // 64
    for b in range(blocks):
        state[b] = _ONES
    for i in range(n):
        c = text[i]
        carry = np.uint64(0)
        for b in range(blocks):
            x = state[b]
            u = x & table[b, c]
            s1 = x + u
            s2 = s1 + carry
            carry = np.uint64(1) if (s1 < x or s2 < s1) else np.uint64(0)
            state[b] = s2 | (x - u)
    lcs = 0
    for b in range(blocks):
        bits = min(64, m - 64 * b)
        if bits <= 0:
            break
        word = state[b]
        if bits < 64:
            word = word | (_ONES << np.uint64(bits))
        lcs += 64 - _popcount(word)
    return lcs


@njit(cache=CACHE)
def _ratio(lcs: int, m: int, n: int) -> float:
    total = m + n
    return 1.0 if total == 0 else 2.0 * lcs / total


@njit(cache=CACHE)
def _words(
    data: npt.NDArray[np.uint8],
    a: int,
    b: int,
    starts: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
) -> int:
    """The words of the name in ``data[a:b]`` as spans, sorted as ``sorted(name.split())``
    sorts them; returns how many."""
    words = 0
    i = a
    while i < b:
        while i < b and data[i] == _SPACE:
            i += 1
        if i == b:
            break
        starts[words] = i
        while i < b and data[i] != _SPACE:
            i += 1
        ends[words] = i
        words += 1
    for w in range(1, words):  # insertion sort: a name has a handful of words
        s, e = starts[w], ends[w]
        j = w - 1
        while j >= 0 and _less(data, s, e, starts[j], ends[j]):
            starts[j + 1], ends[j + 1] = starts[j], ends[j]
            j -= 1
        starts[j + 1], ends[j + 1] = s, e
    return words


@njit(cache=CACHE)
def _less(data: npt.NDArray[np.uint8], s1: int, e1: int, s2: int, e2: int) -> bool:
    """Byte order of two words (code point order, as Python sorts str, for UTF-8)."""
    n1, n2 = e1 - s1, e2 - s2
    for i in range(min(n1, n2)):
        if data[s1 + i] != data[s2 + i]:
            return bool(data[s1 + i] < data[s2 + i])
    return n1 < n2


@njit(cache=CACHE)
def _sorted_forms(
    data: npt.NDArray[np.uint8], ends: npt.NDArray[np.int32]
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    out = np.empty(len(data), dtype=np.uint8)
    out_ends = np.zeros(len(ends), dtype=np.int64)
    starts = np.empty(64, dtype=np.int64)
    stops = np.empty(64, dtype=np.int64)
    n = 0
    for p in range(len(ends) - 1):
        a, b = ends[p], ends[p + 1]
        if b - a > len(starts):
            starts = np.empty(b - a, dtype=np.int64)
            stops = np.empty(b - a, dtype=np.int64)
        for w in range(_words(data, a, b, starts, stops)):
            if w > 0:
                out[n] = _SPACE
                n += 1
            for j in range(starts[w], stops[w]):
                out[n] = data[j]
                n += 1
        out_ends[p + 1] = n
    return out[:n], out_ends


def sorted_forms(
    data: npt.NDArray[np.uint8], ends: npt.NDArray[np.int32]
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    """Every name's ``" ".join(sorted(name.split()))``, laid out as the names are (bytes and
    ends): the index keeps them, since sorting a candidate's words for each query cost as
    much as the pre-score's LCS."""
    out, out_ends = _sorted_forms(data, ends)
    return np.ascontiguousarray(out), out_ends


@njit(cache=CACHE, nogil=True)
def _prescore(
    data: npt.NDArray[np.uint8],
    name_ends: npt.NDArray[np.int32],
    sorted_data: npt.NDArray[np.uint8],
    sorted_ends: npt.NDArray[np.int64],
    name_offsets: npt.NDArray[np.int64],
    rows: npt.NDArray[np.int32],
    query: npt.NDArray[np.uint8],
    query_ends: npt.NDArray[np.int64],
) -> npt.NDArray[np.float32]:
    # query: for each name, its sorted-words form then its space-less form, back to back;
    # query_ends: where each of those 2 * names texts ends in ``query``
    n_texts = len(query_ends)
    lengths = np.empty(n_texts, dtype=np.int64)
    start = 0
    for t in range(n_texts):
        lengths[t] = query_ends[t] - start
        start = query_ends[t]
    max_blocks = max(1, (int(lengths.max()) + 63) // 64)
    tables = np.zeros((n_texts, max_blocks, 256), dtype=np.uint64)
    start = 0
    for t in range(n_texts):
        for i in range(lengths[t]):
            tables[t, i // 64, query[start + i]] |= np.uint64(1) << np.uint64(i % 64)
        start = query_ends[t]
    short = tables[:, 0, :].copy()
    state = np.empty(max_blocks, dtype=np.uint64)
    buf = np.empty(64, dtype=np.uint8)  # a name's space-less form, for a long query
    out = np.zeros(len(rows), dtype=np.float32)
    for i in range(len(rows)):
        r = rows[i]
        best = 0.0
        for p in range(name_offsets[r], name_offsets[r + 1]):
            a, b = name_ends[p], name_ends[p + 1]
            sa, sb = sorted_ends[p], sorted_ends[p + 1]
            for t in range(0, n_texts, 2):
                m_sorted, m_flat = lengths[t], lengths[t + 1]
                if m_sorted <= 64 and m_flat <= 64 and b - a == sb - sa:
                    # one pass over the name for both forms: the sorted-words form is the
                    # name's bytes in another order (as long), and the query's space-less
                    # form has no space in its table, so a space leaves that LCS as it is.
                    # Two independent chains in one loop run nearly as fast as one.
                    v_sorted = _ONES
                    v_flat = _ONES
                    n_flat = 0
                    for j in range(b - a):
                        u = v_sorted & short[t, sorted_data[sa + j]]
                        v_sorted = (v_sorted + u) | (v_sorted - u)
                        c = data[a + j]
                        u = v_flat & short[t + 1, c]
                        v_flat = (v_flat + u) | (v_flat - u)
                        n_flat += c != _SPACE
                    if m_sorted < 64:
                        v_sorted = v_sorted | (_ONES << np.uint64(m_sorted))
                    if m_flat < 64:
                        v_flat = v_flat | (_ONES << np.uint64(m_flat))
                    best = max(best, _ratio(64 - _popcount(v_sorted), m_sorted, sb - sa),
                               _ratio(64 - _popcount(v_flat), m_flat, n_flat))
                    continue
                # a query name longer than 64 bytes (or a name not spaced as name_norm spaces
                # it): the multi-word LCS, form by form
                n_flat = 0
                for j in range(a, b):
                    if data[j] != _SPACE:
                        n_flat += 1
                if n_flat > len(buf):
                    buf = np.empty(n_flat, dtype=np.uint8)
                k = 0
                for j in range(a, b):
                    if data[j] != _SPACE:
                        buf[k] = data[j]
                        k += 1
                lcs = _lcs(tables[t], m_sorted, sorted_data[sa:sb], sb - sa, state)
                best = max(best, _ratio(lcs, m_sorted, sb - sa))
                lcs = _lcs(tables[t + 1], m_flat, buf, n_flat, state)
                best = max(best, _ratio(lcs, m_flat, n_flat))
        out[i] = np.float32(best)
    return out


def query_texts(names: Sequence[str]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    """The query side of :func:`prescore`: each name's sorted-words and space-less forms."""
    texts: list[bytes] = []
    for name in names:
        texts.append(" ".join(sorted(name.split())).encode("utf-8"))
        texts.append(name.replace(" ", "").encode("utf-8"))
    # (np.cumsum of a short list cost more than the rest of this function)
    ends = np.fromiter(accumulate(map(len, texts)), dtype=np.int64, count=len(texts))
    return np.frombuffer(b"".join(texts), dtype=np.uint8), ends


def prescore(
    names: NameBytes,
    name_offsets: npt.NDArray[np.int64],
    rows: npt.NDArray[np.int32],
    query: Sequence[str],
) -> npt.NDArray[np.float32]:
    """For each row, the best ``fuzz.ratio`` (0..1) between any of the ``query``'s
    normalised names and any of the row's names, words sorted or spaces removed. Row ``r``
    has the names ``name_offsets[r]`` to ``name_offsets[r + 1]`` of ``names``."""
    if not query or len(rows) == 0:
        return np.zeros(len(rows), dtype=np.float32)
    text, ends = query_texts(query)
    result: npt.NDArray[np.float32] = _prescore(
        names.data,
        names.ends,
        names.sorted_data,
        names.sorted_ends,
        name_offsets,
        rows.astype(np.int32, copy=False),
        text,
        ends,
    )
    return result


def warm() -> None:
    """Load (or compile) the pre-score for the array types screening passes (the index's
    arrays are memory-mapped, so read-only). A process that forks workers calls this first."""
    from redflags.matching.index import NameBytes

    data = np.frombuffer(b"ab", dtype=np.uint8)
    ends = np.frombuffer(np.array([0, 2], np.int32).tobytes(), dtype=np.int32)
    sorted_ends = np.frombuffer(np.array([0, 2], np.int64).tobytes(), dtype=np.int64)
    offsets = np.frombuffer(np.array([0, 1], np.int64).tobytes(), dtype=np.int64)
    names = NameBytes(data, ends, data, sorted_ends)
    prescore(names, offsets, np.zeros(1, np.int32), ["ab"])


__all__ = ["prescore", "query_texts", "sorted_forms", "warm"]
