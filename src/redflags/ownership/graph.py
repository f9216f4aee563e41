"""The ownership graph and what follows along its chains.

Two measures, kept apart on purpose:

* **effective share** – the plain economic measure: product of shares along a path, summed
  over paths. Cycles are handled by summing over *simple* paths only (a chain never revisits
  a party), so Alpha→Beta→Alpha cannot count 200%. Ranges give a lower and an upper bound;
  an unstated share contributes 0 to the lower bound and 100% to the upper bound and marks
  the result ``unknown`` – it is never replaced by a guess.
* **aggregate closure** – the OFAC/BIS style rule: an entity is caught when parties that are
  themselves caught (listed, or caught by the rule) hold ``threshold`` or more of it directly;
  catching propagates only through caught entities (OFAC FAQ 401). Computed as a least fixed
  point with a worklist, linear in the edges it touches, and terminating on cycles.

Edges for the same (owner, owned) pair are merged before either measure: within one source
record shares add up (share classes); across records the bounds are ``max`` of lows and the
capped sum of highs, valid whether the records restate one holding or state two.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from redflags.gcpause import paused_gc
from redflags.ownership.edges import Declaration, Edge, Node, OwnershipData

# Shares are floats from decimal percentages: compare with a tolerance so 25% + 25% >= 50%.
TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class Pair:
    """All ownership edges from one owner to one owned party, merged into bounds."""

    owner: int
    owned: int
    low: float
    high: float
    unknown: bool
    edges: tuple[int, ...]


class OwnershipGraph:
    """Parties (interned to ints) and edges, with merged ownership pairs in both directions.

    Pairs live in flat lists (``p_owner``, ``p_owned``, ``p_low``, ``p_high``, ``p_unknown``)
    and adjacency in CSR form built with numpy: at a million edges, one Python object per
    pair cost 17 s of the build on the shared bench machine, the flat form a fraction of it.
    """

    def __init__(
        self,
        edges: Iterable[Edge],
        nodes: Mapping[str, Node] | None = None,
        declarations: Iterable[Declaration] = (),
        as_of: str | None = None,
    ) -> None:
        self.as_of = as_of
        self.nodes: dict[str, Node] = dict(nodes or {})
        self.declarations: dict[str, list[Declaration]] = defaultdict(list)
        for decl in declarations:
            self.declarations[decl.subject_id].append(decl)
        # Building allocates millions of small objects; the cyclic GC would rescan all of them
        # again and again (a 1M-edge build went from 73 s to a fraction with it paused).
        with paused_gc():
            self._build(edges, as_of)

    def _build(self, edges: Iterable[Edge], as_of: str | None) -> None:
        self.index: dict[str, int] = {}
        index = self.index
        self.edges: list[Edge] = []
        owners: list[int] = []
        owned: list[int] = []
        for edge in edges:
            if edge.owner_id == edge.owned_id or not edge.active(as_of):
                continue
            owners.append(index.setdefault(edge.owner_id, len(index)))
            owned.append(index.setdefault(edge.owned_id, len(index)))
            self.edges.append(edge)
        self.ids: list[str] = list(index)
        n = len(self.ids)
        e_owner = np.asarray(owners, dtype=np.int64)
        e_owned = np.asarray(owned, dtype=np.int64)
        self._edges_up = _csr(e_owned, np.arange(len(owned), dtype=np.int64), n)
        self._edges_down = _csr(e_owner, np.arange(len(owners), dtype=np.int64), n)
        self._build_pairs(e_owner, e_owned)

    @classmethod
    def from_data(cls, data: OwnershipData, as_of: str | None = None) -> OwnershipGraph:
        return cls(data.edges, data.nodes, data.declarations, as_of)

    def _build_pairs(self, e_owner: np.ndarray, e_owned: np.ndarray) -> None:
        n = len(self.ids)
        edges = self.edges
        m = len(edges)
        is_own = np.fromiter((e.kind == "ownership" for e in edges), dtype=bool, count=m)
        direct = np.fromiter((e.direct for e in edges), dtype=bool, count=m)
        low = np.fromiter(
            (np.nan if e.share_low is None else e.share_low for e in edges), float, count=m
        )
        high = np.fromiter(
            (np.nan if e.share_high is None else e.share_high for e in edges), float, count=m
        )
        sel = np.flatnonzero(is_own)
        key = (e_owner[sel] * n + e_owned[sel]) * 2 + direct[sel]
        order = np.argsort(key, kind="stable")
        sel, key = sel[order], key[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else key
        sizes = np.diff(np.r_[starts, len(key)]) if len(key) else key
        first = sel[starts]
        g_owner, g_owned, g_direct = e_owner[first], e_owned[first], direct[first]
        g_low, g_high = low[first].copy(), high[first].copy()
        g_unknown = np.isnan(g_low) | np.isnan(g_high)
        g_low[g_unknown] = 0.0
        g_high[g_unknown] = 1.0
        groups: dict[int, tuple[int, ...]] = {}
        for gi in np.flatnonzero(sizes > 1).tolist():
            idxs = tuple(sel[starts[gi] : starts[gi] + sizes[gi]].tolist())
            groups[gi] = idxs
            g_low[gi], g_high[gi], g_unknown[gi] = self._merge(idxs)
        cols = (g_owner, g_owned, g_low, g_high, g_unknown)
        self.pairs = PairTable(np.flatnonzero(g_direct), cols, first, groups)
        self.declared = PairTable(np.flatnonzero(~g_direct), cols, first, groups)
        self.pairs_up, self.pairs_down = self.pairs.adjacency(n)
        self.declared_up, self.declared_down = self.declared.adjacency(n)

    def _merge(self, idxs: tuple[int, ...]) -> tuple[float, float, bool]:
        per_record: dict[tuple[str, str | None], list[float]] = {}
        unknown = False
        for i in idxs:
            e = self.edges[i]
            if e.share_low is None or e.share_high is None:
                unknown = True
                continue
            acc = per_record.setdefault((e.source, e.record_id), [0.0, 0.0])
            acc[0] += e.share_low
            acc[1] += e.share_high
        lows = [min(1.0, v[0]) for v in per_record.values()]
        highs = [min(1.0, v[1]) for v in per_record.values()]
        low = max(lows) if lows else 0.0
        high = 1.0 if unknown else min(1.0, sum(highs))
        return low, high, unknown

    # -- lookups -------------------------------------------------------------------------

    def __contains__(self, ident: object) -> bool:
        return ident in self.index

    def __len__(self) -> int:
        return len(self.ids)

    def name(self, ident: str) -> str:
        node = self.nodes.get(ident)
        return node.name if node is not None and node.name else ident

    def edges_up(self, ident: str, kinds: Iterable[str] | None = None) -> list[Edge]:
        """Edges in which ``ident`` is the owned/controlled/linked-to side."""
        return self._edges_at(self._edges_up, ident, kinds)

    def edges_down(self, ident: str, kinds: Iterable[str] | None = None) -> list[Edge]:
        """Edges in which ``ident`` is the owner/controller/director side."""
        return self._edges_at(self._edges_down, ident, kinds)

    def _edges_at(
        self, adj: list[list[int]], ident: str, kinds: Iterable[str] | None
    ) -> list[Edge]:
        idx = self.index.get(ident)
        if idx is None:
            return []
        wanted = set(kinds) if kinds is not None else None
        out = [self.edges[i] for i in adj[idx]]
        return out if wanted is None else [e for e in out if e.kind in wanted]

    def direct_pair(self, owner: int, owned: int) -> int | None:
        """The direct pair from ``owner`` to ``owned``, if any (degrees are small: a scan)."""
        for pi in self.pairs_down[owner]:
            if self.pairs.owned[pi] == owned:
                return pi
        return None

    def pair_edges(self, pair: Pair) -> list[Edge]:
        return [self.edges[i] for i in pair.edges]


def _csr(keys: np.ndarray, values: np.ndarray, n: int) -> list[list[int]]:
    """Values grouped by key as Python lists (fast to walk from Python code).

    Parties without values share one empty list: never mutated, and it saves an object per
    party (tens of MB at a million edges).
    """
    empty: list[int] = []
    out: list[list[int]] = [empty] * n
    if len(keys) == 0:
        return out
    order = np.argsort(keys, kind="stable")
    k, v = keys[order], values[order]
    bounds = [*np.flatnonzero(np.r_[True, k[1:] != k[:-1]]).tolist(), len(k)]
    vals = v.tolist()
    ks = k.tolist()
    for b0, b1 in pairwise(bounds):
        out[ks[b0]] = vals[b0:b1]
    return out


class PairTable:
    """Merged pairs as flat lists; :class:`Pair` objects are made only when one is looked at."""

    def __init__(
        self,
        rows: np.ndarray,
        cols: tuple[np.ndarray, ...],
        first: np.ndarray,
        merged: dict[int, tuple[int, ...]],
    ) -> None:
        g_owner, g_owned, g_low, g_high, g_unknown = cols
        self._rows = rows
        self._first = first
        self._merged = merged
        self.owner: list[int] = g_owner[rows].tolist()
        self.owned: list[int] = g_owned[rows].tolist()
        self.low: list[float] = g_low[rows].tolist()
        self.high: list[float] = g_high[rows].tolist()
        self.unknown: list[bool] = g_unknown[rows].tolist()

    def adjacency(self, n: int) -> tuple[list[list[int]], list[list[int]]]:
        """(pairs by owned party, pairs by owner)."""
        ids = np.arange(len(self.owner), dtype=np.int64)
        up = _csr(np.asarray(self.owned, dtype=np.int64), ids, n)
        down = _csr(np.asarray(self.owner, dtype=np.int64), ids, n)
        return up, down

    def __len__(self) -> int:
        return len(self.owner)

    def __getitem__(self, pi: int) -> Pair:
        gi = int(self._rows[pi])
        edges = self._merged.get(gi) or (int(self._first[gi]),)
        return Pair(
            self.owner[pi], self.owned[pi], self.low[pi], self.high[pi], self.unknown[pi], edges
        )

    def __iter__(self) -> Iterator[Pair]:
        return (self[i] for i in range(len(self)))


# A path as a linked list, newest hop first: (pair index, rest of the path or None). Sharing
# prefixes makes recording a path O(1) per step instead of copying the trail each time.
Link = tuple[int, "Link | None"]


@dataclass(slots=True)
class Effective:
    """One party's effective share in another, with the paths (pair indices) behind it."""

    party_id: str
    low: float = 0.0
    high: float = 0.0
    unknown: bool = False
    declared: bool = False
    complete: bool = True
    links: list[Link] = field(default_factory=list, repr=False)
    up: bool = True

    @property
    def exact(self) -> bool:
        return not self.unknown and abs(self.high - self.low) < 1e-6

    @property
    def paths(self) -> list[tuple[int, ...]]:
        """Pair indices of each path, from the owning side to the owned side."""
        return self.some_paths(len(self.links))

    def some_paths(self, limit: int) -> list[tuple[int, ...]]:
        out = []
        for link in self.links[:limit]:
            hops: list[int] = []
            cur: Link | None = link
            while cur is not None:
                hops.append(cur[0])
                cur = cur[1]
            out.append(tuple(hops) if self.up else tuple(reversed(hops)))
        return out


def effective_owners(
    graph: OwnershipGraph, target: str, *, max_depth: int = 12, max_paths: int = 20_000
) -> dict[str, Effective]:
    """Every direct and indirect owner of ``target`` with its effective share bounds.

    Paths are listed from the owner down to the target. A source's own declared indirect
    stake (BODS indirect interest) replaces the computed indirect part for that owner.
    """
    return _effective(graph, target, up=True, max_depth=max_depth, max_paths=max_paths)


def effective_holdings(
    graph: OwnershipGraph, owner: str, *, max_depth: int = 12, max_paths: int = 20_000
) -> dict[str, Effective]:
    """Everything ``owner`` holds directly or indirectly, with effective share bounds."""
    return _effective(graph, owner, up=False, max_depth=max_depth, max_paths=max_paths)


def _effective(
    graph: OwnershipGraph, start: str, *, up: bool, max_depth: int, max_paths: int
) -> dict[str, Effective]:
    s = graph.index.get(start)
    if s is None:
        return {}
    adj = graph.pairs_up if up else graph.pairs_down
    p_next = graph.pairs.owner if up else graph.pairs.owned
    p_low, p_high, p_unknown = graph.pairs.low, graph.pairs.high, graph.pairs.unknown
    acc_low: dict[int, float] = {}
    acc_high: dict[int, float] = {}
    acc_links: dict[int, list[Link]] = {}
    unknown_at: set[int] = set()
    indirect: dict[int, list[float]] = {}  # computed contributions of paths longer than 1
    on_path = {s}
    budget = [max_paths]
    truncated = [False]

    def visit(
        node: int, low: float, high: float, unknown: bool, depth: int, link: Link | None
    ) -> None:
        for pi in adj[node]:
            nxt = p_next[pi]
            if nxt in on_path:
                continue
            if budget[0] <= 0:
                truncated[0] = True
                return
            budget[0] -= 1
            lo, hi, unk = low * p_low[pi], high * p_high[pi], unknown or p_unknown[pi]
            here: Link = (pi, link)
            if nxt in acc_low:
                acc_low[nxt] += lo
                acc_high[nxt] += hi
                acc_links[nxt].append(here)
            else:
                acc_low[nxt], acc_high[nxt], acc_links[nxt] = lo, hi, [here]
            if unk:
                unknown_at.add(nxt)
            if link is not None:
                ind = indirect.get(nxt)
                if ind is None:
                    indirect[nxt] = [lo, hi]
                else:
                    ind[0] += lo
                    ind[1] += hi
            if depth + 1 < max_depth and hi > 0:
                on_path.add(nxt)
                visit(nxt, lo, hi, unk, depth + 1, here)
                on_path.discard(nxt)
            elif hi > 0 and adj[nxt]:
                truncated[0] = True

    visit(s, 1.0, 1.0, False, 0, None)
    acc = {
        idx: Effective(
            graph.ids[idx],
            acc_low[idx],
            acc_high[idx],
            idx in unknown_at,
            links=links,
            up=up,
        )
        for idx, links in acc_links.items()
    }
    _apply_declared(graph, s, up, acc, indirect)
    result: dict[str, Effective] = {}
    for idx, eff in acc.items():
        eff.low = min(1.0, eff.low)
        eff.high = min(1.0, eff.high)
        if truncated[0]:
            eff.complete = False
            eff.high = 1.0
        result[graph.ids[idx]] = eff
    return result


def _apply_declared(
    graph: OwnershipGraph,
    s: int,
    up: bool,
    acc: dict[int, Effective],
    indirect: dict[int, list[float]],
) -> None:
    declared_adj = graph.declared_up if up else graph.declared_down
    for di in declared_adj[s]:
        d = graph.declared[di]
        other = d.owner if up else d.owned
        eff = acc.get(other)
        if eff is None:
            eff = acc[other] = Effective(graph.ids[other], up=up)
        computed = indirect.get(other, [0.0, 0.0])
        eff.low = eff.low - computed[0] + d.low
        eff.high = eff.high - computed[1] + d.high
        direct_pair = graph.direct_pair(other, s) if up else graph.direct_pair(s, other)
        direct_unknown = direct_pair is not None and graph.pairs.unknown[direct_pair]
        eff.unknown = d.unknown or direct_unknown
        eff.declared = True


@dataclass
class Closure:
    """Who an aggregate-ownership rule catches: surely (on lower bounds) or possibly (upper)."""

    certain: dict[int, float]
    possible: dict[int, float]
    seeds: set[int]

    def status(self, idx: int) -> str | None:
        if idx in self.seeds:
            return "listed"
        if idx in self.certain:
            return "caught"
        if idx in self.possible:
            return "possible"
        return None


def aggregate_closure(
    graph: OwnershipGraph,
    seeds: Iterable[str],
    threshold: float = 0.5,
    within: set[int] | None = None,
) -> Closure:
    """Least fixed point of "caught parties hold >= threshold directly", on both bounds.

    ``within`` restricts the walk to a subgraph (the ancestors of one entity) so that one
    screening costs what its ownership chain costs, not the whole graph.
    """
    seed_idx = {graph.index[s] for s in seeds if s in graph.index}
    if within is not None:
        seed_idx &= within
    certain = _fixpoint(graph, seed_idx, threshold, within, upper=False)
    possible = _fixpoint(graph, seed_idx, threshold, within, upper=True)
    return Closure(certain, possible, seed_idx)


def _fixpoint(
    graph: OwnershipGraph, seeds: set[int], threshold: float, within: set[int] | None, upper: bool
) -> dict[int, float]:
    held: dict[int, float] = defaultdict(float)
    caught: set[int] = set(seeds)
    result: dict[int, float] = {}
    queue = deque(seeds)
    pairs, declared = graph.pairs, graph.declared
    p_owned, p_share = pairs.owned, (pairs.high if upper else pairs.low)
    limit = threshold - TOLERANCE
    while queue:
        o = queue.popleft()
        for pi in graph.pairs_down[o]:
            a = p_owned[pi]
            if a in caught or (within is not None and a not in within):
                continue
            held[a] += p_share[pi]
            if held[a] >= limit:
                caught.add(a)
                result[a] = held[a]
                queue.append(a)
        for di in graph.declared_down[o]:
            d = declared[di]
            a = d.owned
            if a in caught or (within is not None and a not in within):
                continue
            # One caught owner's declared indirect stake plus its direct stake; never summed
            # with other owners' direct stakes, which may be the same shares seen twice.
            dp = graph.direct_pair(o, a)
            direct = 0.0 if dp is None else p_share[dp]
            stake = (d.high if upper else d.low) + direct
            if stake >= limit:
                caught.add(a)
                result[a] = max(held[a], stake)
                queue.append(a)
    for a, value in held.items():
        if a in result:
            result[a] = max(result[a], min(1.0, value))
    return result


def ancestors(graph: OwnershipGraph, ident: str) -> set[int]:
    """Indices of every party above ``ident`` through ownership pairs (direct or declared)."""
    start = graph.index.get(ident)
    if start is None:
        return set()
    seen = {start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for pi in graph.pairs_up[node]:
            o = graph.pairs.owner[pi]
            if o not in seen:
                seen.add(o)
                queue.append(o)
        for di in graph.declared_up[node]:
            o = graph.declared.owner[di]
            if o not in seen:
                seen.add(o)
                queue.append(o)
    return seen
