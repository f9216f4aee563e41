"""The Matcher: compares two FtM-shaped entities and explains the score feature by feature."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz.distance import Indel
from rapidfuzz.process import cdist

from redflags.matching.calibration import Weights, family_of, load_weights
from redflags.matching.features import (
    FEATURES,
    NAME_FEATURES,
    NameComparison,
    PreparedEntity,
    PreparedName,
    compare_names,
    evidence_features,
    initials_only,
    legal_features,
    name_places,
    number_features,
    place_conflict,
    prepare,
    schemas_compatible,
    sigmoid,
    similarity_arrays,
    vocab_use,
)
from redflags.matching.types import FeatureExplanation, MatchResult

DEFAULT_ALGORITHM = "redflags-v1"
# A score is never certainty: even identical records can be two people.
MAX_SCORE = 0.99
# Features computed on the chosen name pair (their explanation shows both names).
_NAME_LEVEL = frozenset(NAME_FEATURES) | {"legal_form_match", "legal_form_conflict",
                                          "number_match", "number_conflict",
                                          "name_initials_only"}
# Candidates against which a row of unknown type keeps its reading as a person's name.
_PERSON_OR_UNKNOWN = frozenset({"Person", "LegalEntity"})
# With many aliases on both sides only the most promising name pairs get the full
# alignment (ranked by one C call over their joined spellings).
FULL_PAIRS = 2


# ... and of those, only the ones whose quick similarity is within this of the best: the
# runner-up far behind almost never wins the full comparison.
PAIR_MARGIN = 0.15


def _strong(names: list[PreparedName], other: list[PreparedName]) -> list[PreparedName]:
    """The names that may be compared: weak aliases only where the other side writes them
    exactly ("Murad Margoshvili" a.k.a. "John" is not every John Smith's match; OFAC does not
    expect screening against its weak a.k.a.s)."""
    if not any(n.weak for n in names):
        return names
    exact = {n.joined for n in other}
    # an entity known by weak aliases alone keeps them all (as before: no name to fall back on)
    return [n for n in names if not n.weak or n.joined in exact] or names


def _alias_pairs(q: PreparedEntity, c: PreparedEntity) -> list[tuple[PreparedName,
                                                                     PreparedName]]:
    q_names, c_names = _strong(q.names, c.names), _strong(c.names, q.names)
    if len(q_names) * len(c_names) == 1:
        return [(q_names[0], c_names[0])]
    quick = cdist([n.joined_simple for n in q_names], [n.joined_simple for n in c_names],
                  scorer=Indel.normalized_similarity)
    # best first; equal quick scores go to the names listed first (a list's main name)
    ranked = sorted((-float(quick[i, j]), i, j) for i in range(len(q_names))
                    for j in range(len(c_names)))
    if len(ranked) > FULL_PAIRS and ranked[FULL_PAIRS - 1][0] == ranked[FULL_PAIRS][0]:
        ranked = _break_ties(ranked, q_names, c_names)
    floor = -ranked[0][0] - PAIR_MARGIN
    return [(q_names[i], c_names[j]) for s, i, j in ranked[:FULL_PAIRS] if -s >= floor]


def _break_ties(ranked: list[tuple[float, int, int]], q_names: list[PreparedName],
                c_names: list[PreparedName]) -> list[tuple[float, int, int]]:
    """Pairs tied on the quick key at the cut, reordered: a pair in one script first, then
    by their words, sorted, with the organisation words kept. The quick key drops those words and
    sounds out the script, so "Huawei Technologies Co., Ltd.", "Huawei Marine", 华为技术有限公司
    and 华为 all read "uavei": the Latin name, the one pair that matches exactly (0.96),
    lost to the two Han aliases (0.77)."""
    tied = ranked[FULL_PAIRS][0]
    head = [t for t in ranked if t[0] < tied]
    order = sorted(
        ((q_names[i].script != c_names[j].script,
          -Indel.normalized_similarity(_words(q_names[i]), _words(c_names[j])), i, j)
         for s, i, j in ranked if s == tied),
    )
    return head + [(tied, i, j) for _, _, i, j in order]


def _words(name: PreparedName) -> str:
    return " ".join(sorted(name.tokens))


class Matcher:
    """Scores query/candidate pairs with one named, versioned algorithm."""

    def __init__(self, algorithm: str = DEFAULT_ALGORITHM) -> None:
        self.weights: Weights = load_weights(algorithm)
        self.algorithm = algorithm
        self.version = self.weights.version
        # per family, the name features with a weight: choosing the best alias pair only
        # needs those (a third of the values), ~10% of a multi-alias comparison
        self._name_weights: dict[str, tuple[float, tuple[tuple[str, float], ...]]] = {}

    def _pair_weights(self, family: str) -> tuple[float, tuple[tuple[str, float], ...]]:
        found = self._name_weights.get(family)
        if found is None:
            fw = self.weights.family(family)
            found = (fw.intercept, tuple((k, w) for k, w in fw.weights.items()
                                         if w and k in NAME_FEATURES))
            self._name_weights[family] = found
        return found

    def prepare(self, entity: Mapping[str, Any]) -> PreparedEntity:
        return prepare(entity)

    def compare(self, query: Mapping[str, Any], candidate: Mapping[str, Any]) -> MatchResult:
        return self.compare_prepared(prepare(query), prepare(candidate))

    def features(self, q: PreparedEntity, c: PreparedEntity) -> tuple[
            dict[str, float], NameComparison | None]:
        """Feature values of the best-scoring name pair plus the entity-level features."""
        values = dict.fromkeys(FEATURES, 0.0)
        best: NameComparison | None = None
        if q.names and c.names:
            pairs = _alias_pairs(q, c)
            q_use = c_use = None
            if q.codes is not None and c.codes is not None and len(pairs) < len(q.names) * len(
                    c.names):
                # only the chosen names' words are aligned: the compiled matrix skips the
                # rest (a listed entity with 15 aliases, a third of its cells in a slow query)
                q_use = vocab_use(q, (qn for qn, _ in pairs))
                c_use = vocab_use(c, (cn for _, cn in pairs))
            sims, array = similarity_arrays(q, c, as_list=False, q_use=q_use, c_use=c_use)
            loose = q.cjk or c.cjk
            best_logit = float("-inf")
            if len(pairs) == 1:  # nothing to choose between: skip the per-pair logit
                best = compare_names(pairs[0][0], pairs[0][1], sims, loose, array)
                pairs = []
            for qn, cn in pairs:
                cmp = compare_names(qn, cn, sims, loose, array)
                intercept, weights = self._pair_weights(
                    family_of(q.schema, c.schema, qn.latin != cn.latin))
                vals = cmp.values
                logit = intercept + sum(w * vals.get(k, 0.0) for k, w in weights)
                if logit > best_logit:
                    best_logit, best = logit, cmp
        if best is not None:
            values.update(best.values)
            values["legal_form_match"], values["legal_form_conflict"] = legal_features(
                best.query, best.candidate)
            values["number_match"], values["number_conflict"] = number_features(
                best.query, best.candidate)
            if values["number_conflict"]:
                values["name_exact"] = 0.0  # "Plant 1" and "Plant 2": same words only
            values["name_initials_only"] = initials_only(best.query, best.candidate)
        evidence_features(q, c, values)
        return values, best

    def evaluate(self, q: PreparedEntity, c: PreparedEntity) -> Evaluation:
        """Score one pair and keep what explaining it needs, so a ranked candidate that is
        then shown is explained without computing its features a second time. An entity
        named in Han may also be read in Korean (``PreparedEntity.korean``): the better
        reading of the pair is the score."""
        if q.as_org is not None and c.schema not in _PERSON_OR_UNKNOWN:
            q = q.as_org
        ev = self._evaluate(q, c)
        if q.korean is None and c.korean is None:
            return ev
        for q_alt, c_alt in ((q.korean, c), (q, c.korean)):
            if q_alt is not None and c_alt is not None:
                alt = self._evaluate(q_alt, c_alt)
                if alt.score > ev.score:
                    ev = alt
        return ev

    def _evaluate(self, q: PreparedEntity, c: PreparedEntity) -> Evaluation:
        if not schemas_compatible(q.schema, c.schema):
            return Evaluation(0.0, 0.0, None, None, q.schema, c.schema)
        values, best = self.features(q, c)
        fw = self.weights.family(family_of(q.schema, c.schema, values["cross_script"] > 0))
        weights = fw.weights
        logit = fw.intercept + sum(weights.get(k, 0.0) * v for k, v in values.items() if v)
        score = min(MAX_SCORE, sigmoid(logit))
        if best is None and not values["identifier_match"]:
            # no name pair to compare and no identifier in common: the fit never saw such a
            # pair, and its intercept alone would say ~0.5 (an empty query against anyone)
            score = 0.0
        return Evaluation(score, fw.intercept, values, best, q.schema, c.schema, weights)

    def score_prepared(self, q: PreparedEntity, c: PreparedEntity) -> float:
        """The score alone (same number as ``compare_prepared``)."""
        return self.evaluate(q, c).score

    def explain(self, ev: Evaluation) -> MatchResult:
        """The explained result of an evaluation: each feature's values and contribution."""
        if ev.values is None:
            expl = FeatureExplanation("schema", 0.0, 0.0,
                                      f"{ev.query_schema} cannot be {ev.candidate_schema}",
                                      ev.query_schema, ev.candidate_schema)
            return MatchResult(0.0, {"schema": expl}, self.algorithm, self.version)
        best = ev.best
        explanations: dict[str, FeatureExplanation] = {}
        if best is None and not ev.values["identifier_match"]:
            explanations["names"] = FeatureExplanation(
                "names", 0.0, 0.0, "no name on one side and no identifier in common: nothing "
                "identifies the pair")
        qname = best.query.text if best else None
        cname = best.candidate.text if best else None
        for name, value in ev.values.items():
            if value == 0.0 and name != "name_align":
                continue
            on_names = name in _NAME_LEVEL
            detail = ""
            if name == "number_conflict" and best is not None and place_conflict(
                    best.query, best.candidate):
                detail = "different places: {} / {}".format(
                    ", ".join(sorted(name_places(best.query))),
                    ", ".join(sorted(name_places(best.candidate))))
            explanations[name] = FeatureExplanation(name, value,
                                                    ev.weights.get(name, 0.0) * value, detail,
                                                    qname if on_names else None,
                                                    cname if on_names else None)
        return MatchResult(ev.score, explanations, self.algorithm, self.version,
                           matched_name=cname, query_name=qname, baseline=ev.intercept)

    def compare_prepared(self, q: PreparedEntity, c: PreparedEntity) -> MatchResult:
        return self.explain(self.evaluate(q, c))


@dataclass(frozen=True, slots=True)
class Evaluation:
    """A scored pair before its explanation is built (``values`` is None: schemas differ)."""

    score: float
    intercept: float
    values: dict[str, float] | None
    best: NameComparison | None
    query_schema: str
    candidate_schema: str
    weights: Mapping[str, float] = field(default_factory=dict)
