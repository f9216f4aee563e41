"""Words run together in one spelling and apart in the other ("SHELLINTERNAT")."""

from __future__ import annotations

from typing import Any

import pytest

from redflags.matching import DEFAULT_THRESHOLD, Matcher


def ent(name: str, schema: str = "Company") -> dict[str, Any]:
    return {"schema": schema, "properties": {"name": [name]}}


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher()


@pytest.mark.parametrize(("a", "b"), [
    ("Internat Maatschappij Research Shell", "Mij Research Shellinternat"),
    ("Brocades Delft Gist", "Gistbrocades"),
    ("Koninklijke Philipselectronics", "Electronics Koninklijke Philips"),
])
def test_compound_is_its_parts(matcher: Matcher, a: str, b: str) -> None:
    r = matcher.compare(ent(a), ent(b))
    assert r.score >= DEFAULT_THRESHOLD
    assert r.explanations["name_weakest"].value >= 0.75


def test_compound_needs_every_part(matcher: Matcher) -> None:
    """Only the head of the compound in the other name: no more than a prefix match."""
    whole = matcher.compare(ent("Brocades Delft Gist"), ent("Gistbrocades"))
    head = matcher.compare(ent("Delft Gist"), ent("Gistbrocades"))
    assert head.score < whole.score - 0.2


def test_compound_in_either_order_and_either_side(matcher: Matcher) -> None:
    a = matcher.compare(ent("Shell Internat"), ent("Internatshell")).score
    b = matcher.compare(ent("Internatshell"), ent("Shell Internat")).score
    assert a == pytest.approx(b)
    assert a >= DEFAULT_THRESHOLD


@pytest.mark.parametrize(("a", "b", "same"), [
    ("Gazprom Bank", "GAZPROMBANK", True),
    ("Hik Vision Digital", "Hikvision Digital", True),
    # a name word joined to an org word is no match for a word that shares the org word
    # alone: "joysonelectronics" ~ "optoelectronics" 0.76
    ("Ningbo Joyson Electronic Corp.", "Ningbo NTU Optoelectronics", False),
])
def test_a_name_word_joined_to_an_org_word_must_be_the_other_word(
        matcher: Matcher, a: str, b: str, same: bool) -> None:
    score = matcher.compare(ent(a), ent(b)).score
    assert (score >= DEFAULT_THRESHOLD) == same, score


def test_an_org_word_written_into_the_other_name_ranks_that_name_first(matcher: Matcher) -> None:
    """"Gazprom Bank" is GAZPROMBANK before it is GAZPROM: its name and org word run together
    are the other's name."""
    bank = matcher.compare(ent("Gazprom Bank"), ent("GAZPROMBANK JOINT STOCK COMPANY")).score
    parent = matcher.compare(ent("Gazprom Bank"), ent("PUBLIC JOINT STOCK COMPANY GAZPROM"))
    assert bank > parent.score
    # not where the other name merely shares letters of an org word
    chance = matcher.compare(ent("Center for New Horizons Washington Park", "Organization"),
                             ent("NEW HORIZON ORGANIZATION", "Organization"))
    assert chance.explanations["name_joined"].value < 0.45
