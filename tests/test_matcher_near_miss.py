"""A near-miss word with nothing else to go on, one-typo words, and the evidence features."""

from __future__ import annotations

from typing import Any

import pytest

from redflags.matching import DEFAULT_THRESHOLD, Matcher
from redflags.matching.features import (
    FEATURES,
    TYPO_SIM,
    evidence_features,
    prepare,
    similarity_matrix,
)


def person(name: str, **props: str) -> dict[str, Any]:
    return {"schema": "Person",
            "properties": {"name": [name], **{k: [v] for k, v in props.items()}}}


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher()


def _token_sim(a: str, b: str) -> float:
    q, c = prepare(person(a)), prepare(person(b))
    return similarity_matrix(q, c)[q.vocab.index(a.lower())][c.vocab.index(b.lower())]


@pytest.mark.parametrize(("a", "b"), [
    ("Petrenko", "Petrenco"),  # one substitution in a long-ish word
    ("Kowalski", "Kowlaski"),  # two letters swapped: one slip, not two edits
    ("Dorn", "Dorm"),  # shortest word lifted
])
def test_one_typo_is_as_good_as_a_sound_alike(a: str, b: str) -> None:
    assert _token_sim(a, b) >= TYPO_SIM


@pytest.mark.parametrize(("a", "b"), [
    ("Ivo", "Iva"),  # three letters: one edit is another name
    ("Petrenko", "Petrovna"),  # more than one edit
])
def test_no_lift_for_short_words_or_several_edits(a: str, b: str) -> None:
    assert _token_sim(a, b) < TYPO_SIM


def test_near_miss_with_nothing_else_is_not_a_match(matcher: Matcher) -> None:
    r = matcher.compare(person("Anton Pavlovich Berezin"), person("Anton Pavlovich Beletsin"))
    assert r.explanations["name_near_miss_alone"].value > 0.5
    assert r.score < DEFAULT_THRESHOLD


def test_birth_date_makes_the_near_miss_a_typo(matcher: Matcher) -> None:
    alone = matcher.compare(person("Anton Berezin"), person("Anton Beletsin"))
    dated = matcher.compare(person("Anton Berezin", birthDate="1961-04-02"),
                            person("Anton Beletsin", birthDate="1961-04-02"))
    assert "name_near_miss_alone" not in dated.explanations
    assert dated.score > alone.score + 0.3


def test_initial_is_not_a_near_miss(matcher: Matcher) -> None:
    r = matcher.compare(person("A. Berezin"), person("Anton Berezin"))
    assert "name_spelled_gap" not in r.explanations
    assert "name_near_miss_alone" not in r.explanations


def test_no_near_miss_across_scripts(matcher: Matcher) -> None:
    r = matcher.compare(person("Anton Beletsin"), person("Антон Березин"))
    assert r.explanations["cross_script"].value == 1.0
    assert "name_near_miss_alone" not in r.explanations


def test_evidence_features_fill_entity_level_values() -> None:
    q = prepare(person("Anton Berezin", birthDate="1961-04-02", nationality="ru",
                       innCode="7707083893"))
    c = prepare(person("Anton Berezin", birthDate="1961", nationality="ua",
                       innCode="7707083893"))
    values = dict.fromkeys(FEATURES, 0.0)
    values["name_spelled_gap"] = 0.2
    evidence_features(q, c, values)
    assert values["identifier_match"] == 1.0
    assert values["country_conflict"] == 1.0
    assert values["date_match"] == 0.3  # the year alone agrees: weak (YEAR_ONLY_DATE)
    # an identifier corroborates the name: no near-miss penalty left
    assert values["name_near_miss_alone"] == 0.0


@pytest.mark.parametrize(("a", "b"), [
    ("Timohy", "Adam"),  # same skeleton "tm", different first sound
    ("Meale", "Maulawi"),  # same skeleton "ml", letters far apart
])
def test_a_shared_consonant_skeleton_alone_is_no_sound_alike(a: str, b: str) -> None:
    assert _token_sim(a, b) < 0.8


@pytest.mark.parametrize(("a", "b"), [
    ("Mohammed", "Muhammad"), ("Moussa", "Musa"), ("Schmidt", "Shmit"),
])
def test_spelling_variants_still_sound_alike(a: str, b: str) -> None:
    assert _token_sim(a, b) >= 0.85


def test_unrelated_names_with_the_same_skeletons_do_not_match(matcher: Matcher) -> None:
    # seen screening generated rows: 0.83 against a listed "ADAM, Maulawi" before the rule
    assert matcher.compare(person("Timohy Meale"), person("ADAM, Maulawi")).score < 0.3


def _org_token_sim(a: str, b: str) -> float:
    q = prepare({"schema": "Company", "properties": {"name": [a]}})
    c = prepare({"schema": "Company", "properties": {"name": [b]}})
    return similarity_matrix(q, c)[q.vocab.index(a.lower())][c.vocab.index(b.lower())]


@pytest.mark.parametrize(("a", "b", "lifted"), [
    ("Tanner", "Tanker", False),  # another word, as often as a typo, in a company name
    ("Clark", "Clara", False),
    ("Hikvison", "Hikvision", True),  # a long word one letter off is a typo
])
def test_company_words_get_the_typo_lift_only_when_long(a: str, b: str, lifted: bool) -> None:
    assert (_org_token_sim(a, b) >= TYPO_SIM) is lifted


def test_a_short_acronym_is_weaker_evidence_than_a_long_one(matcher: Matcher) -> None:
    def org(name: str) -> dict[str, Any]:
        return {"schema": "Organization", "properties": {"name": [name]}}

    # a day-care centre is not the listed "CAR CARE CENTER" because it ends in "CCC"
    chance = matcher.compare(org("Ravenswood Community CCC"), org("CAR CARE CENTER")).score
    assert chance < DEFAULT_THRESHOLD
    assert matcher.compare(org("PLA"), org("People's Liberation Army")).score >= \
        DEFAULT_THRESHOLD


@pytest.mark.parametrize(("a", "b", "aligned"), [
    ("Reilly", "RIL", False),  # letters in common, not an abbreviation
    ("Dett", "ETT", False),
    ("Tots", "Tot", True),  # the longer word starts with the short one
])
def test_a_short_company_word_aligns_only_with_its_own_extension(
        a: str, b: str, aligned: bool) -> None:
    assert (_org_token_sim(a, b) > 0.0) is aligned


def test_a_bare_first_name_is_no_name_of_its_own(matcher: Matcher) -> None:
    # the UN list gives "KIM" as the first name of "KIM CHOL SAM": any Kim matched it
    listed = {"schema": "Person", "properties": {"name": ["KIM CHOL SAM"], "firstName": ["KIM"],
                                                 "secondName": ["CHOL"]}}
    assert matcher.compare(person("Kim Jong Un"), listed).score < 0.3
    assert matcher.compare(person("Kim Chol Sam"), listed).score >= DEFAULT_THRESHOLD


def test_a_name_with_an_org_word_or_legal_form_is_no_person(matcher: Matcher) -> None:
    # a file row of unknown type is a LegalEntity query: its words say what it is
    query = {"schema": "LegalEntity", "properties": {"name": ["Samsung Electronics"]}}
    assert matcher.compare(query, person("SAMSAENG, Suthep")).score == 0.0
    company = {"schema": "Company", "properties": {"name": ["Samsung Electronics Co Ltd"]}}
    assert matcher.compare(query, company).score >= DEFAULT_THRESHOLD
    # an honorific is no org word
    titled = {"schema": "LegalEntity", "properties": {"name": ["Mr John Smith"]}}
    assert matcher.compare(titled, person("John Smith")).score >= DEFAULT_THRESHOLD


def test_a_weak_alias_counts_only_when_written_exactly(matcher: Matcher) -> None:
    listed = {"schema": "Person", "properties": {
        "name": ["Murad Iraklievich Margoshvili"], "weakAlias": ["John", "Lava"]}}
    assert matcher.compare(person("John Smith"), listed).score < 0.3  # was 0.74
    assert matcher.compare(person("John"), listed).score >= DEFAULT_THRESHOLD
    assert matcher.compare(person("Murad Margoshvili"), listed).score >= DEFAULT_THRESHOLD


def test_a_one_word_aka_of_a_person_is_a_moniker(matcher: Matcher) -> None:
    """The UK list's plain a.k.a.s "BEN" and "BENTLEY" of a cyber-criminal count as OFAC's
    weak ones: only where written exactly. His full names, a one-word name of his own, and
    a one-word a.k.a. in a script written without spaces stay strong."""
    listed = {"schema": "Person", "properties": {
        "name": ["Vitaliy Nikolayevich KOVALEV"], "alias": ["BEN", "BENTLEY", "Vitaly KOVALEV"]}}
    assert matcher.compare(person("Ben Smith"), listed).score < 0.3  # was 0.87
    assert matcher.compare(person("Ronald Bentley"), listed).score < 0.3  # was 0.88
    assert matcher.compare(person("Bentley"), listed).score >= DEFAULT_THRESHOLD
    assert matcher.compare(person("Vitaly Kovalev"), listed).score >= DEFAULT_THRESHOLD
    mononym = {"schema": "Person", "properties": {"name": ["HIDAYATULLAH"]}}
    assert matcher.compare(person("Hidayatulla"), mononym).score >= DEFAULT_THRESHOLD
    # (a Korean name in Hangul is one word; the South's spelling of the surname Ri is I)
    korean = {"schema": "Person", "properties": {"name": ["KIM Chol Min"], "alias": ["리송진"]}}
    assert matcher.compare(person("이송진"), korean).score >= DEFAULT_THRESHOLD


def test_a_town_alone_is_weaker_evidence_than_a_street_address(matcher: Matcher) -> None:
    # Splink: two Alfies born eight years apart, both "London", scored 0.98 with the town
    # as strong as a street address
    def address_value(qa: str, ca: str) -> float:
        r = matcher.compare(person("Alfie Moon", address=qa), person("Alfie Moon", address=ca))
        return r.explanations["address_match"].value

    assert address_value("London", "London") < 0.4
    assert address_value("12 Bridge Street London", "12 Bridge St London") > 0.8
