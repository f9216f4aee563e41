"""Derived hits: control and links to listed parties, state-owned groups, holdings."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redflags.ownership import bods, ftm_links
from redflags.ownership.edges import Edge, Node
from redflags.ownership.exposure import derived_hits
from redflags.ownership.graph import OwnershipGraph, effective_owners
from redflags.ownership.rules import Rule, load_rules


def rules_of(*ids: str) -> list[Rule]:
    return [r for r in load_rules() if r.id in ids]


def test_ofac_linked_to_unknown_link_is_a_linked_hit() -> None:
    entities = [
        {"id": "ofac-1", "schema": "Company", "properties": {"name": ["Listed Co"]}},
        {"id": "ofac-2", "schema": "Company", "properties": {"name": ["Front Co"]}},
        {
            "id": "ofac-2-link",
            "schema": "UnknownLink",
            "properties": {"subject": ["ofac-2"], "object": ["ofac-1"], "role": ["Linked To"]},
        },
    ]
    g = OwnershipGraph.from_data(ftm_links.parse_entities(entities))
    listed = {"ofac-1": ["us_ofac_sdn"]}
    rules = rules_of("controlled_or_linked")
    (hit,) = derived_hits("ofac-2", g, listed, rules)
    assert hit.verdict == "linked" and hit.listed_name == "Listed Co" and hit.derived
    assert hit.path[0].kind == "linked" and hit.path[0].record_id == "ofac-2-link"
    # links are symmetric: the listed party's side is found from the other end too
    g2 = OwnershipGraph([Edge("ofac-1", "x", "linked", source="t")])
    assert [h.listed_id for h in derived_hits("x", g2, listed, rules)] == ["ofac-1"]


def test_director_and_control_by_listed_party() -> None:
    edges = [
        Edge("p", "c", "director", role="Chairman", source="t"),
        Edge("q", "c", "control", source="t"),
        Edge("c", "r", "control", source="t"),  # c controls listed r: not "controlled by"
    ]
    listed = {"p": ["un_sc"], "q": ["gb_ofsi"], "r": ["eu_fsf"]}
    hits = derived_hits("c", OwnershipGraph(edges), listed, rules_of("controlled_or_linked"))
    assert {(h.listed_id, h.relation) for h in hits} == {("p", "director_by"), ("q", "control_by")}


def test_state_owned_by_name_pattern_sasac() -> None:
    nodes = {
        "sasac": Node("sasac", "State-owned Assets Supervision and Administration Commission"),
        "grp": Node("grp", "China Example Group"),
    }
    edges = [
        Edge("sasac", "grp", "ownership", 1.0, 1.0, "100%", "t"),
        Edge("grp", "sub", "ownership", 0.51, 0.51, "51%", "t"),
    ]
    g = OwnershipGraph(edges, nodes)
    (hit,) = derived_hits("sub", g, {}, rules_of("state_owned_group"))
    assert hit.verdict == "state_owned" and hit.listed_id == "sasac"
    assert hit.share_low == pytest.approx(0.51)
    assert [h.owner_id for h in hit.path] == ["sasac", "grp"]


def test_state_controlled_without_share(shared_data: Path) -> None:
    data = bods.parse(shared_data / "ownership" / "bods_examples" / "bods-package-fi-soe.json")
    g = OwnershipGraph.from_data(data)
    hits = derived_hits("0199c515a699", g, {}, rules_of("state_owned_group"))
    by_party = {h.listed_id: h for h in hits}
    assert by_party["7ff95ba3682c"].verdict == "state_owned"
    # the Republic controls the ministry (otherInfluenceOrControl): linked, no share
    assert by_party["05ce06ec97b1"].verdict == "state_linked"
    assert by_party["05ce06ec97b1"].share_low is None
    gasgrid = {
        h.listed_id: h.verdict
        for h in derived_hits("19f1c5afe9d7", g, {}, rules_of("state_owned_group"))
    }
    assert gasgrid == {"7ff95ba3682c": "state_owned", "05ce06ec97b1": "state_owned"}


def test_owner_of_listed_party_or_its_subsidiary_is_information() -> None:
    edges = [
        Edge("me", "L", "ownership", 0.3, 0.3, "30%", "t"),
        Edge("me", "s", "ownership", 0.2, 0.2, "20%", "t"),
        Edge("M", "s", "ownership", 0.6, 0.6, "60%", "t"),
    ]
    listed = {"L": ["us_ofac_sdn"], "M": ["us_ofac_sdn"]}
    hits = derived_hits("me", OwnershipGraph(edges), listed, rules_of("owns_listed_party"))
    assert {(h.listed_id, h.verdict, h.relation) for h in hits} == {
        ("L", "information", "owns"),
        ("M", "information", "owns"),
    }
    assert all(h.derived for h in hits)


def test_unknown_entity_has_no_hits() -> None:
    assert derived_hits("nobody", OwnershipGraph([]), {}, load_rules()) == []


def test_listed_entity_itself_gets_no_derived_ofac_hit() -> None:
    g = OwnershipGraph([Edge("X", "C", "ownership", 0.6, 0.6)])
    assert (
        derived_hits(
            "C", g, {"C": ["us_ofac_sdn"], "X": ["us_ofac_sdn"]}, rules_of("ofac_50_percent")
        )
        == []
    )


# -- effective ownership equals the textbook sum over paths on acyclic graphs -------------


@st.composite
def dags(draw: st.DrawFn) -> list[tuple[int, int, int | None]]:
    n = draw(st.integers(2, 7))
    edges = []
    for owned in range(1, n):
        owners = draw(st.sets(st.integers(0, owned - 1), max_size=3))
        for owner in owners:
            pct = draw(st.one_of(st.none(), st.integers(0, 100)))
            edges.append((owner, owned, pct))
    return edges


@settings(max_examples=60, deadline=None)
@given(dags())
def test_effective_matches_dynamic_programming_on_dags(
    edges: list[tuple[int, int, int | None]],
) -> None:
    target = max((b for _, b, _ in edges), default=1)
    g = OwnershipGraph(
        Edge(
            f"n{a}",
            f"n{b}",
            "ownership",
            None if p is None else p / 100,
            None if p is None else p / 100,
        )
        for a, b, p in edges
    )
    # reference: lower/upper effective share of every node in target, by DP over the DAG
    low: dict[int, float] = {target: 1.0}
    high: dict[int, float] = {target: 1.0}
    for node in range(target - 1, -1, -1):
        lo = hi = 0.0
        for a, b, p in edges:
            if a == node and b in low:
                lo += (0 if p is None else p / 100) * low[b]
                hi += (1 if p is None else p / 100) * high[b]
        if any(a == node and b in low for a, b, _ in edges):
            low[node], high[node] = lo, hi
    got = effective_owners(g, f"n{target}")
    for node in low:
        if node == target:
            continue
        if high[node] == 0 and f"n{node}" not in got:
            continue  # reached only through a 0 % stake: not an owner, and not walked past
        eff = got[f"n{node}"]
        assert eff.low == pytest.approx(min(1.0, low[node]))
        assert eff.high == pytest.approx(min(1.0, high[node]))
        assert 0.0 <= eff.low <= eff.high <= 1.0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(1, 100)), max_size=20))
def test_any_graph_with_cycles_terminates_with_valid_bounds(
    edges: list[tuple[int, int, int]],
) -> None:
    g = OwnershipGraph(Edge(f"n{a}", f"n{b}", "ownership", p / 100, p / 100) for a, b, p in edges)
    for ident in g.ids:
        for owner, eff in effective_owners(g, ident).items():
            assert owner != ident
            assert 0.0 <= eff.low <= eff.high <= 1.0
