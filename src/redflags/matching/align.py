"""The name alignment of two names, as one compiled loop.

``features._align`` aligns the tokens of two names greedily, best similarity first, then
lets a short unmatched word spell the initials of a run of the other name's words ("PLA"),
and an unmatched word be an initial, a prefix or a contraction of one ("J." / "John",
"Mij" / "Maatschappij"); ``features._side`` then sums each name's coverage. In Python that
was ~40 % of a Matcher evaluation (a list of candidate cells, a sort, loops over tokens,
~25 µs a name pair, 1.4 pairs an evaluation, on the pairs bench.speed's queries score). This
kernel does the same steps on the same numbers: the cells are the similarity matrix's
float64 values, the order is the Python tuple order, the sums run in the same order.

Compounds ("SHELLINTERNAT" ~ "Shell Internat") stay in Python: when one may apply (a long
word not yet matched starts with one of two or more unmatched words of the other name) the
kernel says so and the caller aligns the pair in Python (~2 % of bench.speed's pairs).
Names are passed as ``features.name_pack`` packs them. ``tests/test_align.py`` checks the
kernel against the Python path with hypothesis; on the 4,103 queries of three bench.speed
mixes the 15,046 hits are the same, score for score and feature for feature.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

from redflags.matching.features import (
    ACRONYM_SHORT,
    ACRONYM_SIM,
    ACRONYM_SIM_SHORT,
    COMPOUND_MIN,
    COMPOUND_PART_MIN,
    COMPOUND_WEAK,
    CONTRACTION_SIM,
    JOINED_MIN_SIM,
    KIND_CODES,
    SPELLED_MIN,
    TOKEN_MIN_SIM,
    name_pack,
)
from redflags.matching.jit import CACHE
from redflags.text import GENERIC, NAME

_NAME = KIND_CODES[NAME]
_GENERIC = KIND_CODES[GENERIC]
# what the kernel returns: ok, or "align this pair in Python" (a compound may apply)
OK = 0
FALLBACK = 1

# Layout of a pack (uint32): tokens, items, the items (vocab index, start, end), each token's
# kind code, whether it is all letters, the end of its code points, then the code points.


@njit(cache=CACHE, nogil=True)
def _chars_start(p: npt.NDArray[np.uint32], i: int) -> int:
    n, items = int(p[0]), int(p[1])
    base = 2 + 3 * items + 3 * n
    return base if i == 0 else base + int(p[2 + 3 * items + 2 * n + i - 1])


@njit(cache=CACHE, nogil=True)
def _length(p: npt.NDArray[np.uint32], i: int) -> int:
    n, items = int(p[0]), int(p[1])
    end = int(p[2 + 3 * items + 2 * n + i])
    return end if i == 0 else end - int(p[2 + 3 * items + 2 * n + i - 1])


@njit(cache=CACHE, nogil=True)
def _kind(p: npt.NDArray[np.uint32], i: int) -> int:
    return int(p[2 + 3 * int(p[1]) + i])


@njit(cache=CACHE, nogil=True)
def _mixed(p: npt.NDArray[np.uint32], start: int, end: int) -> bool:
    """``features._mixed``: an item joining a name word and another kind of word."""
    if end - start < 2:
        return False
    name = other = False
    for i in range(start, end):
        if _kind(p, i) == _NAME:
            name = True
        else:
            other = True
    return name and other


@njit(cache=CACHE, nogil=True)
def _alpha(p: npt.NDArray[np.uint32], i: int) -> bool:
    return bool(p[2 + 3 * int(p[1]) + int(p[0]) + i] != 0)


@njit(cache=CACHE, nogil=True)
def _starts_with(a: npt.NDArray[np.uint32], i: int, b: npt.NDArray[np.uint32], j: int) -> bool:
    """Whether token i of a starts with token j of b."""
    la, lb = _length(a, i), _length(b, j)
    if lb > la:
        return False
    sa, sb = _chars_start(a, i), _chars_start(b, j)
    for k in range(lb):  # noqa: SIM110 (a generator inside a kernel costs an allocation)
        if a[sa + k] != b[sb + k]:
            return False
    return True


@njit(cache=CACHE, nogil=True)
def _is_contraction(s: npt.NDArray[np.uint32], i: int, lg: npt.NDArray[np.uint32],
                    j: int) -> bool:
    """``features._is_contraction`` on token i of s (the shorter) and token j of lg."""
    ls, ll = _length(s, i), _length(lg, j)
    ss, sl = _chars_start(s, i), _chars_start(lg, j)
    if ls < 3 or ll < ls + 3 or s[ss] != lg[sl] or s[ss + ls - 1] != lg[sl + ll - 1] \
            or not _alpha(s, i):
        return False
    pos = 1
    for k in range(1, ls - 1):
        ch = s[ss + k]
        found = -1
        for m in range(pos, ll - 1):  # str.find(ch, pos, len(long) - 1)
            if lg[sl + m] == ch:
                found = m
                break
        pos = found + 1
        if pos == 0:
            return False
    return True


@njit(cache=CACHE, nogil=True)
def _initial_or_prefix(q: npt.NDArray[np.uint32], i: int, c: npt.NDArray[np.uint32], j: int,
                       person: bool) -> float:
    """``features._initial_or_prefix`` on token i of q and token j of c."""
    if _length(q, i) <= _length(c, j):
        s, si, lg, lj = q, i, c, j
    else:
        s, si, lg, lj = c, j, q, i
    ls = _length(s, si)
    if ls == 1 and _starts_with(lg, lj, s, si):
        return 0.7
    if ls >= 4 and _starts_with(lg, lj, s, si):
        return 0.0 if person else 0.8
    if (person or _skeleton(s, si)) and _is_contraction(s, si, lg, lj):
        return CONTRACTION_SIM
    return 0.0


@njit(cache=CACHE, nogil=True)
def _skeleton(p: npt.NDArray[np.uint32], i: int) -> bool:
    """No vowel after the first letter (``features.VOWELS``): an organisation's contraction."""
    start = _chars_start(p, i)
    for k in range(start + 1, start + _length(p, i)):
        ch = p[k]
        if ch == 97 or ch == 101 or ch == 105 or ch == 111 or ch == 117 or ch == 121:
            return False
    return True


@njit(cache=CACHE, nogil=True)
def _acronyms(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32], a_used: npt.NDArray[np.bool_],
              b_used: npt.NDArray[np.bool_], a_cov: npt.NDArray[np.float64],
              b_cov: npt.NDArray[np.float64]) -> None:
    """``features._match_acronyms``."""
    na, nb = int(a[0]), int(b[0])
    for i in range(na):
        n = _length(a, i)
        if a_used[i] or not 2 <= n <= 6 or not _alpha(a, i):
            continue
        sa = _chars_start(a, i)
        for start in range(nb - n + 1):
            free = True
            for j in range(start, start + n):
                if b_used[j]:
                    free = False
                    break
            if not free:
                continue
            same = True
            for k in range(n):
                if b[_chars_start(b, start + k)] != a[sa + k]:
                    same = False
                    break
            if same:
                sim = ACRONYM_SIM_SHORT if n <= ACRONYM_SHORT else ACRONYM_SIM
                a_used[i] = True
                a_cov[i] = sim
                for j in range(start, start + n):
                    b_used[j] = True
                    b_cov[j] = sim
                break


@njit(cache=CACHE, nogil=True)
def _compound_may_apply(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32],
                        a_cov: npt.NDArray[np.float64], b_cov: npt.NDArray[np.float64]) -> bool:
    """Whether ``features._match_compounds(a, b, ...)`` gets past its first tests for some
    word: a long name word of a, not yet well covered, that starts with one of b's words
    that are long enough to be a part and not yet well covered, of which b has two or more."""
    heads = 0
    for j in range(int(b[0])):
        if b_cov[j] < COMPOUND_WEAK and _length(b, j) >= COMPOUND_PART_MIN:
            heads += 1
    if heads < 2:
        return False
    for i in range(int(a[0])):
        if _kind(a, i) != _NAME or _length(a, i) < COMPOUND_MIN or a_cov[i] >= COMPOUND_WEAK:
            continue
        for j in range(int(b[0])):
            if b_cov[j] < COMPOUND_WEAK and _length(b, j) >= COMPOUND_PART_MIN and \
                    _starts_with(a, i, b, j):
                return True
    return False


@njit(cache=CACHE, nogil=True)
def _side(p: npt.NDArray[np.uint32], w: npt.NDArray[np.float64], cov: npt.NDArray[np.float64],
          out: npt.NDArray[np.float64], at: int) -> None:
    """``features._side``: weighted coverage, unmatched share, weakest name word, best rare
    word, whether a name or org word is left over, weakest spelled-out name word."""
    covered = 0.0
    missing = 0.0
    weakest = 1.0
    spelled = 1.0
    rare = 0.0
    extra = False
    n = int(p[0])
    for i in range(n):
        v = cov[i]
        k = _kind(p, i)
        covered += w[i] * v
        if k == _NAME:
            if v <= 0:
                missing += w[i]
                extra = True
            if v < weakest:
                weakest = v
            if v < spelled and _length(p, i) >= SPELLED_MIN:
                spelled = v
            if v >= 0.8 and w[i] * v > rare:
                rare = w[i] * v
        elif k == _GENERIC and v <= 0:
            extra = True
    name_weight = w[n]
    out[at] = covered
    out[at + 1] = missing / name_weight if name_weight > 0 else 0.0
    out[at + 2] = weakest
    out[at + 3] = rare
    out[at + 4] = 1.0 if extra else 0.0
    out[at + 5] = spelled


@njit(cache=CACHE, nogil=True)
def _aligned_sides(sims: npt.NDArray[np.float64], q: npt.NDArray[np.uint32],
                   qw: npt.NDArray[np.float64], c: npt.NDArray[np.uint32],
                   cw: npt.NDArray[np.float64], person: bool) -> npt.NDArray[np.float64]:
    out = np.zeros(13)
    nq, nc = int(q[0]), int(c[0])
    q_items, c_items = int(q[1]), int(c[1])
    q_cov = np.zeros(nq)
    c_cov = np.zeros(nc)
    q_used = np.zeros(nq, np.bool_)
    c_used = np.zeros(nc, np.bool_)
    if q_items > 0 and c_items > 0 and sims.shape[0] > 0:
        # the cells worth aligning, as (key, s, qs, qe, cs, ce); a merged item must beat
        # the parts it covers: prefer 1-1 on ties
        total = q_items * c_items
        keys = np.empty(total)
        sim = np.empty(total)
        spans = np.empty((total, 4), np.int64)
        n = 0
        for a in range(q_items):
            qv, qs, qe = int(q[2 + 3 * a]), int(q[3 + 3 * a]), int(q[4 + 3 * a])
            qm = _mixed(q, qs, qe)
            for b in range(c_items):
                cv, cs, ce = int(c[2 + 3 * b]), int(c[3 + 3 * b]), int(c[4 + 3 * b])
                s = sims[qv, cv]
                if s >= TOKEN_MIN_SIM and (s >= JOINED_MIN_SIM or not (qm or _mixed(c, cs, ce))):
                    keys[n] = s - 0.001 * ((qe - qs) + (ce - cs))
                    sim[n] = s
                    spans[n, 0], spans[n, 1], spans[n, 2], spans[n, 3] = qs, qe, cs, ce
                    n += 1
        # best first, as Python sorts the tuples in reverse (an insertion sort: a name pair
        # has a few dozen such cells)
        order = np.empty(n, np.int64)
        for x in range(n):
            j = x - 1
            while j >= 0 and _before(keys, sim, spans, x, order[j]):
                order[j + 1] = order[j]
                j -= 1
            order[j + 1] = x
        q_left, c_left = nq, nc
        early = False
        for r in range(n):
            x = order[r]
            s = sim[x]
            qs, qe, cs, ce = spans[x, 0], spans[x, 1], spans[x, 2], spans[x, 3]
            taken = False
            for i in range(qs, qe):
                taken = taken or q_used[i]
            for j in range(cs, ce):
                taken = taken or c_used[j]
            if taken:
                continue
            for i in range(qs, qe):
                q_used[i] = True
                q_cov[i] = s
            for j in range(cs, ce):
                c_used[j] = True
                c_cov[j] = s
            q_left -= qe - qs
            c_left -= ce - cs
            if q_left == 0 or c_left == 0:  # every later item overlaps a used token
                early = True
                break
        if not early:
            _acronyms(q, c, q_used, c_used, q_cov, c_cov)
            _acronyms(c, q, c_used, q_used, c_cov, q_cov)
        if _compound_may_apply(q, c, q_cov, c_cov) or _compound_may_apply(c, q, c_cov, q_cov):
            out[0] = FALLBACK
            return out
        if not early:
            # initials and abbreviations among what is left
            for i in range(nq):
                if q_used[i] or _kind(q, i) != _NAME:
                    continue
                for j in range(nc):
                    if c_used[j] or _kind(c, j) != _NAME:
                        continue
                    s = _initial_or_prefix(q, i, c, j, person)
                    if s > 0:
                        q_used[i] = c_used[j] = True
                        q_cov[i] = c_cov[j] = s
                        break
    _side(q, qw, q_cov, out, 1)
    _side(c, cw, c_cov, out, 7)
    return out


@njit(cache=CACHE, nogil=True)
def _before(keys: npt.NDArray[np.float64], sim: npt.NDArray[np.float64],
            spans: npt.NDArray[np.int64], x: int, y: int) -> bool:
    """Whether cell x sorts before cell y in Python's reverse order of (key, s, spans)."""
    if keys[x] != keys[y]:
        return bool(keys[x] > keys[y])
    if sim[x] != sim[y]:
        return bool(sim[x] > sim[y])
    for k in range(4):
        if spans[x, k] != spans[y, k]:
            return bool(spans[x, k] > spans[y, k])
    return False


def aligned_sides(sims: npt.NDArray[np.float64], q_pack: bytes, q_weights: bytes,
                  c_pack: bytes, c_weights: bytes, person: bool) -> list[float] | None:
    """Each name's ``features._side`` after aligning them (query's six values, then the
    candidate's), or None when the pair must be aligned in Python (a compound may apply)."""
    out = _aligned_sides(sims, np.frombuffer(q_pack, np.uint32),
                         np.frombuffer(q_weights, np.float64), np.frombuffer(c_pack, np.uint32),
                         np.frombuffer(c_weights, np.float64), person)
    if out[0] != OK:
        return None
    values: list[float] = out[1:].tolist()
    return values


def warm() -> None:
    """Load (or compile) the kernel for the argument types screening passes."""
    pack, weights = name_pack(("ab", "a"), (NAME, NAME), ((0, 0, 1), (1, 1, 2)), (1.0, 0.5))
    aligned_sides(np.ones((2, 2)), pack, weights, pack, weights, True)


__all__ = ["FALLBACK", "OK", "aligned_sides", "warm"]
