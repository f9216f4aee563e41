"""Entity matching: the scorer (``Matcher``), its features, and the matching contract types.

``DEFAULT_THRESHOLD`` is the one place the product's default match cut-off lives.

The scorer and its features are imported on first use: they pull in followthemoney and
pypinyin (~2.3 s), and the contract types alone are enough for the CLI to start (`redflags
--help` took 3.2 s when this package imported them eagerly).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from redflags.matching.types import FeatureExplanation, MatchResult, ScreeningHit

if TYPE_CHECKING:
    from redflags.matching.features import PreparedEntity, prepare
    from redflags.matching.scorer import DEFAULT_ALGORITHM, Matcher

# Scores are calibrated probabilities; on the train split the pooled F1 of the labelled pairs
# peaks at 0.50-0.55 and the mean per-set F1 is flat from 0.40 to 0.60 (scripts/fit_matcher.py
# prints the sweep). Raise it for fewer, surer alerts.
DEFAULT_THRESHOLD = 0.55

_LAZY = {
    "DEFAULT_ALGORITHM": "redflags.matching.scorer",
    "Matcher": "redflags.matching.scorer",
    "PreparedEntity": "redflags.matching.features",
    "prepare": "redflags.matching.features",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_ALGORITHM",
    "DEFAULT_THRESHOLD",
    "FeatureExplanation",
    "MatchResult",
    "Matcher",
    "PreparedEntity",
    "ScreeningHit",
    "prepare",
]
