"""The compiled similarity matrix of two entities named outside CJK, Arabic and Hebrew
(Latin, Cyrillic, Greek, mixed) against the Python path that computes it for every other
pair (rapidfuzz and numpy): the same numbers, cell for cell."""

from __future__ import annotations

import dataclasses

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from redflags.matching.features import PreparedEntity, prepare, similarity_matrix

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
