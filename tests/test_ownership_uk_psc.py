"""UK PSC snapshot records: Companies House bands become bounds; withheld owners declared."""

from __future__ import annotations

from pathlib import Path

import pytest

from redflags.ownership import uk_psc
from redflags.ownership.exposure import derived_hits
from redflags.ownership.graph import OwnershipGraph, effective_owners
from redflags.ownership.rules import load_rules


@pytest.fixture(scope="module")
def folder(shared_data: Path) -> Path:
    return shared_data / "ownership" / "uk_psc"


def test_bands_are_bounds_not_midpoints(folder: Path) -> None:
    data = uk_psc.parse(folder / "psc-data-8.json")
    by_company = {(e.owned_id, e.kind): e for e in data.edges}
    band = by_company[("gb-coh-03136191", "ownership")]
    assert band.share_low is not None and band.share_low > 0.25 and band.share_high == 0.5
    top = by_company[("gb-coh-07880581", "ownership")]
    assert (top.share_low, top.share_high) == (0.75, 1.0)
    # a UK corporate PSC is linked to its own company number, so chains join up
    assert by_company[("gb-coh-04120481", "ownership")].owner_id == "gb-coh-03530981"
    assert by_company[("gb-coh-04120481", "director")].share_low is None


def test_ceased_psc_is_not_a_current_owner(folder: Path) -> None:
    g = OwnershipGraph.from_data(uk_psc.parse(folder / "psc-data-11.json"))
    assert effective_owners(g, "gb-coh-10308742") == {}
    past = OwnershipGraph.from_data(uk_psc.parse(folder / "psc-data-11.json"), as_of="2017-06-01")
    (owner,) = effective_owners(past, "gb-coh-10308742").values()
    assert owner.low == 0.75


def test_super_secure_and_statements_are_declarations(folder: Path) -> None:
    (decl,) = uk_psc.parse(folder / "psc-data-7.json").declarations
    assert decl.subject_id == "gb-coh-02443921" and "super-secure" in decl.reason
    # psc-data-1: the "no PSC" statement ceased when a PSC was notified: not declared
    assert uk_psc.parse(folder / "psc-data-1.json").declarations == []


def test_two_natures_of_one_psc_are_not_added(folder: Path) -> None:
    g = OwnershipGraph.from_data(uk_psc.parse(folder / "psc-data-6.json"))
    (owner,) = effective_owners(g, "gb-coh-OE031044").values()
    assert owner.low == pytest.approx(0.25) and owner.high == 1.0


def test_state_legal_person_psc_is_a_state_owner(folder: Path) -> None:
    g = OwnershipGraph.from_data(uk_psc.parse(folder / "psc-data-5.json"))
    rules = [r for r in load_rules() if r.id == "state_owned_group"]
    (hit,) = derived_hits("gb-coh-07102351", g, {}, rules)
    assert hit.listed_name == "State Administration Of Foreign Exchange"
    assert hit.verdict == "state_owned"
