"""Entity matching: the scorer (``Matcher``), its features, and the matching contract types.

``DEFAULT_THRESHOLD`` is the one place the product's default match cut-off lives.
"""

from redflags.matching.features import PreparedEntity, prepare
from redflags.matching.scorer import DEFAULT_ALGORITHM, Matcher
from redflags.matching.types import FeatureExplanation, MatchResult, ScreeningHit

# Scores are calibrated probabilities; on the train split the pooled F1 of the labelled pairs
# peaks at 0.50-0.55 and the mean per-set F1 is flat from 0.40 to 0.60 (scripts/fit_matcher.py
# prints the sweep). Raise it for fewer, surer alerts.
DEFAULT_THRESHOLD = 0.55

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
