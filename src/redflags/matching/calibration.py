"""The logistic combination of features, its fitted weights (weights.json) and the fitter.

Weights are data, fitted by ``scripts/fit_matcher.py`` on labelled pairs with a fixed seed,
so a score of 0.9 means about 9 in 10 such pairs were true matches in that data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from redflags.matching.features import FEATURES

PERSON = "person"
ORG = "org"


CROSS_SCRIPT = "_xscript"
FAMILIES = (PERSON, PERSON + CROSS_SCRIPT, ORG, ORG + CROSS_SCRIPT)


@lru_cache(maxsize=1024)
def family_of(query_schema: str, candidate_schema: str, cross_script: bool = False) -> str:
    """Persons and organisations are matched by different evidence, and names compared
    across scripts by different name features: each family has its own weights."""
    base = PERSON if PERSON.title() in (query_schema, candidate_schema) else ORG
    return base + CROSS_SCRIPT if cross_script else base


@dataclass(frozen=True)
class FamilyWeights:
    intercept: float
    weights: dict[str, float]


@dataclass(frozen=True)
class Weights:
    """Fitted model: per family (person / org) an intercept and one weight per feature."""

    algorithm: str
    version: str
    families: dict[str, FamilyWeights]

    def family(self, family: str) -> FamilyWeights:
        return self.families.get(family) or self.families[family.removesuffix(CROSS_SCRIPT)]

    def logit(self, family: str, values: Mapping[str, float]) -> float:
        fw = self.families.get(family) or self.families[family.removesuffix(CROSS_SCRIPT)]
        return fw.intercept + sum(fw.weights.get(k, 0.0) * v for k, v in values.items())

    def contribution(self, family: str, name: str, value: float) -> float:
        fw = self.families.get(family) or self.families[family.removesuffix(CROSS_SCRIPT)]
        return fw.weights.get(name, 0.0) * value


@lru_cache(maxsize=8)
def load_weights(algorithm: str) -> Weights:
    raw = resources.files("redflags.matching").joinpath("weights.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(raw)
    models: dict[str, Any] = data["models"]
    if algorithm not in models:
        raise KeyError(f"unknown algorithm {algorithm!r}; known: {', '.join(models)}")
    spec = models[algorithm]
    families = {
        name: FamilyWeights(float(fam["intercept"]),
                            {k: float(v) for k, v in fam["weights"].items()})
        for name, fam in spec["families"].items()
    }
    return Weights(algorithm, str(spec["version"]), families)


def fit_logistic(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64],
                 sample_weight: npt.NDArray[np.float64] | None = None, l2: float = 1.0,
                 iterations: int = 50, offset: npt.NDArray[np.float64] | None = None,
                 ) -> tuple[float, npt.NDArray[np.float64]]:
    """L2-regularised logistic regression by Newton's method (IRLS); deterministic.

    numpy rather than scikit-learn: the project does not depend on scikit-learn and the
    problem (two dozen features, a few thousand rows) converges in ~10 Newton steps.
    ``offset`` is a fixed per-row logit term (features whose weight was set by a prior).
    """
    n, d = x.shape
    sw = np.ones(n) if sample_weight is None else sample_weight
    xb = np.hstack([np.ones((n, 1)), x])
    beta = np.zeros(d + 1)
    reg = np.full(d + 1, l2)
    reg[0] = 0.0
    off = np.zeros(n) if offset is None else offset
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ beta + off, -30, 30)))
        grad = xb.T @ (sw * (p - y)) + reg * beta
        hess = (xb * (sw * p * (1 - p))[:, None]).T @ xb + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return float(beta[0]), beta[1:]


def fit_temperature(logits: npt.NDArray[np.float64], y: npt.NDArray[np.float64], pivot: float,
                    iterations: int = 50) -> float:
    """The slope ``t`` that makes ``sigmoid(pivot + t * (z - pivot))`` the best-calibrated
    probability (maximum likelihood, Newton's method).

    The weighted fit (sets capped and floored so that none dominates) leaves scores less
    sure than the pooled pairs are: pairs scored 0.9 are true 99 times in 100. Stretching
    the logits around the decision threshold's logit (``pivot``) calibrates them without
    moving any pair across the threshold, so every F1 at the threshold stays the same.
    """
    d = logits - pivot
    t = 1.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(pivot + t * d, -30, 30)))
        grad = float(d @ (p - y))
        hess = float((d * d) @ (p * (1 - p)))
        if hess <= 0:
            break
        step = grad / hess
        t = min(5.0, max(0.2, t - step))
        if abs(step) < 1e-9:
            break
    return t


def to_matrix(rows: Sequence[Mapping[str, float]]) -> npt.NDArray[np.float64]:
    return np.array([[r.get(f, 0.0) for f in FEATURES] for r in rows], dtype=np.float64)
