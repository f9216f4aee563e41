"""Ranked screening of one query or a batch against a loaded index.

Three stages, each cheaper than the next is precise: a weighted vote over the index's posting
lists picks ``candidates`` rows; a pre-score (rapidfuzz's ratio) on latinized names keeps the
``rescore`` most plausible (identifier hits always stay); the Matcher scores those and its
score alone decides ``match``. The first two stages are compiled loops (``vote.py``,
``prescore.py``). ``screen_many`` needs nothing but a loaded index, so Spark (or a
process pool) can broadcast the index directory and call it on a partition of rows.

A Screener keeps a scratch array and a cache of prepared candidates: use one per thread.
"""

from __future__ import annotations

import functools
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import compress
from typing import Any, NamedTuple, cast

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from redflags.gcpause import paused_gc
from redflags.matching import DEFAULT_THRESHOLD, Matcher
from redflags.matching.features import main_script
from redflags.matching.index import Index
from redflags.matching.keys import (
    IDENTIFIER_WEIGHT,
    _hash_keys,
    entity_identifiers,
    entity_keys,
    entity_names,
    join_keys,
    key_weight,
    name_norm,
    weak_token,
)
from redflags.matching.prepared import load as load_prepared
from redflags.matching.types import MatchResult, ScreeningHit
from redflags.model import FtMEntity, mentioned
from redflags.text import is_latin

# Total posting entries one query may walk; the rarest keys go first, so what is dropped is
# the least telling (a key held by tens of thousands of entities cannot rank any of them).
# Measured on one million synthetic entities (400 listed-name queries): budget 60k = 3.9 ms
# CPU a vote, 20k = 1.6 ms with typo recall 99.5% -> 98.5%. A variant that let the skipped
# keys add to the rows found (binary search in their posting lists) cost more than it saved.
POSTINGS_BUDGET = 20_000
# Distinct queries whose shortlist (vote and pre-score) a screener remembers (~2 KB each).
SHORTLIST_CACHE = 8_192


@dataclass(frozen=True)
class Candidates:
    """Rows picked by the vote, best first, with their vote and whether an identifier hit;
    ``weight`` is the vote a row sharing every name key of the query would get (see
    ``Screener._absent_weight``)."""

    rows: npt.NDArray[np.int32]
    votes: npt.NDArray[np.float32]
    id_hit: npt.NDArray[np.bool_]
    weight: float = 0.0


_EMPTY = Candidates(np.zeros(0, np.int32), np.zeros(0, np.float32), np.zeros(0, np.bool_))
# what stages 1 and 2 leave for the Matcher: candidates, their pre-scores, whether every name
# of the query is in Latin script
_Shortlist = tuple[Candidates, npt.NDArray[np.float32], bool]


class _Kernels(NamedTuple):
    vote: Callable[
        ...,
        tuple[npt.NDArray[np.int32], npt.NDArray[np.float32], npt.NDArray[np.bool_], float],
    ]
    prescore: Callable[..., npt.NDArray[np.float32]]


@functools.cache
def _kernels() -> _Kernels:
    """The compiled stages, imported at the first screening: numba costs ~0.5 s and ~115 MB
    a process, which a job's parent (it only reads and writes rows) does not need."""
    from redflags.matching.prescore import prescore
    from redflags.matching.vote import vote

    return _Kernels(vote, prescore)


def query_keys(query: Mapping[str, Any]) -> set[str]:
    """The keys a query votes with: those an indexed entity is found by, and the joins of
    its neighbouring words (``join_keys``)."""
    base = entity_keys(query)
    return base | _join_keys(entity_names(query), base)


def _join_keys(names: Iterable[str], base: set[str]) -> set[str]:
    names = list(names)
    # a query with a name in another script: its Latin names are that name's readings
    # (``entity_names``), whose words may be one word in a list
    reading = not all(is_latin(n) for n in names)
    return {k for name in names for k in join_keys(name, reading)} - base


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
        vote_min_prescore: float = 0.55,
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
        Center" vs HILLTOP YOUTH scored 0.83 when it was scored). Raising
        ``vote_min_prescore`` from 0.5 to 0.55 (sixth session, 8,000 more supplier rows) cut
        Matcher calls per row 0.95 -> 0.68 and rows with a hit 44 -> 38; the six rows dropped
        were sound-alikes of nothing ("Howe Holdings" ~ HUAWEI 0.70, "Bass Ltd" ~ AL-QAIDA
        via its alias "The Base" 0.77). 0.6 cut calls to 0.56 but lost "Präsident Putin" ~
        PUTIN (0.83; pre-score 0.56, the title counted as the query's rarest word).

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
        self._scratch = np.zeros(len(index), dtype=np.float64)
        self._prepared: OrderedDict[int, Any] = OrderedDict()
        self._shortlists: OrderedDict[tuple[Any, ...], _Shortlist] = OrderedDict()
        self._skeletons: dict[int, list[str]] = {}
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
        names: list[str] | None = None,
    ) -> Candidates:
        """The rows that share the most (IDF-weighted) keys with the query, best first.
        ``names``: the query's ``entity_names``, where the caller has them (each reading of
        a name costs, and a screening needs them four times)."""
        index = self.index
        if names is None:
            names = entity_names(query)
        base = entity_keys(query, names)
        keys = [*base, *_join_keys(names, base)]
        hashes = _hash_keys(keys)
        if len(hashes) == 0:
            return _EMPTY
        rows, votes, found, weight = _kernels().vote(
            index.key_hashes,
            index.key_offsets,
            index.key_weights,
            index.postings,
            hashes,
            budget=POSTINGS_BUDGET,
            mask=index.row_mask(str(query.get("schema") or ""), datasets),
            scratch=self._scratch,
            k=limit or self.candidates,
        )
        if not found.any():
            return _EMPTY
        if not found[: len(base)].all():
            # a join the index lacks is no word of the query's: it adds no weight
            weight += self._absent_weight(
                compress(keys, np.logical_not(found[: len(base)]).tolist())
            )
        if len(rows) == 0:
            return _EMPTY
        return Candidates(rows, votes, votes >= np.float32(IDENTIFIER_WEIGHT), weight)

    def _absent_weight(self, absent: Iterable[str]) -> float:
        """What the query's keys the index lacks add to its weight (see ``Candidates``):
        each counts as held by one row alone, so a query whose distinctive words no list has
        ("Gads Hill Center") does not look fully covered by a row sharing its common ones.
        Identifier keys are left out: an identifier hit is scored anyway."""
        rarest = float(np.log1p(len(self.index)))
        return rarest * sum(w for w in map(key_weight, absent) if w < IDENTIFIER_WEIGHT)

    # ---- stage 2: the pre-score ----------------------------------------------------------------

    def prescore(
        self, query: Mapping[str, Any], cands: Candidates, names: list[str] | None = None
    ) -> npt.NDArray[np.float32]:
        """Best similarity (0..1, rapidfuzz's ratio) of any query name to any candidate name,
        words sorted or spaces removed: reordered words, or words split and joined
        differently ("xi jin ping" / "xi jinping"). Adding token_set_ratio (the query part of
        a longer name) cost 40% more for no recall on 900 listed-name queries, and the vote
        already ranks such names high."""
        index = self.index
        if names is None:
            names = entity_names(query)
        qnorms = [n for n in (name_norm(x) for x in names) if n]
        # ...and without its honorifics ("title" once normalised): "Ayatollah Khamenei"
        # pre-scored Ali Husseini KHAMENEI out of the Matcher's reach and named only his son
        qnorms += [bare for n in qnorms if _TITLE in n and _TITLE in n.split()
                   if (bare := " ".join(w for w in n.split() if w != _TITLE))]
        pre = _kernels().prescore(index.name_bytes, index.name_offsets, cands.rows, qnorms)
        # (a name in that script alone: in a name of mixed scripts, "سارینا Wehr", the Latin
        # words' vowels are written and their skeletons met chance names)
        if any(main_script(x) in _ABJADS and not _LATIN_LETTER.search(x) for x in names):
            pre = np.maximum(pre, self._skeleton_prescore(qnorms, cands.rows))
        return pre

    def _skeleton_prescore(
        self, qnorms: list[str], rows: npt.NDArray[np.int32]
    ) -> npt.NDArray[np.float32]:
        """The pre-score of consonant skeletons, for a query written in Arabic or Hebrew:
        those scripts leave short vowels (and doubled letters) unwritten, so "حسن نصر الله"
        reads "hsn nsr allh" and its ratio to "hasan nasrallah" (0.40) left the listed
        NASRALLAH unscored behind names that share "allah". Skeletons: "hsn nsr llh" and
        "hsn nsrllh". Python, for such a query only: ~1 ms over its 64 candidates, 0.03 ms a
        query of bench.speed's mix (44 of 1,603 are in those scripts)."""
        forms = [f for n in qnorms for f in _skeleton_forms(n)]
        nb, offsets = self.index.name_bytes, self.index.name_offsets
        data, ends = nb.data, nb.ends
        cache = self._skeletons  # the same listed names come back for query after query
        flat: list[str] = []
        starts = np.zeros(len(rows), dtype=np.int64)
        for i, row in enumerate(rows.tolist()):
            cand = cache.get(row)
            if cand is None:
                if len(cache) >= SKELETON_CACHE:
                    cache.clear()
                cand = cache[row] = [
                    f
                    for p in range(int(offsets[row]), int(offsets[row + 1]))
                    for f in _skeleton_forms(bytes(data[ends[p] : ends[p + 1]]).decode("utf-8"))
                ] or [""]
            starts[i] = len(flat)
            flat.extend(cand)
        if not forms or not flat:
            return np.zeros(len(rows), dtype=np.float32)
        # one call for all rows: a call per row cost more than the ratios themselves
        best = cdist(forms, flat, scorer=fuzz.ratio, processor=None, dtype=np.float32).max(0)
        return np.asarray(np.maximum.reduceat(best, starts) / 100.0, dtype=np.float32)

    def _shortlist(
        self, query: Mapping[str, Any], datasets: set[str] | None
    ) -> _Shortlist:
        """Stages 1 and 2, remembered for the last ``SHORTLIST_CACHE`` distinct names: a
        file names one supplier on many rows (sites, branches, one row per invoice), and the
        vote and the pre-score read nothing but the names, identifiers and schema. With them,
        whether every name is in Latin script (for ``_by_vote``), read from the same names."""
        names = entity_names(query)
        key = (
            str(query.get("schema") or ""),
            tuple(names),
            tuple(entity_identifiers(query)),
            frozenset(datasets) if datasets is not None else None,
        )
        cache = self._shortlists
        found = cache.get(key)
        if found is not None:
            cache.move_to_end(key)
            return found
        cands = self.candidate_rows(query, datasets=datasets, names=names)
        pre = self.prescore(query, cands, names) if len(cands.rows) else np.zeros(0, np.float32)
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
        n = min(self.rescore_by_vote, len(cands.rows))
        # by vote, then by pre-score: the index's row order broke ties of votes, and the
        # same lists gave other hits once stored ("ASTRA": FOREIGN LLC DANA ASTRA 0.60, or
        # DANA HOLDINGS in its place, unscored)
        top = np.lexsort((-pre, -cands.votes))[:n].tolist() if n else []
        if not latin:
            return top
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
        named: bool = False,
    ) -> list[ScreeningHit]:
        """Ranked hits for one FtM-shaped query; ``match`` is ``score >= threshold``. Hits
        scoring below ``cutoff`` are left out (as yente's cutoff): a caller that keeps only
        matches passes its threshold and saves explaining and decoding the rest. A party a
        list only names (``model.mentioned``) is no listed party: left out, unless
        ``named`` (the engine derives hits from it through the link; such hits come on top
        of ``limit``)."""
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
        direct = 0
        for score, _pre, row, outcome in scored:
            if score < cutoff or direct == limit:
                break
            entity = cast(FtMEntity, self.index.entity(row))
            if mentioned(entity):
                # no place in the limit either way: the engine drops it after deriving
                # from it (with limit=1, "Gazprom" returned nothing: the one place went to
                # a party a list only names)
                if not named:
                    continue
            else:
                direct += 1
            if isinstance(outcome, MatchResult):
                result = outcome
            else:
                assert self._explain is not None  # set whenever ``evaluate`` is
                result = self._explain(outcome)
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
        """One ranked list per query, in input order: the function a batch engine calls.
        The cyclic GC is paused meanwhile (``gcpause``): the results pile up, and a full
        collection in the middle of 1,603 bench queries took 0.4-1.1 s of 2-3 s."""
        if threshold is None:
            threshold = DEFAULT_THRESHOLD
        with paused_gc():
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


_ABJADS = frozenset({"arabic", "hebrew"})
_TITLE = "title"  # what ``name_norm`` makes of an honorific (org_terms.yml: title)
SKELETON_CACHE = 50_000  # rows whose names' skeletons a screener keeps (~100 bytes each)
_VOWELS = re.compile(r"[aeiouy]+")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
_DOUBLED = re.compile(r"(.)\1+")


def _skeleton_forms(norm: str) -> tuple[str, str]:
    """A normalised name's words as consonant skeletons, sorted and joined, and run on; its
    titles and org words left out (a title's skeleton, "ttl", is no part of a name's)."""
    words = [w for w in norm.split() if not weak_token(w)] or norm.split()
    words = [s for s in (_DOUBLED.sub(r"\1", _VOWELS.sub("", w)) for w in words) if s]
    return " ".join(sorted(words)), "".join(words)


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
