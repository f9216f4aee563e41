"""Country names and codes as users' files and the lists write them."""

from __future__ import annotations

import pytest

from redflags.countries import country_code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("China", "cn"), ("CN", "cn"), ("CHN", "cn"), ("中国", "cn"), ("Россия", "ru"),
        ("Korea, North", "kp"), ("Turkey (Turkiye)", "tr"), ("Deutschland", "de"),
        # a column in its author's language (CLDR names, text/data/country_names.json)
        ("Nordkorea", "kp"), ("Royaume-Uni", "gb"), ("Estados Unidos", "us"),
        ("Türkei", "tr"), ("Niederlande", "nl"), ("Émirats arabes unis", "ae"),
        # and the official long forms
        ("Volksrepublik China", "cn"), ("Russische Föderation", "ru"),
        ("République populaire de Chine", "cn"), ("Weißrussland", "by"),
    ],
)
def test_country_names_in_many_languages(value: str, code: str) -> None:
    assert country_code(value) == code


def test_what_is_no_country_stays_none() -> None:
    for value in ("", "  ", "n/a", "Acme Trading", "Springfield"):
        assert country_code(value) is None, value


@pytest.mark.parametrize(("value", "code"), [
    # OFSI's bracketed qualifiers: "Congo (Democratic Republic)" is not Congo (cg)
    ("Congo (Democratic Republic)", "cd"), ("Congo (Republic)", "cg"), ("Congo", "cg"),
    ("Korea (North)", "kp"), ("Korea (South)", "kr"), ("Virgin Islands (British)", "vg"),
    # a bracket that only glosses the name
    ("Turkey (Turkiye)", "tr"), ("Iran (Islamic Republic of)", "ir"),
])
def test_a_bracket_qualifies_a_country_name(value: str, code: str) -> None:
    assert country_code(value) == code


@pytest.mark.parametrize(("value", "code"), [
    # ERP exports join and abbreviate a country's name
    ("Trinidad/Tobago", "tt"), ("Trinidad,Tobago", "tt"), ("Bosnia/Herzegovina", "ba"),
    ("St Kitts&Nevis", "kn"), ("St. Kitts & Nevis", "kn"), ("Sao Tome & Principe", "st"),
    ("Dominican Rep.", "do"), ("Cayman Is.", "ky"), ("Virgin Is. (British)", "vg"),
    ("Micronesia, Fed. States of", "fm"),
])
def test_joined_and_abbreviated_country_names(value: str, code: str) -> None:
    assert country_code(value) == code


def test_two_countries_are_not_one() -> None:
    # a cell of two countries stays for the caller to split
    for value in ("USA/Canada", "China, Russia", "Germany & France"):
        assert country_code(value) is None, value
