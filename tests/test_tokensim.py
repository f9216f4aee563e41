"""The compiled similarity matrix of two entities named outside CJK, Arabic and Hebrew
(Latin, Cyrillic, Greek, mixed) against the Python path that computes it for every other
pair (rapidfuzz and numpy): the same numbers, cell for cell."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from redflags.matching import Matcher, scorer
from redflags.matching.features import (
    PreparedEntity,
    prepare,
    similarity_arrays,
    similarity_matrix,
    vocab_use,
)

# letters that make typos, swaps, sound-alikes and shared prefixes likely; é and ß are
# Latin letters outside ASCII (the kernel's slow path); two neighbouring words are also
# compared run together, and may reach the 64 letters a machine word holds
_word = (
    st.text("abcdeiklmnorstuvyéß", min_size=1, max_size=12)
    | st.text("абвгдежиклмнорстухцчшыя", min_size=1, max_size=10)  # Cyrillic: read in Latin
    | st.text("αβγδεικλμνοπρστ", min_size=1, max_size=8)  # and Greek
    | st.text("ab", min_size=25, max_size=32)
)
_name = st.lists(_word, min_size=1, max_size=4).map(" ".join)
_schema = st.sampled_from(["Person", "Company", "LegalEntity"])


def _entity(schema: str, names: list[str]) -> PreparedEntity:
    return prepare({"schema": schema, "properties": {"name": names}})


@settings(max_examples=400, deadline=None)
@given(_schema, st.lists(_name, min_size=1, max_size=3), _schema,
       st.lists(_name, min_size=1, max_size=3))
def test_compiled_matrix_is_the_python_one(qs: str, qn: list[str], cs: str,
                                           cn: list[str]) -> None:
    q, c = _entity(qs, qn), _entity(cs, cn)
    # a very long word (or its key) runs over 64 letters only by a rare chance
    assume(q.codes is not None and c.codes is not None)
    python = similarity_matrix(dataclasses.replace(q, codes=None), c)
    assert similarity_matrix(q, c) == python


@settings(max_examples=200, deadline=None)
@given(_schema, st.lists(_name, min_size=1, max_size=3), _schema,
       st.lists(_name, min_size=2, max_size=5), st.data())
def test_matrix_limited_to_some_names(qs: str, qn: list[str], cs: str, cn: list[str],
                                      data: st.DataObject) -> None:
    """Rows and columns left out are 0; every other cell is the full matrix's."""
    q, c = _entity(qs, qn), _entity(cs, cn)
    assume(q.codes is not None and c.codes is not None and len(c.names) > 1)
    chosen = data.draw(st.lists(st.sampled_from(c.names), min_size=1, max_size=2))
    c_use = vocab_use(c, chosen)
    assume(c_use is not None)
    full = similarity_matrix(q, c)
    _, part = similarity_arrays(q, c, as_list=False, c_use=c_use)
    assert part is not None
    for i in range(len(q.vocab)):
        for j in range(len(c.vocab)):
            assert part[i, j] == (full[i][j] if c_use[j] else 0.0)


def test_matcher_limits_the_matrix_to_the_chosen_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Matcher aligns only the best alias pairs, over their words alone: every feature
    as over the full matrix."""
    query = {"schema": "Person", "properties": {"name": ["Vladimir Putin", "V. Putin"]}}
    listed = {"schema": "Person", "properties": {"name": [
        "PUTIN, Vladimir Vladimirovich", "Wladimir Putin", "Vova", "Vladimir Poutine",
        "Volodymyr Putin", "Putin Vladimir", "V. V. Putin"]}}
    q, c = prepare(query), prepare(listed)
    assert q.codes is not None and c.codes is not None
    assert vocab_use(c, c.names[:2]) is not None  # fewer columns than the whole vocabulary
    assert vocab_use(c, c.names) is None
    used: list[bytes | None] = []
    real = scorer.vocab_use

    def spy(entity: PreparedEntity, names: Any) -> bytes | None:
        used.append(real(entity, names))
        return used[-1]

    monkeypatch.setattr(scorer, "vocab_use", spy)
    limited = Matcher().evaluate(q, c)
    assert any(u is not None for u in used)  # the matrix was limited
    monkeypatch.setattr(scorer, "vocab_use", lambda entity, names: None)
    full = Matcher().evaluate(q, c)
    assert limited.values == full.values and limited.score == full.score > 0.9


def test_typo_swap_and_short_words() -> None:
    """Known cells: a swap is one edit (lifted as a typo in a person's name, not in a
    company's six-letter word), a short company word is another word unless it starts the
    longer one."""
    person = similarity_matrix(_entity("Person", ["Marcon"]), _entity("Person", ["Macron"]))
    assert person == [[0.9]]
    q = _entity("Company", ["Marcon Tot Trading"])
    c = _entity("Company", ["Macron Tots Trading"])
    m = similarity_matrix(q, c)
    cell = {(a, b): m[i][j] for i, a in enumerate(q.vocab) for j, b in enumerate(c.vocab)}
    assert 0.8 < cell[("marcon", "macron")] < 0.9
    assert cell[("tot", "tots")] == 0.75  # a prefix stays
    assert cell[("tot", "trading")] == 0.0


def test_cjk_arabic_and_hebrew_keep_the_python_path() -> None:
    """Cyrillic is compared on its Latin reading, in the kernel (mixed with Latin names too);
    CJK scripts, Arabic and Hebrew have rules of their own, in Python."""
    for names in (["Vladimir Putin"], ["Vladimir Putin", "Владимир Путин"],
                  ["Государственное предприятие Черноморнефтегаз", "Chernomorneftegaz"]):
        q, c = _entity("Organization", names), _entity("Organization", ["Wladimir Poutine"])
        assert q.codes is not None
        assert similarity_matrix(q, c) == similarity_matrix(dataclasses.replace(q, codes=None), c)
    assert _entity("Person", ["習近平"]).codes is None
    assert _entity("Person", ["Bashar al-Assad", "بشار الأسد"]).codes is None
    assert _entity("Person", ["משה"]).codes is None
