"""The compiled pre-score against rapidfuzz's ratio on the same names (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from redflags.matching.index import NameBytes
from redflags.matching.prescore import prescore, sorted_forms

# normalised names: latin letters, digits and single spaces (long ones cross 64 and 128
# characters, where the bit-parallel LCS carries between words)
_words = st.lists(st.text("abcdefxyz019", min_size=1, max_size=30), min_size=1, max_size=8)
names = _words.map(" ".join)


def expected(query: list[str], candidate: list[str]) -> float:
    best = 0.0
    for q in query:
        for c in candidate:
            sort_q, sort_c = (" ".join(sorted(x.split())) for x in (q, c))
            flat_q, flat_c = (x.replace(" ", "") for x in (q, c))
            best = max(best, fuzz.ratio(sort_q, sort_c) / 100, fuzz.ratio(flat_q, flat_c) / 100)
    return best


def layout(rows: list[list[str]]) -> tuple[NameBytes, np.ndarray]:
    """Rows of names as the index keeps them: their bytes, and where each row's names are."""
    flat = [n.encode() for row in rows for n in row]
    ends = np.concatenate(([0], np.cumsum([len(n) for n in flat]))).astype(np.int32)
    offsets = np.concatenate(([0], np.cumsum([len(r) for r in rows]))).astype(np.int64)
    data = np.frombuffer(b"".join(flat) or b"\0", dtype=np.uint8)
    return NameBytes(data, ends, *sorted_forms(data, ends)), offsets


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(" abcz09é", max_size=40), max_size=6))
def test_sorted_forms_sort_the_words(texts: list[str]) -> None:
    names_, _ = layout([texts])
    for i, text in enumerate(texts):
        got = names_.sorted_data[names_.sorted_ends[i] : names_.sorted_ends[i + 1]]
        assert bytes(got).decode() == " ".join(sorted(text.split()))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(names, min_size=1, max_size=3),
    st.lists(st.lists(names, min_size=0, max_size=3), min_size=1, max_size=5),
)
def test_prescore_is_rapidfuzz_ratio(query: list[str], rows: list[list[str]]) -> None:
    names_, offsets = layout(rows)
    # rows asked out of order and twice: each answer belongs to its row
    asked = np.array([*range(len(rows) - 1, -1, -1), 0], dtype=np.int32)
    got = prescore(names_, offsets, asked, query)
    for i, row in enumerate(asked.tolist()):
        want = expected(query, rows[row]) if rows[row] else 0.0
        assert abs(float(got[i]) - want) < 1e-6, (query, rows[row])


def test_prescore_examples() -> None:
    names_, offsets = layout([["putin vladimir", "vladimir putin"], ["hikvision"], []])
    got = prescore(names_, offsets, np.array([0, 1, 2], dtype=np.int32), ["vladimir putin"])
    assert got[0] == 1.0
    assert abs(float(got[1]) - fuzz.ratio("putinvladimir", "hikvision") / 100) < 1e-6
    assert got[2] == 0.0
    # a word order that differs only in the space-less form still finds the sorted match
    got = prescore(names_, offsets, np.array([0], dtype=np.int32), ["putin  vladimir"])
    assert got[0] == 1.0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(names, min_size=1, max_size=2),
    st.lists(st.lists(st.text(" abxz", max_size=20), max_size=3), min_size=1, max_size=4),
)
def test_prescore_of_names_spaced_anyhow(query: list[str], rows: list[list[str]]) -> None:
    """Index names are single-spaced (name_norm); any other spacing takes the general path
    and still gives rapidfuzz's ratio."""
    names_, offsets = layout(rows)
    asked = np.arange(len(rows), dtype=np.int32)
    got = prescore(names_, offsets, asked, query)
    for i, row in enumerate(rows):
        want = expected(query, row) if row else 0.0
        assert abs(float(got[i]) - want) < 1e-6, (query, row)
