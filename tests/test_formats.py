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


def test_a_users_csv_list_needs_no_format(shared_data: Path, tmp_path: Path) -> None:
    # a header with a name column: a user's own list (import needed --format custom)
    assert guess_format(shared_data / "other/cn_mfa_countersanctions.csv") == "custom"
    assert guess_format(shared_data / "human_rights/ohchr_settlement_business_database.csv") \
        == "custom"
    supplier = tmp_path / "suppliers.csv"
    supplier.write_text("Supplier,Land\nAcme Arms,RU\n", encoding="utf-8")
    assert guess_format(supplier) == "custom"
    mine = tmp_path / "blocklist.csv"
    mine.write_text("Company Name;Country\nAcme Arms;RU\n", encoding="utf-8")
    assert guess_format(mine) == "custom"
    # the CSL under another file name is the CSL, not a custom list with a "name" column
    renamed = tmp_path / "screening_list.csv"
    renamed.write_bytes((shared_data / "csl/consolidated_screening_list_sample_2025.csv")
                        .read_bytes())
    assert guess_format(renamed) == "csl-csv"
    # OFAC's headerless CSV under another name stays unknown (--format ofac-csv)
    other = tmp_path / "sdn-2024.csv"
    other.write_bytes((shared_data / "ofac/sdn_2024-05-03/sdn.csv").read_bytes())
    assert guess_format(other) is None
    noname = tmp_path / "numbers.csv"
    noname.write_text("a,b\n1,2\n", encoding="utf-8")
    assert guess_format(noname) is None
