"""Derived hits: exposure through owners, controllers and links, joined to name matching.

A name search only finds listed parties. This layer also finds the parties they own or
control: the ownership graph (``redflags.ownership``) is built from every link in the lists
(OFAC "Linked To:", FtM Ownership...) and from ownership sources in the store (BODS, GLEIF,
UK PSC, a user's CSV). Ownership parties are matched to listed entities once, when the index
is built; a screened name that matches an ownership party is then checked against the rules
and reported as *derived*, with the path as evidence, separate from direct list hits.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from redflags.matching.index import Index
from redflags.matching.screener import Screener
from redflags.matching.types import ScreeningHit
from redflags.model import FtMEntity, caption, mentioned
from redflags.ownership.edges import Edge, Node
from redflags.ownership.exposure import DerivedHit, derived_hits
from redflags.ownership.ftm_links import entity_edges, entity_node
from redflags.ownership.graph import OwnershipGraph
from redflags.ownership.rules import Rule, load_rules

# An ownership party is taken to be a listed entity only on a near-certain match; the
# entries found within RESOLVE_TIE of the best are the same party on other lists.
RESOLVE_THRESHOLD = 0.9
RESOLVE_TIE = 0.02
RESOLVE_LIMIT = 10
# Verdicts that make a derived hit (the others are shown by `redflags graph`, not as hits).
MATCHING = frozenset({"caught", "possible", "linked"})
CAUGHT = frozenset({"caught"})
FILE = "ownership.json"
NODES = "nodes"


@dataclass
class LinkCollector:
    """Watches entities stream into the index build and keeps what the graph needs. A
    party a list names without listing it ("Linked To: X", ``mentioned``) is a node of the
    graph but not listed: a hit on it is no direct hit, only the start of derived ones
    (``Engine.screen``)."""

    edges: list[Edge] = field(default_factory=list)
    nodes: dict[str, Node] = field(default_factory=dict)
    listed: dict[str, list[str]] = field(default_factory=dict)
    mentioned: list[FtMEntity] = field(default_factory=list)

    def watch(self, entities: Iterable[FtMEntity]) -> Iterator[FtMEntity]:
        for entity in entities:
            edges = entity_edges(entity)
            if edges:
                self.edges.extend(edges)
            else:
                node = entity_node(entity)
                if node is not None:
                    self.nodes[node.id] = node
                    lst = (entity.get("provenance") or {}).get("list")
                    if mentioned(entity):
                        self.mentioned.append(entity)
                    elif lst:
                        self.listed.setdefault(node.id, []).append(str(lst))
            yield entity


def _list_of(entity: Mapping[str, Any]) -> str:
    prov = entity.get("provenance")
    return str(prov.get("list", "")) if isinstance(prov, Mapping) else ""


def _clashing_ids(entities: list[FtMEntity]) -> dict[str, dict[str, str]]:
    """Per ownership list, its party ids that another list uses for a party of another name,
    each scoped by its list ("alpha" -> "my_owners_food/alpha"). A user's two files that both
    keyed a row "alpha" (Alpha Holding, owned by Rosoboronexport; Alpha Foods, a bakery's
    owner) were one party, and the bakery was reported blocked under the 50 % rule. Ids
    that name the same party alike stay shared: that is how two files chain."""
    names: dict[str, dict[str, str]] = {}  # id -> list -> folded name
    for entity in entities:
        if entity_edges(entity):
            continue
        node = entity_node(entity)
        if node is not None:
            label = " ".join((node.name or node.id).casefold().split())
            names.setdefault(node.id, {}).setdefault(_list_of(entity), label)
    out: dict[str, dict[str, str]] = {}
    for ident, by_list in names.items():
        groups: dict[str, list[str]] = {}
        for lst, label in sorted(by_list.items()):
            groups.setdefault(label, []).append(lst)
        if len(groups) < 2:
            continue
        # the name most lists give keeps the id; each other name's lists share a scoped one
        ranked = sorted(groups.values(), key=lambda lists: (-len(lists), lists[0]))
        for lists in ranked[1:]:
            for lst in lists:
                out.setdefault(lst, {})[ident] = f"{lists[0]}/{ident}"
    return out


def _lists_of(entity: Mapping[str, Any]) -> list[str]:
    lst = (entity.get("provenance") or {}).get("list")
    return [str(lst)] if lst else [str(d) for d in entity.get("datasets", [])]


@dataclass
class OwnershipLayer:
    edges: list[Edge]
    nodes: dict[str, Node]
    listed: dict[str, list[str]]
    resolved: dict[str, str]
    node_index: Index | None
    rules: list[Rule] = field(default_factory=load_rules)
    # a resolved party's entries on every list, best first (``resolved`` holds the first):
    # a derived hit shows the entry on a list its rule reads
    entries: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.graph = OwnershipGraph(self.edges, nodes=self.nodes)

    # -- building ---------------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        collector: LinkCollector,
        ownership_entities: list[FtMEntity],
        main_index: Index,
        siblings: Mapping[str, list[str]] | None = None,
    ) -> OwnershipLayer | None:
        """``siblings``: the entries of one party on other lists (``screening.siblings``),
        whose lists a party resolved to one of them is on too."""
        edges = list(collector.edges)
        parties: list[FtMEntity] = []
        nodes: dict[str, Node] = {}
        renamed = _clashing_ids(ownership_entities)
        for entity in ownership_entities:
            found = entity_edges(entity)
            if found:
                scope = renamed.get(_list_of(entity))
                if scope:
                    found = [replace(e, owner_id=scope.get(e.owner_id, e.owner_id),
                                     owned_id=scope.get(e.owned_id, e.owned_id)) for e in found]
                edges.extend(found)
                continue
            node = entity_node(entity)
            if node is not None:
                new_id = renamed.get(_list_of(entity), {}).get(node.id)
                if new_id is not None:
                    node = replace(node, id=new_id)
                    entity = cast(FtMEntity, {**entity, "id": new_id})
                nodes[node.id] = node
                parties.append(entity)
        if not edges:
            return None
        ends = {e.owner_id for e in edges} | {e.owned_id for e in edges}
        for ident in ends:
            if ident not in nodes and ident in collector.nodes:
                nodes[ident] = collector.nodes[ident]
        listed = {k: v for k, v in collector.listed.items() if k in ends}
        resolved: dict[str, str] = {}
        entries: dict[str, list[str]] = {}
        node_index = None
        # an ownership party, or a party a list only names, may be a listed party under its
        # name (Rosneft, named by Rosneft Trading's SDN record, is on the sectoral list)
        named = [e for e in collector.mentioned if e["id"] in ends]
        if parties or named:
            screener = Screener(main_index)
            for entity in [*parties, *named]:
                hits = screener.screen(entity, threshold=RESOLVE_THRESHOLD,
                                       limit=RESOLVE_LIMIT, cutoff=RESOLVE_THRESHOLD)
                if not hits or not hits[0].match:
                    continue
                resolved[entity["id"]] = hits[0].entity["id"]
                # every list the party is on: each entry found as surely as the first (one
                # party, named alike on several lists), their siblings, and the node's own
                # listing. Sberbank resolved to its UK entry alone, and OFAC's 50 % rule,
                # which reads the SDN list, never fired for what it owns.
                group: list[Mapping[str, Any]] = [
                    h.entity for h in hits if h.match and h.score >= hits[0].score - RESOLVE_TIE]
                group += [e for h in list(group) for i in (siblings or {}).get(h["id"], [])
                          if (e := main_index.get(i)) is not None]
                lists = dict.fromkeys(listed.get(entity["id"], []))
                for member in group:
                    lists.update(dict.fromkeys(_lists_of(member)))
                listed[entity["id"]] = list(lists)
                entries[entity["id"]] = list(dict.fromkeys(str(m["id"]) for m in group))
        if parties:
            node_index = Index.build(parties)
        return cls(edges, nodes, listed, resolved, node_index, entries=entries)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        body = {
            "edges": [asdict(e) for e in self.edges],
            "nodes": [asdict(n) for n in self.nodes.values()],
            "listed": self.listed,
            "resolved": self.resolved,
            "entries": self.entries,
        }
        (directory / FILE).write_text(json.dumps(body), encoding="utf-8")
        if self.node_index is not None:
            self.node_index.save(directory / NODES)

    @classmethod
    def load(cls, directory: Path) -> OwnershipLayer | None:
        path = directory / FILE
        if not path.exists():
            return None
        body = json.loads(path.read_text(encoding="utf-8"))
        edges = [Edge(**e) for e in body["edges"]]
        nodes = {n["id"]: Node(**n) for n in body["nodes"]}
        node_index = Index.load(directory / NODES) if (directory / NODES).exists() else None
        return cls(edges, nodes, body["listed"], body["resolved"], node_index,
                   entries=body.get("entries", {}))

    # -- screening --------------------------------------------------------------------------
    def derived(
        self,
        query: Mapping[str, Any],
        direct: list[ScreeningHit],
        main_index: Index,
        node_screener: Screener | None,
        *,
        threshold: float,
        datasets: set[str] | None = None,
        rules: list[Rule] | None = None,
        named: Iterable[ScreeningHit] = (),
    ) -> list[ScreeningHit]:
        """Derived hits for one query, given its direct hits and its hits on parties a
        list only names (``named``: an ownership party of the lists' own)."""
        # (subject id, the hit that found it, verdicts that make a derived hit a match).
        # A party already listed gains only what the ownership rules add (caught); its links
        # to other listed parties are shown for review, not counted as more hits.
        subjects: list[tuple[str, ScreeningHit, frozenset[str]]] = [
            (h.entity["id"], h, CAUGHT)
            for h in direct
            if h.match and not h.derived and h.entity["id"] in self.graph
        ]
        # ... and so does one a list only names but another lists (``resolved``)
        subjects += [(h.entity["id"], h, CAUGHT if h.entity["id"] in self.resolved else MATCHING)
                     for h in named if h.match and h.entity["id"] in self.graph]
        if node_screener is not None:
            for hit in node_screener.screen(query, threshold=threshold, limit=3, cutoff=threshold):
                ident = hit.entity["id"]
                if hit.match and ident not in self.resolved and ident in self.graph:
                    subjects.append((ident, hit, MATCHING))
        if not subjects:
            return []  # (most rows of a job: no rule to look up)
        out: list[ScreeningHit] = []
        seen: set[tuple[str, str, str]] = set()
        by_id = {r.id: r for r in rules or self.rules}
        for subject, base, matching in subjects:
            for d in derived_hits(subject, self.graph, self.listed, rules or self.rules):
                key = (d.rule_id, d.listed_id, subject)
                # only what the rules make a hit; the rest is for `redflags graph` to show
                if d.verdict not in matching or not base.match or key in seen:
                    continue
                if datasets and not set(d.lists) & datasets:
                    continue
                seen.add(key)
                entity = self._entry(d, by_id.get(d.rule_id), main_index) or _stub(d)
                out.append(
                    ScreeningHit(
                        entity=entity,
                        score=base.score,
                        match=True,
                        result=base.result,
                        derived=True,
                        evidence=[evidence(d, subject, base.entity)],
                    )
                )
        out.sort(key=lambda h: -h.score)
        return out


    def _entry(self, d: DerivedHit, rule: Rule | None, main_index: Index) -> FtMEntity | None:
        """The listed entry a derived hit shows: of a party on several lists, one on a list
        its rule reads (Gamma Trade Ltd, caught by OFAC's 50 % rule through Sberbank, showed
        Sberbank's UK entry, the first found), else the first."""
        ids = self.entries.get(d.listed_id) or [self.resolved.get(d.listed_id, d.listed_id)]
        found = [cast(FtMEntity, e) for e in map(main_index.get, ids) if e is not None]
        if rule is not None and rule.lists:
            found.sort(key=lambda e: not rule.covers(_lists_of(e)))  # stable: best first
        return found[0] if found else None


def _stub(d: DerivedHit) -> FtMEntity:
    return {
        "id": d.listed_id,
        "schema": "LegalEntity",
        "properties": {"name": [d.listed_name]},
        "datasets": list(d.lists),
    }


def evidence(d: DerivedHit, subject: str, subject_entity: Mapping[str, Any]) -> dict[str, Any]:
    """What a reviewer needs to check a derived hit: the rule, the verdict, and each hop."""
    return {
        "kind": "derived",
        "rule": d.rule_id,
        "rule_title": d.rule_title,
        "rule_status": d.rule_status,
        "verdict": d.verdict,
        "relation": d.relation,
        "share": d.share_display,
        "rule_share_low": d.rule_share_low,
        "rule_share_high": d.rule_share_high,
        "lists": list(d.lists),
        "listed_id": d.listed_id,
        "listed_name": d.listed_name,
        "screened_entity": {"id": subject, "caption": caption(dict(subject_entity))},
        "note": d.note,
        "paths": [[asdict(hop) for hop in path] for path in d.paths[:3]],
    }
