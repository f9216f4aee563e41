"""Format detection by content where official file names collide."""

from __future__ import annotations

from pathlib import Path

import pytest

from redflags.errors import RedflagsError
from redflags.sources import get_parser, guess_format

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize(
    ("rel", "fmt"),
    [
        ("un/un_consolidated_2026-02.xml", "un-xml"),
        ("ofac/cons_2018-05/consolidated.xml", "ofac-xml"),
        ("ownership/gleif/rr_cdf_level2_relationships_sample.xml", "gleif"),
        ("uk/ofsi_conlist_2025-04-14.xlsx", "uk-ofsi"),
        ("ofac/sdn_2024-05-03/sdn.csv", "ofac-csv"),
        ("bis/denied_persons_list_2023-11.txt", "bis-dpl"),
    ],
)
def test_guess_format(shared_data: Path, rel: str, fmt: str) -> None:
    assert guess_format(shared_data / rel) == fmt


def test_guess_eu_fixture() -> None:
    assert guess_format(FIXTURES / "eu_fsf_sample.xml") == "eu-xml"


def test_unknown_format_is_a_clear_error() -> None:
    with pytest.raises(RedflagsError, match="known formats"):
        get_parser("nope")
