"""The token similarity matrix of two entities named in Latin script (or Cyrillic, Greek...),
as one compiled loop.

``features.similarity_matrix`` builds it from three rapidfuzz ``cdist`` calls and a dozen
numpy operations on matrices of ~30 cells: ~85 µs a pair, 38 % of a Matcher evaluation,
nearly all of it per-call overhead (measured on the 4,300 all-Latin pairs the screener
scored for bench.speed's queries). This kernel computes the matrix of every pair with no
name in a CJK script, Arabic or Hebrew (all of bench.speed's pairs but 5 %), cell for cell
the same numbers: rapidfuzz's normalised OSA and Levenshtein similarities rounded to float32
as ``cdist`` returns them, the float32 arithmetic of the numpy steps (the onset cap between
Latin spellings, the mean with the sound keys across scripts), and the one-typo lift in
float64 as the Python scan compares it. ``tests/test_tokensim.py`` checks it against the
Python path with hypothesis.

Tokens are passed as UTF-32 code points (``features.token_codes``), packed once when an
entity is prepared.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

from redflags.matching.features import token_codes
from redflags.matching.jit import CACHE

# Every helper takes whole buffers and offsets, never a slice: a slice is an array view
# whose reference count numba updates atomically, and with a few slices a cell the
# kernel ran at ~250 ns a cell; with none, ~40.


_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)
_ONE = np.uint64(1)
_ASCII = 128


@njit(cache=CACHE, nogil=True)
def _fill_tables(buf: npt.NDArray[np.uint32], ends: int, chars: int, n: int,
                 table: npt.NDArray[np.uint64]) -> None:
    """For each of ``n`` tokens (ends at ``buf[ends:]``, letters from ``buf[chars]``), the
    bit mask of the positions of each ASCII letter: the pattern table
    of the bit-parallel distances."""
    table[:, :] = 0
    a = 0
    for t in range(n):
        b = int(buf[ends + t])
        for i in range(a, b):
            ch = buf[chars + i]
            if ch < _ASCII:
                table[t, ch] |= _ONE << np.uint64(i - a)
        a = b


@njit(cache=CACHE, nogil=True)
def _bit_distance(table: npt.NDArray[np.uint64], t: int, q: npt.NDArray[np.uint32], a0: int,
                  a1: int, c: npt.NDArray[np.uint32], b0: int, b1: int, osa: bool) -> int:
    """Levenshtein (or OSA) distance of token ``t`` of the query (``q[a0:a1]``, 1..64
    letters, its pattern in ``table[t]``) and ``c[b0:b1]``: Hyyrö's bit-parallel
    recurrences, as rapidfuzz computes them."""
    m = a1 - a0
    vp = _ONES
    vn = np.uint64(0)
    d0 = np.uint64(0)
    pm_old = np.uint64(0)
    dist = m
    top = _ONE << np.uint64(m - 1)
    for j in range(b0, b1):
        ch = c[j]
        if ch < _ASCII:
            pm = table[t, ch]
        else:
            pm = np.uint64(0)
            for i in range(a0, a1):
                if q[i] == ch:
                    pm |= _ONE << np.uint64(i - a0)
        tr = np.uint64(0)
        if osa:  # a swap of two neighbours
            tr = (((~d0) & pm) << _ONE) & pm_old
        d0 = (((pm & vp) + vp) ^ vp) | pm | vn | tr
        hp = vn | ~(d0 | vp)
        hn = d0 & vp
        if hp & top:
            dist += 1
        if hn & top:
            dist -= 1
        hp = (hp << _ONE) | _ONE
        hn = hn << _ONE
        vp = hn | ~(d0 | hp)
        vn = hp & d0
        pm_old = pm
    return dist


@njit(cache=CACHE, nogil=True)
def _distance(table: npt.NDArray[np.uint64], t: int, q: npt.NDArray[np.uint32], a0: int,
              a1: int, c: npt.NDArray[np.uint32], b0: int, b1: int, osa: bool) -> int:
    if a1 == a0:
        return b1 - b0
    if b1 == b0:
        return a1 - a0
    return _bit_distance(table, t, q, a0, a1, c, b0, b1, osa)


@njit(cache=CACHE, nogil=True)
def _normalized(dist: int, m: int, n: int) -> np.float32:
    """rapidfuzz's normalised similarity (double), as cdist's float32 holds it."""
    longest = max(m, n)
    norm = dist / longest if longest else 0.0
    return np.float32(1.0 - norm)


@njit(cache=CACHE, nogil=True)
def _is_prefix(q: npt.NDArray[np.uint32], a0: int, a1: int, c: npt.NDArray[np.uint32],
               b0: int, b1: int) -> bool:
    """Whether one of the two tokens starts with the other."""
    for i in range(min(a1 - a0, b1 - b0)):  # noqa: SIM110 (numba compiles no generator)
        if q[a0 + i] != c[b0 + i]:
            return False
    return True


@njit(cache=CACHE, nogil=True)
def _same_start(q: npt.NDArray[np.uint32], a0: int, c: npt.NDArray[np.uint32], b0: int,
                same_len: bool, same_onset: bool) -> bool:
    """features._same_start on the letters at ``q[a0:]`` and ``c[b0:]`` (2+ letters each)."""
    return bool(q[a0] == c[b0] or same_onset
                or (same_len and q[a0] == c[b0 + 1] and q[a0 + 1] == c[b0]))


@njit(cache=CACHE, nogil=True)
def _latin_matrix(
    q: npt.NDArray[np.uint32], c: npt.NDArray[np.uint32],
    factor: float, margin: float, short_len: int, orgs: bool,
    typo_low: float, typo_sim: float, typo_min_len: int,
    q_use: npt.NDArray[np.uint8], c_use: npt.NDArray[np.uint8],
) -> npt.NDArray[np.float64]:
    # the layout of features.token_codes: counts, the ends of tokens, phonetic and sound
    # keys, onsets, Latin flags, then the letters of tokens, phonetic and sound keys
    nq, nc = int(q[0]), int(c[0])
    q_ends, q_pends, q_sends, q_on, q_lat = 4, 4 + nq, 4 + 2 * nq, 4 + 3 * nq, 4 + 4 * nq
    q_chars = 4 + 5 * nq
    q_pchars = q_chars + int(q[1])
    q_schars = q_pchars + int(q[2])
    c_ends, c_pends, c_sends, c_on, c_lat = 4, 4 + nc, 4 + 2 * nc, 4 + 3 * nc, 4 + 4 * nc
    c_chars = 4 + 5 * nc
    c_pchars = c_chars + int(c[1])
    c_schars = c_pchars + int(c[2])
    tables = np.empty((nq, _ASCII), dtype=np.uint64)
    ptables = np.empty((nq, _ASCII), dtype=np.uint64)
    stables = np.empty((nq, _ASCII), dtype=np.uint64)
    _fill_tables(q, q_ends, q_chars, nq, tables)
    _fill_tables(q, q_pends, q_pchars, nq, ptables)
    _fill_tables(q, q_sends, q_schars, nq, stables)
    f_factor = np.float32(factor)
    f_margin = np.float32(margin)
    half = np.float32(0.5)
    out = np.zeros((nq, nc), dtype=np.float64)
    q_all, c_all = len(q_use) == 0, len(c_use) == 0
    a0 = pa0 = sa0 = 0
    for i in range(nq):
        a1, pa1, sa1 = int(q[q_ends + i]), int(q[q_pends + i]), int(q[q_sends + i])
        if not (q_all or q_use[i]):
            a0, pa0, sa0 = a1, pa1, sa1
            continue
        la = a1 - a0
        b0 = pb0 = sb0 = 0
        for j in range(nc):
            b1, pb1, sb1 = int(c[c_ends + j]), int(c[c_pends + j]), int(c[c_sends + j])
            if not (c_all or c_use[j]):
                b0, pb0, sb0 = b1, pb1, sb1
                continue
            lb = b1 - b0
            dist = _distance(tables, i, q, q_chars + a0, q_chars + a1, c, c_chars + b0,
                             c_chars + b1, True)
            lev = _normalized(dist, la, lb)
            pdist = _distance(ptables, i, q, q_pchars + pa0, q_pchars + pa1, c,
                              c_pchars + pb0, c_pchars + pb1, False)
            pho = np.float32(_normalized(pdist, pa1 - pa0, pb1 - pb0) * f_factor)
            q_latin, c_latin = q[q_lat + i] != 0, c[c_lat + j] != 0
            if q_latin and c_latin:
                # a sound-alike credit between two Latin spellings only from the same first
                # sound, and at most the margin above the letters' (features._spelled_sound)
                cap = np.float32(lev + f_margin) if q[q_on + i] == c[c_on + j] else lev
                pho = min(pho, cap)
            sim = max(lev, pho)
            if q_latin != c_latin:
                # across scripts, the mean with the sound keys' similarity (_blend_sound)
                sdist = _distance(stables, i, q, q_schars + sa0, q_schars + sa1, c,
                                  c_schars + sb0, c_schars + sb1, False)
                snd = _normalized(sdist, sa1 - sa0, sb1 - sb0)
                sim = np.float32(np.float32(sim + snd) * half)
            # short organisation tokens align only when equal or one starts the other
            if orgs and sim < 1.0 and (la <= short_len or lb <= short_len) and \
                    not _is_prefix(q, q_chars + a0, q_chars + a1, c, c_chars + b0,
                                   c_chars + b1):
                sim = np.float32(0.0)
            value = float(sim)
            # one typo in two longer words is as good as a sound-alike (features._lift_typos)
            if typo_low <= value < typo_sim and la >= typo_min_len and lb >= typo_min_len \
                    and dist == 1 and _same_start(q, q_chars + a0, c, c_chars + b0, la == lb,
                                                  q[q_on + i] == c[c_on + j]):
                value = typo_sim
            out[i, j] = value
            b0, pb0, sb0 = b1, pb1, sb1
        a0, pa0, sa0 = a1, pa1, sa1
    return out


_ALL = np.zeros(0, dtype=np.uint8)


def latin_matrix(
    q_codes: bytes, c_codes: bytes, *, factor: float, margin: float, short_len: int,
    orgs: bool, typo_low: float, typo_sim: float, typo_min_len: int,
    q_use: bytes | None = None, c_use: bytes | None = None,
) -> npt.NDArray[np.float64]:
    """The similarity of every query token to every candidate token (see the module);
    ``q_codes`` and ``c_codes`` as ``features.token_codes`` packs them. ``q_use`` and
    ``c_use`` (one byte a vocabulary item, 0 = skip) limit the work to the rows and columns
    of the names that will be aligned; the cells left out are 0."""
    result: npt.NDArray[np.float64] = _latin_matrix(
        np.frombuffer(q_codes, np.uint32), np.frombuffer(c_codes, np.uint32),
        factor, margin, short_len, orgs, typo_low, typo_sim, typo_min_len,
        _ALL if q_use is None else np.frombuffer(q_use, np.uint8),
        _ALL if c_use is None else np.frombuffer(c_use, np.uint8),
    )
    return result


def warm() -> None:
    """Load (or compile) the kernel for the argument types screening passes."""
    codes = token_codes(["ab", "ba"], ["ab", "ba"], ["ab", "ba"], [True, False], b"a_")
    latin_matrix(codes, codes, factor=0.9, margin=0.3, short_len=3, orgs=True,
                 typo_low=0.75, typo_sim=0.9, typo_min_len=4)


__all__ = ["latin_matrix", "warm"]
