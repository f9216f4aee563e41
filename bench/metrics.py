"""Quality metrics for a scorer on labelled pairs, and plain-text tables to print them.

Screening cares about two things at once: missing a listed party (recall) and burying
analysts in false alerts (false-positive rate), so besides P/R/F1 at the operating threshold
we report recall at a fixed 1% false-positive rate, which compares scorers independently of
where each puts its threshold, and a reliability curve, which says whether a score of 0.8
means "true 8 times in 10".
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FALLBACK_THRESHOLD = 0.7  # yente's default match threshold


def default_threshold() -> float:
    """The matcher's own operating threshold once it exists, else yente's default."""
    try:
        module = importlib.import_module("redflags.matching")
    except ImportError:
        return FALLBACK_THRESHOLD
    return float(getattr(module, "DEFAULT_THRESHOLD", FALLBACK_THRESHOLD))


@dataclass(frozen=True)
class Metrics:
    """Figures for one scorer on one group of pairs; None where a figure is undefined
    (e.g. precision with no predicted positives, recall on an all-negative set)."""

    n: int
    positives: int
    threshold: float
    tp: int
    fp: int
    fn: int
    tn: int
    precision: float | None
    recall: float | None
    f1: float | None
    fpr: float | None
    recall_at_1pct_fpr: float | None
    best_f1: float | None
    best_f1_threshold: float | None
    roc_auc: float | None

    def to_dict(self) -> dict[str, Any]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class Bin:
    """One reliability bin: how often pairs scored in [lo, hi) were really the same."""

    lo: float
    hi: float
    n: int
    mean_score: float | None
    observed: float | None

    def to_dict(self) -> dict[str, Any]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def _arrays(scores: Sequence[float], labels: Sequence[bool]) -> tuple[FloatArray, BoolArray]:
    if len(scores) != len(labels):
        raise ValueError(f"{len(scores)} scores for {len(labels)} labels")
    return np.asarray(scores, dtype=np.float64), np.asarray(labels, dtype=np.bool_)


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def roc_points(scores: Sequence[float], labels: Sequence[bool]) -> tuple[FloatArray, FloatArray]:
    """(FPR, TPR) at every distinct threshold, from (0, 0) to (1, 1)."""
    s, y = _arrays(scores, labels)
    order = np.argsort(-s, kind="stable")
    s_sorted, y_sorted = s[order], y[order]
    last = np.r_[s_sorted[1:] != s_sorted[:-1], True]
    tps = np.cumsum(y_sorted)[last]
    fps = np.cumsum(~y_sorted)[last]
    n_pos, n_neg = max(int(y.sum()), 1), max(int((~y).sum()), 1)
    return np.r_[0.0, fps / n_neg], np.r_[0.0, tps / n_pos]


def recall_at_fpr(scores: Sequence[float], labels: Sequence[bool],
                  max_fpr: float = 0.01) -> float | None:
    """Recall when at most ``max_fpr`` of the negatives may pass, read off the ROC curve.

    Between two thresholds the curve is interpolated linearly, which is the expected recall
    if ties are broken at random: a scorer that gives 1.0 to 10% of negatives and 80% of
    positives gets 0.08 at 1% FPR, not 0 (strict ties) and not 0.8 (ties forgiven).
    """
    _, y = _arrays(scores, labels)
    if not y.any() or y.all():
        return None
    fpr, tpr = roc_points(scores, labels)
    i = int(np.searchsorted(fpr, max_fpr, side="right")) - 1  # last point within budget
    if i + 1 >= len(fpr) or fpr[i] == max_fpr:
        return float(tpr[i])
    x0, x1, y0, y1 = fpr[i], fpr[i + 1], tpr[i], tpr[i + 1]
    return float(y0 + (y1 - y0) * (max_fpr - x0) / (x1 - x0))


def best_f1(scores: Sequence[float], labels: Sequence[bool]) -> tuple[float | None, float | None]:
    """The highest F1 over all thresholds, and the threshold (reported, never used)."""
    s, y = _arrays(scores, labels)
    n_pos = int(y.sum())
    if n_pos == 0 or len(s) == 0:
        return None, None
    order = np.argsort(-s, kind="stable")
    s_sorted, y_sorted = s[order], y[order]
    tp = np.cumsum(y_sorted)
    predicted = np.arange(1, len(s) + 1)
    # only evaluate at the last index of each run of equal scores (threshold = that score)
    last = np.r_[s_sorted[1:] != s_sorted[:-1], True]
    f1 = 2 * tp[last] / (predicted[last] + n_pos)
    i = int(np.argmax(f1))
    return float(f1[i]), float(s_sorted[last][i])


def roc_auc(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    """Probability a random positive outscores a random negative (ties count half)."""
    s, y = _arrays(scores, labels)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return None
    # average ranks handle ties (Mann-Whitney U)
    order = np.argsort(s, kind="stable")
    ranks = np.empty(len(s), dtype=np.float64)
    ranks[order] = np.arange(1, len(s) + 1)
    _, inverse = np.unique(s, return_inverse=True)
    sums = np.bincount(inverse, weights=ranks)
    counts = np.bincount(inverse)
    ranks = (sums / counts)[inverse]
    u = ranks[y].sum() - n_pos * (n_pos + 1) / 2
    return float(u / (n_pos * n_neg))


def compute(scores: Sequence[float], labels: Sequence[bool],
            threshold: float | None = None) -> Metrics:
    """All figures for one group of pairs; a pair is predicted a match when score >= thr."""
    thr = default_threshold() if threshold is None else threshold
    s, y = _arrays(scores, labels)
    predicted = s >= thr
    tp = int((predicted & y).sum())
    fp = int((predicted & ~y).sum())
    fn = int((~predicted & y).sum())
    tn = int((~predicted & ~y).sum())
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    f1 = None
    if precision is not None and recall is not None:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    bf1, bthr = best_f1(scores, labels)
    return Metrics(
        n=len(s), positives=int(y.sum()), threshold=thr, tp=tp, fp=fp, fn=fn, tn=tn,
        precision=precision, recall=recall, f1=f1, fpr=_ratio(fp, fp + tn),
        recall_at_1pct_fpr=recall_at_fpr(scores, labels, 0.01),
        best_f1=bf1, best_f1_threshold=bthr, roc_auc=roc_auc(scores, labels),
    )


def reliability(scores: Sequence[float], labels: Sequence[bool], bins: int = 10) -> list[Bin]:
    """Equal-width score bins with the mean score and the observed share of true pairs."""
    s, y = _arrays(scores, labels)
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(s, edges[1:-1], right=False), 0, bins - 1)
    out = []
    for b in range(bins):
        mask = idx == b
        n = int(mask.sum())
        out.append(Bin(
            lo=float(edges[b]), hi=float(edges[b + 1]), n=n,
            mean_score=float(s[mask].mean()) if n else None,
            observed=float(y[mask].mean()) if n else None,
        ))
    return out


def expected_calibration_error(curve: Sequence[Bin]) -> float | None:
    """Count-weighted mean gap between mean score and observed share across bins."""
    total = sum(b.n for b in curve)
    if not total:
        return None
    return sum(
        b.n * abs(b.mean_score - b.observed)
        for b in curve if b.mean_score is not None and b.observed is not None
    ) / total


# --------------------------------------------------------------------------- printing


def fmt(value: object, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A fixed-width text table: first column left-aligned, the rest right-aligned."""
    cells = [[str(h) for h in headers]] + [[fmt(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for j, row in enumerate(cells):
        parts = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:],
                                                                          strict=True)]
        lines.append("  ".join(parts).rstrip())
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def metrics_row(label: str, m: Metrics) -> list[object]:
    return [label, m.n, m.positives, m.precision, m.recall, m.f1, m.fpr,
            m.recall_at_1pct_fpr, m.roc_auc, m.best_f1, m.best_f1_threshold]


METRICS_HEADERS = ["group", "n", "pos", "P", "R", "F1", "FPR", "R@1%FPR", "AUC", "bestF1",
                   "@thr"]


def reliability_table(curve: Sequence[Bin]) -> str:
    rows = [[f"{b.lo:.1f}-{b.hi:.1f}", b.n, b.mean_score, b.observed] for b in curve]
    return table(["score bin", "n", "mean score", "share true"], rows)
