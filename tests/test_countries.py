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
