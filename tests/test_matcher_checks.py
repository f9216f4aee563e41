"""Whole-entity rules behind nomenklatura's checks: letters in order, numbers, swapped name
fields, bare initials, a person's cut-short word, and the calibration step."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from redflags.matching import DEFAULT_THRESHOLD, Matcher
from redflags.matching.calibration import fit_temperature
from redflags.matching.features import _initial_or_prefix, _join_initials, prepare

MATCHER = Matcher()


def _entity(schema: str, props: dict[str, Any] | str) -> dict[str, Any]:
    properties = {"name": [props]} if isinstance(props, str) else props
    return {"schema": schema, "properties": properties}


def _compare(schema: str, a: dict[str, Any] | str, b: dict[str, Any] | str) -> Any:
    return MATCHER.compare(_entity(schema, a), _entity(schema, b))


def test_org_initials_are_one_acronym_in_order() -> None:
    assert _join_initials(["k", "l", "m", "trading", "ltd"]) == ["klm", "trading", "ltd"]
    assert _compare("Company", "K.L.M. Trading Ltd", "KLM Trading Ltd").score >= 0.9
    swapped = _compare("Company", "K.L.M. Trading Ltd", "M.L.K. Trading Ltd")
    assert swapped.score < DEFAULT_THRESHOLD
    assert "name_exact" not in swapped.explanations


def test_person_initials_stay_apart() -> None:
    names = prepare(_entity("Person", "J. K. Rowling")).names
    assert names[0].tokens[:2] == ("j", "k")


def test_differing_numbers_are_not_an_exact_name() -> None:
    other = _compare("Vessel", "Golden Bay 7", "Golden Bay 8")
    assert other.explanations["number_conflict"].value == 1.0
    assert "name_exact" not in other.explanations
    assert other.score < DEFAULT_THRESHOLD
    assert _compare("Vessel", "Golden Bay 7", "Golden Bay 7").score >= 0.9


def test_swapped_name_fields_alone_are_another_person() -> None:
    a = {"firstName": ["Maria"], "lastName": ["Jordan"]}
    b = {"firstName": ["Jordan"], "lastName": ["Maria"]}
    result = _compare("Person", a, b)
    assert result.explanations["name_parts_swap"].value == 1.0
    assert result.score < DEFAULT_THRESHOLD
    assert _compare("Person", a, a).score >= 0.9


def test_swapped_name_fields_with_a_record_to_compare_are_a_clerks_slip() -> None:
    a = {"firstName": ["Maria"], "lastName": ["Jordan"], "birthDate": ["1971-03-02"]}
    b = {"firstName": ["Jordan"], "lastName": ["Maria"], "birthDate": ["1971-03-02"]}
    result = _compare("Person", a, b)
    assert "name_parts_swap" not in result.explanations
    assert result.score >= DEFAULT_THRESHOLD


def test_bare_initials_do_not_identify() -> None:
    bare = _compare("Person", "K. L.", "Karl Lindqvist")
    assert bare.explanations["name_initials_only"].value == 1.0
    assert bare.score < DEFAULT_THRESHOLD
    assert _compare("Person", "K. Lindqvist", "Karl Lindqvist").score >= DEFAULT_THRESHOLD


def test_person_word_is_not_cut_short() -> None:
    assert _initial_or_prefix("berg", "bergmann", person=True) == 0.0
    assert _initial_or_prefix("konink", "koninklijke") == 0.8
    assert _initial_or_prefix("j", "john", person=True) == 0.7
    assert _compare("Person", "Anna Berg", "Anna Bergmann").score < DEFAULT_THRESHOLD


def test_temperature_recovers_a_known_stretch() -> None:
    rng = np.random.default_rng(7)
    pivot = 0.2
    z = rng.normal(0.0, 2.0, 20000)
    p = 1.0 / (1.0 + np.exp(-(pivot + 2.0 * (z - pivot))))
    y = (rng.random(z.size) < p).astype(np.float64)
    assert abs(fit_temperature(z, y, pivot) - 2.0) < 0.1


@given(st.lists(st.floats(-8, 8), min_size=4, max_size=40), st.floats(0.2, 5.0))
def test_temperature_keeps_every_decision(logits: list[float], t: float) -> None:
    """The stretch is around the threshold's logit: no pair changes side of it."""
    pivot = float(np.log(DEFAULT_THRESHOLD / (1 - DEFAULT_THRESHOLD)))
    z = np.array(logits)
    stretched = pivot + t * (z - pivot)
    assert ((z >= pivot) == (stretched >= pivot)).all()
    y = (z > 0).astype(np.float64)
    assert 0.2 <= fit_temperature(z, y, pivot) <= 5.0


def test_legal_form_run_on_to_the_name() -> None:
    def tokens(name: str) -> tuple[str, ...]:
        return prepare(_entity("Company", name)).names[0].tokens

    assert tokens("SiemensAG") == ("siemens", "ag")
    assert tokens("BayerGmbH") == ("bayer", "gmbh")
    assert tokens("PetroChina") == ("petrochina",)  # camel case that is no legal form
    assert _compare("Company", "NordwerkAG", "Nordwerk AG").score >= 0.9
