"""The compiled name alignment (``matching/align.py``) against the Python path it replaces
(``features._align`` and ``features._side``): the same twelve numbers for every name pair,
and the pairs it hands back to Python (a compound may apply) are exactly those."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from redflags.matching.align import aligned_sides
from redflags.matching.features import (
    PreparedEntity,
    _python_sides,
    compare_names,
    prepare,
    similarity_arrays,
)

# words that make acronyms (pla / people liberation army), initials (j / john),
# contractions (mij / maatschappij), prefixes (konink / koninklijke), compounds (shellinternat
# / shell internat), typos and sound-alikes likely; legal forms and org words; Cyrillic and
# non-ASCII Latin letters; and random words
_WORDS = ["pla", "people", "liberation", "army", "j", "john", "jc", "jean", "claude", "mij",
          "maatschappij", "konink", "koninklijke", "shell", "internat", "shellinternat",
          "gist", "brocades", "gistbrocades", "smith", "smyth", "abc", "a", "b", "c", "co",
          "ltd", "trading", "bank", "ivan", "petrov", "иван", "петров", "müller", "muller",
          "alexander", "alex", "internationale", "philips", "philipss", "sun", "sullivan",
          "wstrn", "western", "ben", "benjamin"]
_word = st.sampled_from(_WORDS) | st.text("abcdeijklmnoprst", min_size=1, max_size=9)
_name = st.lists(_word, min_size=1, max_size=5).map(" ".join)
_schema = st.sampled_from(["Person", "Company", "LegalEntity"])


def _entity(schema: str, names: list[str]) -> PreparedEntity:
    return prepare({"schema": schema, "properties": {"name": names}})


@settings(max_examples=600, deadline=None)
@given(_schema, st.lists(_name, min_size=1, max_size=2), _schema,
       st.lists(_name, min_size=1, max_size=2))
def test_compiled_alignment_is_the_python_one(qs: str, qn: list[str], cs: str,
                                              cn: list[str]) -> None:
    q, c = _entity(qs, qn), _entity(cs, cn)
    sims, array = similarity_arrays(q, c)
    assume(array is not None)
    assert array is not None
    for a in q.names:
        for b in c.names:
            python = _python_sides(a, b, sims)
            compiled = aligned_sides(array, a.pack, a.pack_weights, b.pack, b.pack_weights,
                                     a.person or b.person)
            if compiled is None:  # handed back: a compound may apply
                continue
            assert compiled == [float(x) for x in python], (a.text, b.text)
            # ...and compare_names gives the same values either way
            assert compare_names(a, b, sims, False, array).values == \
                compare_names(a, b, sims, False, None).values


def test_known_alignments() -> None:
    """An acronym, an initial and a prefix are aligned by the kernel; a compound is
    handed back to Python, which finds it."""
    def sides(q: str, c: str, schema: str = "Company") -> list[float] | None:
        a, b = _entity(schema, [q]), _entity(schema, [c])
        _, array = similarity_arrays(a, b)
        assert array is not None
        n, m = a.names[0], b.names[0]
        return aligned_sides(array, n.pack, n.pack_weights, m.pack, m.pack_weights,
                             n.person or m.person)

    pla = sides("PLA", "People's Liberation Army")
    assert pla is not None and pla[2] == 0.7  # the query's one word: a short acronym
    initial = sides("J Smith", "John Smith", "Person")
    assert initial is not None and initial[2] == 0.7
    prefix = sides("Konink Philips", "Koninklijke Philips")  # an abbreviation by its prefix
    assert prefix is not None and prefix[2] == 0.8
    assert sides("Shellinternat", "Internat Shell") is None
    a, b = _entity("Company", ["Shellinternat"]), _entity("Company", ["Internat Shell"])
    sims, array = similarity_arrays(a, b)
    assert compare_names(a.names[0], b.names[0], sims, False, array).values["name_align"] > 0.7
