"""BODS 0.4 fixtures and Open Ownership examples give the shares their documentation states."""

from __future__ import annotations

from pathlib import Path

import pytest

from redflags.errors import SourceError
from redflags.ownership import bods
from redflags.ownership.graph import OwnershipGraph, effective_owners


def graph_of(shared_data: Path, name: str, as_of: str | None = None) -> OwnershipGraph:
    folder = "bods_v04_fixtures" if "__" in name else "bods_examples"
    data = bods.parse(shared_data / "ownership" / folder / name)
    return OwnershipGraph.from_data(data, as_of=as_of)


def test_direct_ownership_fixture(shared_data: Path) -> None:
    g = graph_of(shared_data, "core__01-direct-ownership.json")
    owners = effective_owners(g, "rec-acme-holdings-ltd")
    assert set(owners) == {"rec-jane-smith-1975"}
    jane = owners["rec-jane-smith-1975"]
    assert jane.low == jane.high == pytest.approx(0.75)
    assert [len(p) for p in jane.paths] == [1]  # a single hop
    # both interests kept: shareholding (ownership) and votingRights (control)
    kinds = sorted(e.kind for e in g.edges_up("rec-acme-holdings-ltd"))
    assert kinds == ["control", "ownership"]
    assert g.name("rec-jane-smith-1975") == "Jane Smith"


def test_circular_ownership_terminates_and_does_not_inflate(shared_data: Path) -> None:
    g = graph_of(shared_data, "edge-cases__10-circular-ownership.json")
    assert len(g.edges) == 2  # neither side of the cycle dropped
    for me, other in (("rec-alpha-corp", "rec-beta-corp"), ("rec-beta-corp", "rec-alpha-corp")):
        owners = effective_owners(g, me)
        assert me not in owners  # never its own owner
        assert owners[other].low == owners[other].high == pytest.approx(1.0)  # not 200%
        assert all(g.nodes[o].schema != "Person" for o in owners)


def test_declared_unknown_owner_is_kept_as_a_declaration(shared_data: Path) -> None:
    g = graph_of(shared_data, "edge-cases__11-anonymous-person.json")
    assert g.edges == []
    assert all(n.schema != "Person" for n in g.nodes.values())  # no placeholder person
    (decl,) = g.declarations["rec-opaque-holdings-sa"]
    assert decl.reason == "subjectUnableToConfirmOrIdentifyBeneficialOwner"
    assert decl.description and "unable to identify" in decl.description
    assert effective_owners(g, "rec-opaque-holdings-sa") == {}


def test_listed_company_exemption_is_a_declaration(shared_data: Path) -> None:
    g = graph_of(shared_data, "listed-company-exempt-from-disclosure.json")
    (decl,) = g.declarations["4c7ea3bfbe6c"]
    assert decl.reason == "subjectExemptFromDisclosure"


def test_indirect_example_uses_the_declared_30_percent(shared_data: Path) -> None:
    # Person 1 owns Company A indirectly (30%) through Company B, which owns 60% of A; the
    # interest of Person 1 in B is not stated, so only the declared figure is exact.
    g = graph_of(shared_data, "indirect-ownership.json")
    person = effective_owners(g, "ad3f6c2fcc9e")["c25d4d612c2c"]
    assert person.declared
    assert person.low == person.high == pytest.approx(0.30)
    b = effective_owners(g, "d4ab89ea169a")["c25d4d612c2c"]
    assert b.unknown and b.low == 0.0 and b.high == 1.0  # unknown: bounds, not a guess


def test_mixed_direct_and_indirect_adds_up_to_100(shared_data: Path) -> None:
    g = graph_of(shared_data, "mixed-direct-and-indirect-ownership.json")
    person = effective_owners(g, "9bfe59b6a869")["53508b65253f"]
    assert person.low == person.high == pytest.approx(1.0)  # 50% direct + 50% via Company B


def test_multiple_indirect_is_60(shared_data: Path) -> None:
    g = graph_of(shared_data, "multiple-indirect-ownership.json")
    person = effective_owners(g, "63e3a8a8946f")["92ebf964a1f6"]
    assert person.low == person.high == pytest.approx(0.60)
    assert len(person.paths) == 2  # via Company C and via Company D, kept as evidence


def test_joint_ownership_splits_through_the_arrangement(shared_data: Path) -> None:
    g = graph_of(shared_data, "joint-ownership.json")
    owners = effective_owners(g, "31c55e425764")
    assert owners["1accb8b18b99"].low == pytest.approx(0.5)
    assert owners["f040df24d9ec"].high == pytest.approx(0.5)
    assert owners["91b4236a7d89"].low == pytest.approx(1.0)


def test_ranges_give_bounds(shared_data: Path) -> None:
    g = graph_of(shared_data, "simple-pep-declaration.json")
    pep = effective_owners(g, "841083ba86e3")["c9ceb68d7241"]
    assert pep.low == pytest.approx(0.25)
    assert pep.high < 0.5 and pep.high == pytest.approx(0.5)
    g = graph_of(shared_data, "bods-package-entity-owning-entity.json")
    mvj = effective_owners(g, "12b7dd0770ce")["e83cce729ada"]
    assert mvj.low == pytest.approx(0.75) and mvj.high < 1.0


def test_state_owned_fi_soe_chain(shared_data: Path) -> None:
    g = graph_of(shared_data, "bods-package-fi-soe.json")
    owners = effective_owners(g, "19f1c5afe9d7")
    ministry = owners["7ff95ba3682c"]
    # 100% x 76.5% through Suomen Kaasuverkko + 23.5% direct
    assert ministry.low == ministry.high == pytest.approx(1.0)
    assert len(ministry.paths) == 2
    assert owners["0199c515a699"].low == pytest.approx(0.765)
    state = owners["05ce06ec97b1"]
    assert state.declared and state.low == pytest.approx(1.0)
    assert g.nodes["7ff95ba3682c"].state and g.nodes["05ce06ec97b1"].state


def test_history_latest_statement_wins_and_closed_records_end(shared_data: Path) -> None:
    g = graph_of(shared_data, "tecido.json")
    owners = effective_owners(g, "01B68D7633")
    assert set(owners) == {"033E84672B"}  # Maria Esteves' interest was closed in 2023
    assert owners["033E84672B"].low == pytest.approx(0.8)
    past = graph_of(shared_data, "tecido.json", as_of="2022-10-01")
    assert effective_owners(past, "01B68D7633")["018AF6B3EB"].low == pytest.approx(0.3)
    g = graph_of(shared_data, "fermcat.json")
    assert {o: e.low for o, e in effective_owners(g, "ent-93c75c87ab28f889").items()} == {
        "per-41c0bb0cef246f7c": pytest.approx(1.0)
    }


def test_all_examples_parse(shared_data: Path) -> None:
    folder = shared_data / "ownership"
    files = [
        *bods.iter_files(folder / "bods_examples"),
        *bods.iter_files(folder / "bods_v04_fixtures"),
    ]
    assert len(files) >= 13
    for path in files:
        data = bods.parse(path)
        assert data.edges or data.declarations


def test_bad_bods_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[{"recordType": "relationship"}]\n{oops', encoding="utf-8")
    with pytest.raises(SourceError) as err:
        bods.parse(bad)
    assert "bad.json" in str(err.value) and "line 2" in str(err.value)
