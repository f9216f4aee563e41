"""Ranked screening of one query or a batch against a loaded index.

Three stages, each cheaper than the next is precise: a weighted vote over the index's posting
lists picks ``candidates`` rows; a vectorised rapidfuzz pre-score on latinized names keeps the
``rescore`` most plausible (identifier hits always stay); the Matcher scores those and its
score alone decides ``match``. ``screen_many`` needs nothing but a loaded index, so Spark (or a
process pool) can broadcast the index directory and call it on a partition of rows.

A Screener keeps a scratch array and a cache of prepared candidates: use one per thread.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from redflags.matching import DEFAULT_THRESHOLD, Matcher
from redflags.matching.index import Index
from redflags.matching.keys import (
    IDENTIFIER_WEIGHT,
    entity_identifiers,
    entity_keys,
    entity_names,
    key_weight,
    name_norm,
)
from redflags.matching.prepared import load as load_prepared
from redflags.matching.types import MatchResult, ScreeningHit
from redflags.model import FtMEntity
from redflags.text import is_latin

# Total posting entries one query may walk; the rarest keys go first, so what is dropped is
# the least telling (a key held by tens of thousands of entities cannot rank any of them).
# Measured on one million synthetic entities (400 listed-name queries): budget 60k = 3.9 ms
# CPU a vote, 20k = 1.6 ms with typo recall 99.5% -> 98.5%. A variant that let the skipped
# keys add to the rows found (binary search in their posting lists) cost more than it saved.
POSTINGS_BUDGET = 20_000
# Below this ratio of index rows to posting entries, np.bincount(minlength=rows) beats
# np.add.at on a scratch array (measured: 24k rows/8k postings 37 µs vs 104 µs; 1M rows/8k
# postings 549 µs vs 211 µs).
BINCOUNT_RATIO = 8
# Rows whose names the pre-score keeps decoded (~0.3 KB a row).
NAME_CACHE_ROWS = 80_000
# Distinct queries whose shortlist (vote and pre-score) a screener remembers (~2 KB each).
SHORTLIST_CACHE = 8_192


@dataclass(frozen=True)
class Candidates:
    """Rows picked by the vote, best first, with their vote and whether an identifier hit;
    ``weight`` is the vote a row sharing every name key of the query would get (see
    ``Screener._query_weight``)."""

    rows: npt.NDArray[np.int32]
    votes: npt.NDArray[np.float32]
    id_hit: npt.NDArray[np.bool_]
    weight: float = 0.0


_EMPTY = Candidates(np.zeros(0, np.int32), np.zeros(0, np.float32), np.zeros(0, np.bool_))
# what stages 1 and 2 leave for the Matcher: candidates, their pre-scores, whether every name
# of the query is in Latin script
_Shortlist = tuple[Candidates, npt.NDArray[np.float32], bool]


def query_keys(query: Mapping[str, Any]) -> set[str]:
    """The keys a query votes with: exactly those an indexed entity is found by."""
    return entity_keys(query)


class Screener:
    """Screens FtM-shaped queries against one loaded :class:`Index`."""

    def __init__(
        self,
        index: Index,
        matcher: Any = None,
        *,
        candidates: int = 64,
        rescore: int = 10,
        rescore_by_vote: int = 2,
        min_prescore: float = 0.65,
        vote_min_prescore: float = 0.5,
        vote_min_share: float = 0.4,
        cache_size: int = 20_000,
        shortlist_cache: int = SHORTLIST_CACHE,
    ) -> None:
        """``candidates`` rows come out of the vote; of those, the ``rescore`` best by
        pre-score (at least ``min_prescore``), the ``rescore_by_vote`` best by vote and every
        identifier hit go to the Matcher, whose prepared candidates are cached (LRU of
        ``cache_size`` rows, ~12 KB each: even when the index stores them prepared, a cache
        of 8,000 made a 100,000-row job 1.3x slower than 20,000 on one worker). A best-by-vote
        row is scored only if its pre-score reaches ``vote_min_prescore``, or it holds
        ``vote_min_share`` of the query's key weight ("Hikvision" inside a long listed name),
        or the query is in another script than Latin (a transliteration pre-scores low).

        Measured on the bundled lists (1,603 queries of bench.speed, 3,000 generated supplier
        rows, the example file): with pre-score 0.6 and every best-by-vote row scored, the
        Matcher ran 5.6 times a query (2.98 a supplier row); with these defaults 3.6 (0.8),
        the listed entity is still found for all 863 listed-name queries that found it, and
        supplier rows with a hit fell 28 -> 17 of 3,000: what the gate drops are ordinary names
        whose only link to a listed one is a shared common word ("Henry Booth House Day Care
        Center" vs HILLTOP YOUTH scored 0.83 when it was scored).

        ``shortlist_cache`` distinct queries keep their vote and pre-score (0: none); a
        benchmark that repeats its queries must turn it off."""
        self.index = index
        self.matcher = matcher if matcher is not None else Matcher()
        self.candidates = candidates
        self.rescore = rescore
        self.rescore_by_vote = rescore_by_vote
        self.min_prescore = min_prescore
        self.vote_min_prescore = vote_min_prescore
        self.vote_min_share = vote_min_share
        self._scratch = np.zeros(len(index), dtype=np.float32)
        self._prepared: OrderedDict[int, Any] = OrderedDict()
        self._name_cache: dict[int, tuple[list[str], list[str]]] = {}
        self._shortlists: OrderedDict[tuple[Any, ...], _Shortlist] = OrderedDict()
        self._shortlist_size = shortlist_cache
        self._cache_size = cache_size
        self._prepare = getattr(self.matcher, "prepare", None)
        self._compare_prepared = getattr(self.matcher, "compare_prepared", None)
        # a Matcher that can evaluate a pair and explain it later is used that way; any
        # other object with compare(query, candidate) works too, only slower.
        self._evaluate = getattr(self.matcher, "evaluate", None)
        self._explain = getattr(self.matcher, "explain", None)
        if self._prepare is None or self._compare_prepared is None:
            self._prepare = self._compare_prepared = None
        if self._prepare is None or self._evaluate is None or self._explain is None:
            self._evaluate = self._explain = None
        # what the index stored was prepared by Matcher.prepare: usable by any algorithm of
        # the Matcher (they differ in weights only), not by another kind of matcher
        self._stored_prepared = isinstance(self.matcher, Matcher)
        self._algorithm = str(getattr(self.matcher, "algorithm", "unknown"))
        self._version = str(getattr(self.matcher, "version", ""))

    # ---- stage 1: the vote --------------------------------------------------------------------

    def candidate_rows(
        self,
        query: Mapping[str, Any],
        *,
        limit: int | None = None,
        datasets: set[str] | None = None,
    ) -> Candidates:
        """The rows that share the most (IDF-weighted) keys with the query, best first."""
        index = self.index
        k = limit or self.candidates
        keys = query_keys(query)
        absent: list[str] = []
        pos, lengths = index.lookup(keys, absent)
        if len(pos) == 0:
            return _EMPTY
        weight = self._query_weight(pos, absent)
        # rarest keys first, until the budget of posting entries is spent (at least one key).
        order = np.argsort(lengths, kind="stable")
        cum = np.cumsum(lengths[order])
        n_scatter = max(1, int(np.searchsorted(cum, POSTINGS_BUDGET, side="right")))
        pos, lengths = pos[order[:n_scatter]], lengths[order[:n_scatter]]
        # every posting list in one gather: position j of the concatenation comes from the
        # key whose lists precede it, shifted to that key's start in ``postings``
        ends = np.cumsum(lengths)
        shift = np.repeat(index.key_offsets[pos] - (ends - lengths), lengths)
        touched = index.postings[shift + np.arange(int(ends[-1]), dtype=np.int64)]
        weights = np.repeat(index.key_weights[pos], lengths)
        schema = str(query.get("schema") or "")
        if len(index) <= BINCOUNT_RATIO * len(touched):
            full = np.bincount(touched, weights, minlength=len(index))
            hit = full > 0
            # the schema and dataset filters as one cached mask over every row: gathering
            # each touched row's codes cost more than the vote itself
            allowed = index.row_mask(schema, datasets)
            if allowed is not None:
                hit &= allowed
            # nonzero() on a boolean array is ~7x faster than on the float one
            touched = np.flatnonzero(hit).astype(np.int32)
            votes = full[touched].astype(np.float32)
        else:
            scratch = self._scratch
            np.add.at(scratch, touched, weights)
            votes = scratch[touched]
            scratch[touched] = 0.0
            allowed = index.row_mask(schema, datasets)
            if allowed is not None:
                ok = allowed[touched]
                touched, votes = touched[ok], votes[ok]
            touched, votes = _distinct_top(touched, votes, k)
        if len(touched) == 0:
            return _EMPTY
        if len(touched) > k:
            top = np.argpartition(votes, -k)[-k:]
            touched, votes = touched[top], votes[top]
        best = np.lexsort((touched, -votes))
        rows, votes = touched[best].astype(np.int32), votes[best].astype(np.float32)
        return Candidates(rows, votes, votes >= np.float32(IDENTIFIER_WEIGHT), weight)

    def _query_weight(self, pos: npt.NDArray[np.int64], absent: list[str]) -> float:
        """The vote of a row holding every name key of the query, a key the index lacks
        counted as held by that row alone: so a query whose distinctive words no list has
        ("Gads Hill Center") does not look fully covered by a row sharing its common ones.
        Identifier keys are left out: an identifier hit is scored anyway."""
        found = self.index.key_weights[pos]
        weight = float(found[found < IDENTIFIER_WEIGHT].sum())
        if absent:
            rarest = float(np.log1p(len(self.index)))
            weight += rarest * sum(w for w in map(key_weight, absent) if w < IDENTIFIER_WEIGHT)
        return weight

    # ---- stage 2: the pre-score ----------------------------------------------------------------

    def prescore(self, query: Mapping[str, Any], cands: Candidates) -> npt.NDArray[np.float32]:
        """Best rapidfuzz similarity (0..1) of any query name to any candidate name."""
        qnorms = [n for n in (name_norm(x) for x in entity_names(query)) if n]
        out = np.zeros(len(cands.rows), dtype=np.float32)
        if not qnorms or len(cands.rows) == 0:
            return out
        norms, flats, counts = self._names(cands.rows)
        if not norms:
            return out
        # reordered words, or words split/joined differently ("xi jin ping" / "xi jinping");
        # adding token_set_ratio (query part of a longer name) cost 40% more for no recall
        # on 900 listed-name queries, and the vote already ranks such names high.
        # token_sort_ratio is ratio() of the sorted words: sorting once per name, not once
        # per pair, halves this stage
        sorted_q = [" ".join(sorted(q.split())) for q in qnorms]
        sim = cdist(sorted_q, norms, scorer=fuzz.ratio, dtype=np.float32)
        flat_q = [q.replace(" ", "") for q in qnorms]
        flat = cdist(flat_q, flats, scorer=fuzz.ratio, dtype=np.float32)
        np.maximum(sim, flat, out=sim)
        best = sim.max(axis=0) / np.float32(100.0)
        # names are grouped by candidate: one reduceat over the groups that have names
        has = counts > 0
        starts = (np.cumsum(counts) - counts)[has]
        out[has] = np.maximum.reduceat(best, starts)
        return out

    def _names(
        self, rows: npt.NDArray[np.int32]
    ) -> tuple[list[str], list[str], npt.NDArray[np.int64]]:
        """Candidate names for the pre-score (words sorted, and space-less), grouped by
        candidate, with each candidate's count; decoded names are cached per row (decoding
        was half the pre-score's time)."""
        cache = self._name_cache
        row_list = rows.tolist()
        missing = [r for r in row_list if r not in cache]
        if missing:
            if len(cache) + len(missing) > NAME_CACHE_ROWS:
                cache.clear()
            decoded, where = self.index.names_of(np.asarray(missing, dtype=np.int32))
            per_row: list[list[str]] = [[] for _ in missing]
            for name, i in zip(decoded, where.tolist(), strict=True):
                per_row[i].append(name)
            for r, names in zip(missing, per_row, strict=True):
                cache[r] = (
                    [" ".join(sorted(n.split())) for n in names],
                    [n.replace(" ", "") for n in names],
                )
        # one pass of extend calls: 1.7x faster than chaining generators over the entries
        norms: list[str] = []
        flats: list[str] = []
        counts: list[int] = []
        add_norms, add_flats, add_count = norms.extend, flats.extend, counts.append
        for r in row_list:
            sorted_names, flat_names = cache[r]
            add_norms(sorted_names)
            add_flats(flat_names)
            add_count(len(sorted_names))
        return norms, flats, np.array(counts, dtype=np.int64)

    def _shortlist(
        self, query: Mapping[str, Any], datasets: set[str] | None
    ) -> _Shortlist:
        """Stages 1 and 2, remembered for the last ``SHORTLIST_CACHE`` distinct names: a
        file names one supplier on many rows (sites, branches, one row per invoice), and the
        vote and the pre-score read nothing but the names, identifiers and schema. With them,
        whether every name is in Latin script (for ``_by_vote``), read from the same names."""
        names = tuple(entity_names(query))
        key = (
            str(query.get("schema") or ""),
            names,
            tuple(entity_identifiers(query)),
            frozenset(datasets) if datasets is not None else None,
        )
        cache = self._shortlists
        found = cache.get(key)
        if found is not None:
            cache.move_to_end(key)
            return found
        cands = self.candidate_rows(query, datasets=datasets)
        pre = self.prescore(query, cands) if len(cands.rows) else np.zeros(0, np.float32)
        shortlist = (cands, pre, all(is_latin(n) for n in names))
        if self._shortlist_size > 0:
            cache[key] = shortlist
            if len(cache) > self._shortlist_size:
                cache.popitem(last=False)
        return shortlist

    # ---- stage 3: the Matcher ------------------------------------------------------------------

    def _compare(self, query: Mapping[str, Any], prepared_query: Any, row: int) -> MatchResult:
        if self._compare_prepared is None:
            return cast(MatchResult, self.matcher.compare(query, self.index.entity(row)))
        return cast(MatchResult, self._compare_prepared(prepared_query, self._prepared_row(row)))

    def _prepared_row(self, row: int) -> Any:
        prepared = self._prepared.get(row)
        if prepared is None:
            return self._prepare_row(row)
        self._prepared.move_to_end(row)
        return prepared

    def _prepare_row(self, row: int) -> Any:
        assert self._prepare is not None
        blob = self.index.prepared_blob(row) if self._stored_prepared else None
        if blob is not None:
            prepared = load_prepared(blob)
        else:
            prepared = self._prepare(self.index.entity(row))
        self._prepared[row] = prepared
        if len(self._prepared) > self._cache_size:
            self._prepared.popitem(last=False)
        return prepared

    def _by_vote(
        self, cands: Candidates, pre: npt.NDArray[np.float32], latin: bool
    ) -> list[int]:
        """The best rows by vote that are worth scoring though their pre-score is low (all of
        them for a query with a name outside the Latin script)."""
        top = range(min(self.rescore_by_vote, len(cands.rows)))
        if not latin:
            return list(top)
        share = np.float32(self.vote_min_share * cands.weight)
        return [
            i for i in top if pre[i] >= self.vote_min_prescore or cands.votes[i] >= share
        ]

    def screen(
        self,
        query: Mapping[str, Any],
        *,
        threshold: float | None = None,
        limit: int = 10,
        datasets: set[str] | None = None,
        exclude_ids: set[str] | None = None,
        cutoff: float = 0.0,
    ) -> list[ScreeningHit]:
        """Ranked hits for one FtM-shaped query; ``match`` is ``score >= threshold``. Hits
        scoring below ``cutoff`` are left out (as yente's cutoff): a caller that keeps only
        matches passes its threshold and saves explaining and decoding the rest."""
        if threshold is None:
            threshold = DEFAULT_THRESHOLD
        cands, pre, latin = self._shortlist(query, datasets)
        if len(cands.rows) == 0:
            return []
        rescore = max(self.rescore, limit)
        # the best by pre-score, the best by vote (a long alias list can depress the first),
        # and every identifier hit.
        order = np.lexsort((-cands.votes, -pre))
        order = order[pre[order] >= self.min_prescore][:rescore]
        chosen = dict.fromkeys(order.tolist())
        chosen.update(dict.fromkeys(self._by_vote(cands, pre, latin)))
        chosen.update(dict.fromkeys(np.flatnonzero(cands.id_hit).tolist()))
        if not chosen:
            return []
        prepared_query = self._prepare(query) if self._prepare is not None else None
        # Rank by score, then explain only what is returned, from the same evaluation.
        evaluate = self._evaluate if prepared_query is not None else None
        scored: list[tuple[float, float, int, Any]] = []
        for i in chosen:
            row = int(cands.rows[i])
            if exclude_ids and self.index.entity_id(row) in exclude_ids:
                continue
            if evaluate is not None:
                ev = evaluate(prepared_query, self._prepared_row(row))
                scored.append((ev.score, float(pre[i]), row, ev))
            else:
                full = self._compare(query, prepared_query, row)
                scored.append((full.score, float(pre[i]), row, full))
        scored.sort(key=lambda t: (-t[0], -t[1], t[2]))
        hits: list[ScreeningHit] = []
        for score, _pre, row, outcome in scored[:limit]:
            if score < cutoff:
                break
            if isinstance(outcome, MatchResult):
                result = outcome
            else:
                assert self._explain is not None  # set whenever ``evaluate`` is
                result = self._explain(outcome)
            entity = cast(FtMEntity, self.index.entity(row))
            hits.append(
                ScreeningHit(
                    entity=entity,
                    score=score,
                    match=score >= threshold,
                    result=result,
                    evidence=_evidence(entity),
                )
            )
        return hits

    def screen_many(
        self,
        queries: Iterable[Mapping[str, Any]],
        *,
        threshold: float | None = None,
        limit: int = 10,
        datasets: set[str] | None = None,
        exclude_ids: set[str] | None = None,
        cutoff: float = 0.0,
    ) -> list[list[ScreeningHit]]:
        """One ranked list per query, in input order: the function a batch engine calls."""
        if threshold is None:
            threshold = DEFAULT_THRESHOLD
        return [
            self.screen(
                q,
                threshold=threshold,
                limit=limit,
                datasets=datasets,
                exclude_ids=exclude_ids,
                cutoff=cutoff,
            )
            for q in queries
        ]


def _distinct_top(
    rows: npt.NDArray[np.int32], votes: npt.NDArray[np.float32], k: int
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
    """At least the ``k`` best distinct rows of a vote where a row repeats once per key it
    matched (all copies carry its total). Deduplicating everything (a scatter/gather over a
    row-sized array, or a sort) cost ~0.3 ms on one million rows; the best few thousand
    entries hold the best ``k`` rows, widened until they do."""
    m = 32 * k
    while True:
        if len(rows) > m:
            top = np.argpartition(votes, -m)[-m:]
            part_rows, part_votes = rows[top], votes[top]
        else:
            part_rows, part_votes = rows, votes
        uniq, first = np.unique(part_rows, return_index=True)
        if len(uniq) >= k or len(part_rows) == len(rows):
            return uniq.astype(np.int32), part_votes[first]
        m *= 4


def _evidence(entity: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Where the listing comes from (list, programs, date, URL), as the reports show it."""
    prov = entity.get("provenance")
    if not isinstance(prov, Mapping) or not prov:
        return []
    return [dict(prov)]


def screen_batch(
    index: Index, queries: Iterable[Mapping[str, Any]], **options: Any
) -> list[list[ScreeningHit]]:
    """Stateless entry point for a batch worker: build a Screener and screen the batch."""
    return Screener(index).screen_many(queries, **options)


__all__ = ["Candidates", "Screener", "query_keys", "screen_batch"]
