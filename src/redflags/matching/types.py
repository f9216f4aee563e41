"""The matching contract every other stage relies on (screening, api, reports).

Kept free of any index or scoring internals so that callers depend on shapes, not code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from redflags.model import FtMEntity


class FeatureExplanation(NamedTuple):
    """One named feature: what was compared, its value, and what it added to the score.

    A named tuple, not a frozen dataclass: a result carries ~20 of them and a frozen
    dataclass took 2.1 µs to build against 0.4 µs (a third of explaining a hit)."""

    name: str
    value: float
    contribution: float
    detail: str = ""
    query_value: str | None = None
    candidate_value: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": round(self.value, 4),
            "contribution": round(self.contribution, 4),
            "detail": self.detail,
            "query_value": self.query_value,
            "candidate_value": self.candidate_value,
        }


@dataclass(frozen=True)
class MatchResult:
    """The outcome of comparing one query with one candidate."""

    score: float
    explanations: dict[str, FeatureExplanation]
    algorithm: str
    algorithm_version: str
    matched_name: str | None = None
    query_name: str | None = None
    # the model's baseline for this kind of pair (its intercept, in the contributions'
    # units): with the contributions it sums to the logit the score is read from, so a
    # reviewer can add the table up
    baseline: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 4),
            "algorithm": self.algorithm,
            "algorithm_version": self.algorithm_version,
            "matched_name": self.matched_name,
            "query_name": self.query_name,
            "baseline": round(self.baseline, 4),
            "explanations": {k: v.to_dict() for k, v in self.explanations.items()},
        }


@dataclass(frozen=True)
class ScreeningHit:
    """A ranked result of a screening: the listed entity, its score and why."""

    entity: FtMEntity
    score: float
    match: bool
    result: MatchResult
    # derived hits (through ownership) carry the path; direct list hits leave it empty.
    derived: bool = False
    evidence: list[dict[str, Any]] = field(default_factory=list)
