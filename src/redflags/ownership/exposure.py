"""Derived exposure: hits a name search cannot see, found through owners and links.

Each :class:`DerivedHit` names the rule, the listed (or state) party, the effective share as
evidence and every path behind it, hop by hop with the source's own share text and date.
It is always marked ``derived``: it is an inference from ownership data for a reviewer, not
a listing.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from redflags.ownership.edges import Edge, format_share
from redflags.ownership.graph import (
    TOLERANCE,
    Effective,
    OwnershipGraph,
    Pair,
    aggregate_closure,
    ancestors,
    effective_holdings,
    effective_owners,
)
from redflags.ownership.rules import Rule

UNDIRECTED_KINDS = frozenset({"linked", "member"})


@dataclass(frozen=True)
class Hop:
    owner_id: str
    owner_name: str
    owned_id: str
    owned_name: str
    kind: str
    share_text: str
    share_low: float | None
    share_high: float | None
    source: str
    date: str | None
    record_id: str | None


@dataclass(frozen=True)
class DerivedHit:
    """One reason the screened entity is exposed, with the chain that shows it.

    ``verdict``: ``caught`` (the rule applies on the lower bounds), ``possible`` (it applies
    only if unknown or ranged shares are at their highest), ``below_threshold`` (listed
    owners exist but hold too little), ``linked``, ``state_owned``/``state_linked``, or
    ``information``. ``share_*`` is the plain effective share of ``listed_id`` (evidence);
    ``rule_share_*`` is what the rule itself counted (caught owners' direct stakes).
    """

    rule_id: str
    rule_title: str
    rule_status: str
    entity_id: str
    listed_id: str
    listed_name: str
    lists: tuple[str, ...]
    relation: str
    verdict: str
    share_low: float | None
    share_high: float | None
    share_unknown: bool
    rule_share_low: float | None
    rule_share_high: float | None
    paths: tuple[tuple[Hop, ...], ...]
    note: str = ""
    derived: bool = field(default=True)

    @property
    def path(self) -> tuple[Hop, ...]:
        return self.paths[0] if self.paths else ()

    @property
    def share_display(self) -> str:
        text = format_share(self.share_low, self.share_high)
        return text + (" (a share on the path is not stated)" if self.share_unknown else "")


def _derived(
    rule: Rule,
    graph: OwnershipGraph,
    entity_id: str,
    listed_id: str,
    *,
    lists: tuple[str, ...],
    relation: str,
    verdict: str,
    eff: Effective | None,
    paths: tuple[tuple[Hop, ...], ...],
    note: str = "",
    rule_share: tuple[float | None, float | None] = (None, None),
) -> DerivedHit:
    """A derived hit: the rule's fields, the listed party's name, and the plain effective
    share as evidence (unknown when a stake is unstated or the walk was cut short)."""
    return DerivedHit(
        rule_id=rule.id,
        rule_title=rule.title,
        rule_status=rule.status,
        entity_id=entity_id,
        listed_id=listed_id,
        listed_name=graph.name(listed_id),
        lists=lists,
        relation=relation,
        verdict=verdict,
        share_low=eff.low if eff is not None else None,
        share_high=eff.high if eff is not None else None,
        share_unknown=eff.unknown or not eff.complete if eff is not None else True,
        rule_share_low=rule_share[0],
        rule_share_high=rule_share[1],
        paths=paths,
        note=note,
    )


def derived_hits(
    entity_id: str,
    graph: OwnershipGraph,
    listed: Mapping[str, Sequence[str]],
    rules: Sequence[Rule],
) -> list[DerivedHit]:
    """Every exposure of ``entity_id`` the enabled ``rules`` find in ``graph``.

    ``listed`` maps entity ids to the lists they are on (e.g. ``{"x": ["us_ofac_sdn"]}``).
    """
    if entity_id not in graph:
        return []
    hits: list[DerivedHit] = []
    owners: dict[str, Effective] | None = None
    for rule in rules:
        if not rule.enabled:
            continue
        if rule.kind == "aggregate_ownership":
            if owners is None:
                owners = effective_owners(graph, entity_id)
            hits.extend(_aggregate(entity_id, graph, listed, rule, owners))
        elif rule.kind == "control_or_link":
            hits.extend(_control_or_link(entity_id, graph, listed, rule))
        elif rule.kind == "state_chain":
            if owners is None:
                owners = effective_owners(graph, entity_id)
            hits.extend(_state_chain(entity_id, graph, rule, owners))
        elif rule.kind == "holdings":
            hits.extend(_holdings(entity_id, graph, listed, rule))
    return hits


# -- hops --------------------------------------------------------------------------------


def _hop_from_edges(graph: OwnershipGraph, edges: Sequence[Edge], kind: str | None = None) -> Hop:
    first = edges[0]
    texts = [e.share_text or format_share(e.share_low, e.share_high) for e in edges]
    sources = sorted({e.source for e in edges if e.source})
    records = sorted({e.record_id for e in edges if e.record_id})
    dates = sorted({e.date for e in edges if e.date})
    return Hop(
        owner_id=first.owner_id,
        owner_name=graph.name(first.owner_id),
        owned_id=first.owned_id,
        owned_name=graph.name(first.owned_id),
        kind=kind or first.kind,
        share_text="; ".join(dict.fromkeys(texts)),
        share_low=first.share_low if len(edges) == 1 else None,
        share_high=first.share_high if len(edges) == 1 else None,
        source="; ".join(sources),
        date=dates[0] if dates else None,
        record_id="; ".join(records) or None,
    )


def _pair_hop(graph: OwnershipGraph, pair: Pair) -> Hop:
    hop = _hop_from_edges(graph, graph.pair_edges(pair), "ownership")
    if len(pair.edges) > 1:
        low = None if pair.unknown and pair.low == 0 else pair.low
        high = None if pair.unknown else pair.high
        hop = Hop(**{**hop.__dict__, "share_low": low, "share_high": high})
    return hop


def _paths(graph: OwnershipGraph, eff: Effective, limit: int = 20) -> tuple[tuple[Hop, ...], ...]:
    return tuple(
        tuple(_pair_hop(graph, graph.pairs[pi]) for pi in path) for path in eff.some_paths(limit)
    )


def _declared_hops(graph: OwnershipGraph, owner: str, owned: str) -> tuple[Hop, ...]:
    o, a = graph.index[owner], graph.index[owned]
    found = [di for di in graph.declared_up[a] if graph.declared.owner[di] == o]
    return tuple(_pair_hop(graph, graph.declared[di]) for di in found)


# -- rules -------------------------------------------------------------------------------


def _aggregate(
    entity_id: str,
    graph: OwnershipGraph,
    listed: Mapping[str, Sequence[str]],
    rule: Rule,
    owners: Mapping[str, Effective],
) -> list[DerivedHit]:
    if rule.covers(listed.get(entity_id, ())):
        return []  # listed itself: a direct hit, not a derived one
    up = ancestors(graph, entity_id)
    if len(up) < len(listed):
        above = (graph.ids[i] for i in up)
        seeds = {i for i in above if i in listed and rule.covers(listed[i])}
    else:
        index = graph.index
        seeds = {i for i, lists in listed.items() if index.get(i, -1) in up and rule.covers(lists)}
    if not seeds:
        return []
    closure = aggregate_closure(graph, seeds, rule.threshold, within=up)
    target = graph.index[entity_id]
    if target in closure.certain:
        verdict = "caught"
    elif target in closure.possible:
        verdict = "possible"
    else:
        verdict = "below_threshold"
    rule_low = _caught_stake(
        graph, closure.certain | dict.fromkeys(closure.seeds, 1.0), target, False
    )
    rule_high = _caught_stake(
        graph, closure.possible | dict.fromkeys(closure.seeds, 1.0), target, True
    )
    hits = []
    for seed in sorted(seeds):
        eff = owners.get(seed)
        if eff is None:
            continue
        caught_set = closure.possible if verdict != "caught" else closure.certain
        through = _through_caught(graph, eff, caught_set, closure.seeds)
        paths = _paths(graph, eff)
        if eff.declared:
            paths = (_declared_hops(graph, seed, entity_id), *paths)
        if all(link[1] is None for link in eff.links) and not eff.declared:
            note = "direct stake"
        elif through:
            note = "the rule reaches the entity through parties it catches"
        else:
            note = "ownership passes only through parties the rule does not catch"
        hits.append(
            _derived(
                rule,
                graph,
                entity_id,
                seed,
                lists=tuple(listed.get(seed, ())),
                relation="owned_by",
                verdict=verdict,
                eff=eff,
                paths=paths,
                note=note,
                rule_share=(rule_low, rule_high),
            )
        )
    hits.sort(key=lambda h: -(h.share_high or 0.0))
    return hits


def _caught_stake(
    graph: OwnershipGraph, caught: Mapping[int, float], target: int, upper: bool
) -> float:
    total = 0.0
    for pi in graph.pairs_up[target]:
        if graph.pairs.owner[pi] in caught:
            total += graph.pairs.high[pi] if upper else graph.pairs.low[pi]
    return min(1.0, total)


def _through_caught(
    graph: OwnershipGraph, eff: Effective, caught: Mapping[int, float], seeds: set[int]
) -> bool:
    for path in eff.paths:
        inner = [graph.pairs.owned[pi] for pi in path[:-1]]
        if all(n in caught or n in seeds for n in inner):
            return True
    return eff.declared


def _control_or_link(
    entity_id: str, graph: OwnershipGraph, listed: Mapping[str, Sequence[str]], rule: Rule
) -> list[DerivedHit]:
    kinds = set(rule.edge_kinds)
    start = entity_id
    seen = {start}
    # paths are kept as edges and turned into hops only for the listed parties found: a
    # heavily linked entity walks ~100 nodes a query and formatting each hop cost ~2 ms
    queue: deque[tuple[str, tuple[Edge, ...]]] = deque([(start, ())])
    found: dict[str, list[tuple[Edge, ...]]] = {}
    relation: dict[str, str] = {}
    while queue:
        node, path = queue.popleft()
        if len(path) >= rule.max_hops:
            continue
        steps: list[tuple[str, Edge, str]] = []
        for e in graph.edges_up(node, kinds):
            steps.append(
                (e.owner_id, e, "linked" if e.kind in UNDIRECTED_KINDS else f"{e.kind}_by")
            )
        for e in graph.edges_down(node, kinds):
            if e.kind in UNDIRECTED_KINDS:
                steps.append((e.owned_id, e, "linked"))
        for other, edge, rel in steps:
            if other in seen:
                continue
            edge_path = (*path, edge)
            lists = listed.get(other, ())
            if lists and rule.covers(lists):
                found.setdefault(other, []).append(edge_path)
                relation.setdefault(other, rel if not path else "linked_via_chain")
            seen.add(other)
            queue.append((other, edge_path))
    return [
        _derived(
            rule,
            graph,
            entity_id,
            party,
            lists=tuple(listed.get(party, ())),
            relation=relation[party],
            verdict="linked",
            eff=None,
            paths=tuple(tuple(_hop_from_edges(graph, [e]) for e in p) for p in paths),
        )
        for party, paths in sorted(found.items())
    ]


@lru_cache(maxsize=64)
def _compiled(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def is_state_body(graph: OwnershipGraph, ident: str, rule: Rule) -> bool:
    node = graph.nodes.get(ident)
    if node is None:
        return False
    if node.state or (node.schema is not None and node.schema in rule.schemas):
        return True
    pattern = _compiled(rule.name_patterns)
    return bool(pattern and node.name and pattern.search(node.name))


def state_bodies(graph: OwnershipGraph, rule: Rule) -> frozenset[str]:
    """The graph's state bodies for ``rule``, found once per graph (a regex per party is too
    slow to repeat for every screening)."""
    cache: dict[str, frozenset[str]] = graph.__dict__.setdefault("_state_bodies", {})
    found = cache.get(rule.id)
    if found is None:
        found = cache[rule.id] = frozenset(
            ident for ident in graph.nodes if ident in graph and is_state_body(graph, ident, rule)
        )
    return found


def _state_chain(
    entity_id: str, graph: OwnershipGraph, rule: Rule, owners: Mapping[str, Effective]
) -> list[DerivedHit]:
    if not state_bodies(graph, rule) or is_state_body(graph, entity_id, rule):
        return []
    hits: list[DerivedHit] = []
    covered: set[str] = set()
    for party, eff in owners.items():
        if not is_state_body(graph, party, rule):
            continue
        covered.add(party)
        if eff.low >= rule.threshold - TOLERANCE:
            verdict = "state_owned"
        elif eff.high >= rule.threshold - TOLERANCE:
            verdict = "possible"
        else:
            verdict = "state_minority"
        paths = _paths(graph, eff)
        if eff.declared:
            paths = (_declared_hops(graph, party, entity_id), *paths)
        hits.append(_state_hit(entity_id, graph, rule, party, verdict, eff, paths))
    # Control without stated ownership (e.g. a ministry's influence over a holding): walk up
    # ownership and control edges and report state bodies not already found by ownership.
    for party, path in _controllers(
        graph, entity_id, rule.max_hops, lambda ident: is_state_body(graph, ident, rule)
    ):
        if party in covered:
            continue
        covered.add(party)
        hits.append(_state_hit(entity_id, graph, rule, party, "state_linked", None, (path,)))
    return hits


def _state_hit(
    entity_id: str,
    graph: OwnershipGraph,
    rule: Rule,
    party: str,
    verdict: str,
    eff: Effective | None,
    paths: tuple[tuple[Hop, ...], ...],
) -> DerivedHit:
    return _derived(
        rule,
        graph,
        entity_id,
        party,
        lists=(),
        relation="state_owned_by" if eff is not None else "state_controlled_by",
        verdict=verdict,
        eff=eff,
        paths=paths,
    )


def _controllers(
    graph: OwnershipGraph, entity_id: str, max_hops: int, wanted: Callable[[str], bool]
) -> list[tuple[str, tuple[Hop, ...]]]:
    """Wanted parties above ``entity_id`` via ownership or control edges, shortest path each.

    The walk keeps one back-pointer per party and builds hops only for the parties wanted:
    building them for every ancestor dominated the cost of a screening.
    """
    back: dict[str, Edge | None] = {entity_id: None}
    depth = {entity_id: 0}
    queue: deque[str] = deque([entity_id])
    out: list[tuple[str, tuple[Hop, ...]]] = []
    while queue:
        node = queue.popleft()
        if depth[node] >= max_hops:
            continue
        for e in graph.edges_up(node, ("ownership", "control")):
            if e.owner_id in back:
                continue
            back[e.owner_id] = e
            depth[e.owner_id] = depth[node] + 1
            queue.append(e.owner_id)
            if wanted(e.owner_id):
                hops: list[Hop] = []
                cur: Edge | None = e
                while cur is not None:
                    hops.append(_hop_from_edges(graph, [cur]))
                    cur = back[cur.owned_id]
                out.append((e.owner_id, tuple(hops)))
    return out


def _holdings(
    entity_id: str, graph: OwnershipGraph, listed: Mapping[str, Sequence[str]], rule: Rule
) -> list[DerivedHit]:
    if not _listed_below(entity_id, graph, listed, rule):
        return []  # a cheap walk first: most parties hold nothing listed
    hits = []
    for party, eff in effective_holdings(graph, entity_id).items():
        lists = tuple(listed.get(party, ()))
        if lists and rule.covers(lists):
            note = "owns a listed party"
            listed_id = party
        else:
            parent = _listed_parent(graph, party, listed, rule)
            if parent is None:
                continue
            note = f"owns a subsidiary ({graph.name(party)}) of a listed party"
            listed_id = parent
            lists = tuple(listed.get(parent, ()))
        hits.append(
            _derived(
                rule,
                graph,
                entity_id,
                listed_id,
                lists=lists,
                relation="owns",
                verdict="information",
                eff=eff,
                paths=_paths(graph, eff),
                note=note,
            )
        )
    return hits


def _listed_parent(
    graph: OwnershipGraph, party: str, listed: Mapping[str, Sequence[str]], rule: Rule
) -> str | None:
    pairs = graph.pairs
    for pi in graph.pairs_up[graph.index[party]]:
        owner = graph.ids[pairs.owner[pi]]
        lists = listed.get(owner, ())
        if lists and rule.covers(lists) and pairs.low[pi] >= rule.threshold - TOLERANCE:
            return owner
    return None


def _listed_below(
    entity_id: str, graph: OwnershipGraph, listed: Mapping[str, Sequence[str]], rule: Rule
) -> bool:
    """Whether any party below ``entity_id`` is listed or a majority subsidiary of a listed one."""
    start = graph.index[entity_id]
    seen = {start}
    stack = [start]
    pairs = graph.pairs
    while stack:
        node = stack.pop()
        for pi in graph.pairs_down[node]:
            nxt = pairs.owned[pi]
            if nxt in seen:
                continue
            seen.add(nxt)
            ident = graph.ids[nxt]
            lists = listed.get(ident)
            if lists and rule.covers(lists):
                return True
            if _listed_parent(graph, ident, listed, rule) is not None:
                return True
            stack.append(nxt)
    return False
