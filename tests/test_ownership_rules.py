"""OFAC 50% rule on the FAQ 398-401 examples; rules as data, switchable per run."""

from __future__ import annotations

from pathlib import Path

import pytest

from redflags.errors import RedflagsError
from redflags.ownership.edges import Edge
from redflags.ownership.exposure import DerivedHit, derived_hits
from redflags.ownership.graph import OwnershipGraph, aggregate_closure
from redflags.ownership.rules import Rule, load_rules, select_rules

SDN = ["us_ofac_sdn"]


def own(owner: str, owned: str, pct: float | None, kind: str = "ownership") -> Edge:
    share = None if pct is None else pct / 100
    return Edge(owner, owned, kind, share, share, None if pct is None else f"{pct}%", "test")


@pytest.fixture(scope="module")
def ofac() -> list[Rule]:
    return [r for r in load_rules() if r.id == "ofac_50_percent"]


def ofac_hits(
    edges: list[Edge], target: str, listed: dict[str, list[str]], rules: list[Rule]
) -> list[DerivedHit]:
    return derived_hits(target, OwnershipGraph(edges), listed, rules)


def verdicts(hits: list[DerivedHit]) -> set[str]:
    return {h.verdict for h in hits}


def test_two_blocked_persons_25_each_block_by_aggregation(ofac: list[Rule]) -> None:
    # FAQ 399: ownership of different blocked persons is aggregated.
    hits = ofac_hits([own("X", "C", 25), own("Y", "C", 25)], "C", {"X": SDN, "Y": SDN}, ofac)
    assert verdicts(hits) == {"caught"}
    assert {h.listed_id for h in hits} == {"X", "Y"}
    assert all(h.rule_share_low == pytest.approx(0.5) and h.derived for h in hits)


def test_faq401_example1_blocking_propagates_not_the_product(ofac: list[Rule]) -> None:
    # X owns 50% of A, A owns 50% of B: A is blocked, so B is blocked. The product (25%) is
    # shown as evidence, it is not what the rule tests.
    hits = ofac_hits([own("X", "A", 50), own("A", "B", 50)], "B", {"X": SDN}, ofac)
    (hit,) = hits
    assert hit.verdict == "caught"
    assert hit.share_low == pytest.approx(0.25)
    assert hit.rule_share_low == pytest.approx(0.5)
    assert [(h.owner_id, h.owned_id) for h in hit.path] == [("X", "A"), ("A", "B")]
    assert hit.path[0].share_text == "50%" and hit.path[0].source == "test"


def test_faq401_example2_two_blocked_subsidiaries(ofac: list[Rule]) -> None:
    edges = [own("X", "A", 50), own("X", "B", 50), own("A", "C", 25), own("B", "C", 25)]
    (hit,) = ofac_hits(edges, "C", {"X": SDN}, ofac)
    assert hit.verdict == "caught" and len(hit.paths) == 2


def test_faq401_example3_direct_plus_indirect(ofac: list[Rule]) -> None:
    edges = [own("X", "A", 50), own("X", "B", 10), own("A", "B", 40)]
    (hit,) = ofac_hits(edges, "B", {"X": SDN}, ofac)
    assert hit.verdict == "caught"
    assert hit.rule_share_low == pytest.approx(0.5)


def test_below_50_in_aggregate_is_not_blocked(ofac: list[Rule]) -> None:
    hits = ofac_hits([own("X", "C", 25), own("Y", "C", 24.99)], "C", {"X": SDN, "Y": SDN}, ofac)
    assert verdicts(hits) == {"below_threshold"}


def test_not_through_an_entity_that_is_not_blocked(ofac: list[Rule]) -> None:
    # X owns 40% of A (A not blocked); A owns 100% of C: C is not blocked by the rule.
    (hit,) = ofac_hits([own("X", "A", 40), own("A", "C", 100)], "C", {"X": SDN}, ofac)
    assert hit.verdict == "below_threshold"
    assert hit.share_low == pytest.approx(0.4)
    assert "not catch" in hit.note


def test_control_alone_does_not_block(ofac: list[Rule]) -> None:
    # FAQ 398: the 50% rule speaks to ownership, not control.
    edges = [own("X", "C", None, kind="control"), own("X", "C", None, kind="director")]
    assert ofac_hits(edges, "C", {"X": SDN}, ofac) == []


def test_unknown_share_makes_it_possible_never_caught(ofac: list[Rule]) -> None:
    hits = ofac_hits([own("X", "C", None), own("Y", "C", 20)], "C", {"X": SDN, "Y": SDN}, ofac)
    assert verdicts(hits) == {"possible"}
    x = next(h for h in hits if h.listed_id == "X")
    assert x.share_unknown and x.share_low == 0.0


def test_other_lists_do_not_count_for_ofac(ofac: list[Rule]) -> None:
    hits = ofac_hits([own("X", "C", 60)], "C", {"X": ["un_sc"]}, ofac)
    assert hits == []


def test_cycle_with_listed_owner_terminates(ofac: list[Rule]) -> None:
    edges = [own("X", "A", 60), own("A", "B", 100), own("B", "A", 40)]
    (hit,) = ofac_hits(edges, "B", {"X": SDN}, ofac)
    assert hit.verdict == "caught"
    assert hit.share_high is not None and hit.share_high <= 1.0


def test_cycle_without_listed_owner_is_not_caught() -> None:
    g = OwnershipGraph([own("A", "B", 100), own("B", "A", 100)])
    closure = aggregate_closure(g, [], 0.5)
    assert closure.certain == {} and closure.possible == {}


def test_bis_rule_counts_entity_list_parties() -> None:
    rules = [r for r in load_rules() if r.id == "bis_affiliates_50_percent"]
    assert "to verify" in rules[0].status and rules[0].status_checked
    edges = [own("E", "S", 30), own("M", "S", 20)]
    listed = {"E": ["us_bis_entity_list"], "M": ["us_bis_meu"]}
    assert verdicts(derived_hits("S", OwnershipGraph(edges), listed, rules)) == {"caught"}
    assert derived_hits("S", OwnershipGraph(edges), {"E": SDN}, rules) == []


def test_rules_carry_legal_basis_url_and_status() -> None:
    rules = load_rules()
    ids = {r.id for r in rules}
    assert {
        "ofac_50_percent",
        "bis_affiliates_50_percent",
        "controlled_or_linked",
        "state_owned_group",
    } <= ids
    for r in rules:
        assert r.legal_basis and r.url.startswith("https://") and r.status and r.status_checked


def test_rules_switch_per_run() -> None:
    rules = load_rules()
    chosen = select_rules(rules, disable=["bis_affiliates_50_percent"])
    assert "bis_affiliates_50_percent" not in {r.id for r in chosen}
    with pytest.raises(RedflagsError):
        select_rules(rules, enable=["no_such_rule"])
    hits = derived_hits(
        "C",
        OwnershipGraph([own("X", "C", 60)]),
        {"X": SDN},
        select_rules(rules, disable=["ofac_50_percent"]),
    )
    assert all(h.rule_id != "ofac_50_percent" for h in hits)


def test_rules_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text("rules:\n  - id: x\n    kind: nonsense\n", encoding="utf-8")
    with pytest.raises(RedflagsError):
        load_rules(bad)
    bad.write_text("rules:\n  - id: x\n    kind: holdings\n    threshold: 2\n", encoding="utf-8")
    with pytest.raises(RedflagsError):
        load_rules(bad)
