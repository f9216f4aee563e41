"""Benchmark metrics agree with their definitions, and the quality script runs end to end."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench import metrics as mx
from bench import quality

scores_labels = st.lists(
    st.tuples(st.floats(0.0, 1.0, allow_nan=False), st.booleans()), min_size=1, max_size=60
)


def brute_best_f1(scores: list[float], labels: list[bool]) -> float:
    best = 0.0
    for t in set(scores):
        m = mx.compute(scores, labels, t)
        best = max(best, m.f1 or 0.0)
    return best


def brute_auc(scores: list[float], labels: list[bool]) -> float:
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def test_confusion_at_threshold() -> None:
    m = mx.compute([0.9, 0.8, 0.6, 0.3, 0.75], [True, False, True, False, True], 0.7)
    assert (m.tp, m.fp, m.fn, m.tn) == (2, 1, 1, 1)
    assert m.precision == pytest.approx(2 / 3)
    assert m.recall == pytest.approx(2 / 3)
    assert m.f1 == pytest.approx(2 / 3)
    assert m.fpr == pytest.approx(0.5)


def test_undefined_figures_are_none() -> None:
    m = mx.compute([0.1, 0.2], [False, False], 0.7)
    assert m.precision is None and m.recall is None and m.f1 is None
    assert m.recall_at_1pct_fpr is None and m.roc_auc is None
    assert m.fpr == 0.0


def test_recall_at_fpr_breaks_ties_at_random() -> None:
    neg = [0.5] * 100
    assert mx.recall_at_fpr([0.5, 0.6], [True, True], 0.01) is None
    # 0.6 passes alone (FPR 0); at 0.5 all pass: 1% of the way from recall 0.5 to 1.0
    got = mx.recall_at_fpr([*neg, 0.5, 0.6], [False] * 100 + [True, True], 0.01)
    assert got == pytest.approx(0.505)
    # one negative in 100 may pass at 1% FPR: the 0.9 negative is forgiven
    scores = [0.9] + [0.1] * 99 + [0.8, 0.05]
    labels = [False] * 100 + [True, True]
    assert mx.recall_at_fpr(scores, labels, 0.01) == 0.5
    # saturated scorer: 1.0 for 10% of negatives and 80% of positives
    scores = [1.0] * 10 + [0.0] * 90 + [1.0] * 80 + [0.0] * 20
    labels = [False] * 100 + [True] * 100
    assert mx.recall_at_fpr(scores, labels, 0.01) == pytest.approx(0.08)


@given(scores_labels)
def test_recall_at_fpr_is_monotone_and_bounded(data: list[tuple[float, bool]]) -> None:
    scores = [s for s, _ in data]
    labels = [y for _, y in data]
    low = mx.recall_at_fpr(scores, labels, 0.01)
    high = mx.recall_at_fpr(scores, labels, 0.2)
    if low is None or high is None:
        assert all(labels) or not any(labels)
    else:
        assert 0.0 <= low <= high <= 1.0


@given(scores_labels)
def test_best_f1_and_auc_match_brute_force(data: list[tuple[float, bool]]) -> None:
    scores = [s for s, _ in data]
    labels = [y for _, y in data]
    f1, thr = mx.best_f1(scores, labels)
    if not any(labels):
        assert f1 is None
    else:
        assert f1 == pytest.approx(brute_best_f1(scores, labels))
        assert thr is not None and mx.compute(scores, labels, thr).f1 == pytest.approx(f1)
    auc = mx.roc_auc(scores, labels)
    if all(labels) or not any(labels):
        assert auc is None
    else:
        assert auc == pytest.approx(brute_auc(scores, labels))


@given(scores_labels)
def test_reliability_bins_cover_every_pair(data: list[tuple[float, bool]]) -> None:
    scores = [s for s, _ in data]
    labels = [y for _, y in data]
    curve = mx.reliability(scores, labels)
    assert len(curve) == 10
    assert sum(b.n for b in curve) == len(scores)
    for b in curve:
        if b.n:
            # the mean of n equal scores just below an edge may round past it by an ulp
            assert b.mean_score is not None
            assert b.lo - 1e-12 <= b.mean_score <= b.hi + 1e-12
    assert all(a.hi == pytest.approx(b.lo) for a, b in pairwise(curve))


def test_perfectly_calibrated_scores_have_zero_ece() -> None:
    rng = np.random.default_rng(0)
    labels = [bool(x) for x in rng.random(2000) < 0.5]
    scores = [1.0 if y else 0.0 for y in labels]
    assert mx.expected_calibration_error(mx.reliability(scores, labels)) == 0.0


def test_table_aligns_columns() -> None:
    text = mx.table(["group", "n", "F1"], [["a", 10, 0.5], ["bb", 200, None]])
    lines = text.splitlines()
    assert len({len(line) for line in lines[:2]}) == 1
    assert lines[3].endswith("-")


def test_naive_baseline_scores_names() -> None:
    a = {"schema": "Person", "properties": {"name": ["Vladimir Putin"]}}
    b = {"schema": "Person", "properties": {"firstName": ["vladimir"], "lastName": ["PUTIN"]}}
    c = {"schema": "Person", "properties": {"name": ["Angela Merkel"]}}
    assert quality.naive_score(a, b) == 1.0
    assert quality.naive_score(a, c) < 0.5


def test_quality_script_end_to_end(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "q.json"
    rc = quality.main(
        ["--sets", "hard_cases", "--limit", "120", "--scorers", "naive", "--json", str(out)]
    )
    assert rc == 0
    printed = capsys.readouterr().out
    assert "hard_cases" in printed and "R@1%FPR" in printed and "cpu_count" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    naive = data["scorers"]["naive"]
    assert naive["sets"]["hard_cases"]["all"]["n"] == 120
    assert set(naive["sets"]["hard_cases"]["categories"]) == {"generic_company", "same_surname"}
    assert len(naive["reliability"]) == 10
    assert data["ratio_ours_logic_v2"] is None
