"""ROC, AUC, KS, recall at FPR, F1 against scikit-learn and scipy."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import ks_2samp
from sklearn import metrics as sk

from finvision.metrics import functional as exact
from tests.metrics import oracles

TOLERANCE = 1e-9


def _case(name, rng):
    if name == "continuous":
        labels = rng.integers(0, 2, 300)
        return labels, rng.normal(labels * 0.8, 1.0)
    if name == "ties":
        labels = rng.integers(0, 2, 300)
        return labels, np.round(rng.normal(labels * 0.8, 1.0), 1)
    if name == "all equal":
        return rng.integers(0, 2, 50) | np.eye(1, 50, 0, dtype=int)[0], np.full(50, 0.42)
    if name == "imbalanced":
        labels = (rng.uniform(size=500) < 0.02).astype(int)
        labels[0] = 1
        return labels, rng.uniform(size=500) + labels * 0.3
    if name == "separated":
        labels = np.repeat([0, 1], 20)
        return labels, labels + rng.uniform(0, 0.5, 40)
    if name == "inverted":
        labels = np.repeat([0, 1], 20)
        return labels, -labels + rng.uniform(0, 0.5, 40)
    raise AssertionError(name)


CASES = ["continuous", "ties", "all equal", "imbalanced", "separated", "inverted"]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("seed", range(3))
def test_roc_curve_and_auc_equal_sklearn(case, seed):
    labels, scores = _case(case, np.random.default_rng(seed))
    fpr, tpr, thresholds = exact.roc_curve(labels, scores)
    expected = sk.roc_curve(labels, scores, drop_intermediate=False)
    np.testing.assert_array_equal(fpr, expected[0])
    np.testing.assert_array_equal(tpr, expected[1])
    np.testing.assert_array_equal(thresholds, expected[2])
    assert abs(exact.roc_auc(labels, scores) - sk.roc_auc_score(labels, scores)) <= TOLERANCE


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("seed", range(3))
def test_ks_equals_scipy(case, seed):
    labels, scores = _case(case, np.random.default_rng(seed))
    positives, negatives = scores[labels == 1], scores[labels == 0]
    ks = exact.ks_statistic(labels, scores)
    greater = ks_2samp(negatives, positives, alternative="greater").statistic
    assert abs(ks - greater) <= TOLERANCE
    # The two-sided statistic is the larger of the two one-sided ones.
    two_sided = ks_2samp(positives, negatives).statistic
    assert abs(max(ks, exact.ks_statistic(1 - labels, scores)) - two_sided) <= TOLERANCE


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("target", [0.0, 0.001, 0.01, 0.1, 0.5, 1.0])
def test_recall_at_fpr_is_read_off_sklearns_roc(case, target):
    labels, scores = _case(case, np.random.default_rng(1))
    fpr, tpr, thresholds = sk.roc_curve(labels, scores, drop_intermediate=False)
    feasible = fpr <= target
    assert abs(exact.recall_at_fpr(labels, scores, fpr=target) - tpr[feasible].max()) <= TOLERANCE
    # The chosen threshold is the smallest feasible one.
    assert exact.threshold_at_fpr(labels, scores, fpr=target) == thresholds[feasible].min()


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("threshold", [-math.inf, -0.5, 0.0, 0.42, 0.5, 1.0, math.inf])
def test_f1_and_confusion_matrix_equal_sklearn(case, threshold):
    labels, scores = _case(case, np.random.default_rng(2))
    predicted = (scores >= threshold).astype(int)
    expected_f1 = sk.f1_score(labels, predicted, zero_division=0.0)
    assert abs(exact.f1_score(labels, scores, threshold) - expected_f1) <= TOLERANCE
    np.testing.assert_array_equal(
        exact.confusion_matrix(labels, scores, threshold),
        sk.confusion_matrix(labels, predicted, labels=[0, 1]),
    )


def test_tie_rules_and_degenerate_scores():
    # All scores equal: ROC is the diagonal, AUC 1/2, KS 0.
    labels, scores = [0, 1, 0, 1], [0.3] * 4
    assert exact.roc_auc(labels, scores) == 0.5
    assert exact.ks_statistic(labels, scores) == 0.0
    # A score equal to the threshold is predicted positive.
    assert exact.confusion_matrix([1, 0], [0.5, 0.5], threshold=0.5).tolist() == [[0, 1], [0, 1]]
    # A single class is fine at a fixed threshold: F1 with no positive at all is 0.
    assert exact.f1_score([0, 0], [0.1, 0.2]) == 0.0
    assert exact.f1_score([1, 1], [0.9, 0.2]) == pytest.approx(2 / 3)
    # Perfect and inverted rankings.
    assert exact.roc_auc([0, 1], [0.1, 0.9]) == 1.0
    assert exact.roc_auc([0, 1], [0.9, 0.1]) == 0.0
    assert exact.ks_statistic([0, 1], [0.9, 0.1]) == 0.0


@pytest.mark.parametrize(
    ("y_true", "y_score", "message"),
    [
        ([], [], "`y_true` is empty"),
        ([0, 1], [0.1, float("nan")], "NaN"),
        ([0, 2], [0.1, 0.2], r"only 0 and 1.*\[2\]"),
        ([0, -1, 0.5], [0.1, 0.2, 0.3], r"received other values \[-1.0, 0.5\]"),
        ([0, 1], [0.1, 0.2, 0.3], "`y_true` has 2, `y_score` has 3"),
        ([1, 1], [0.1, 0.2], "No negative"),
        ([0, 0], [0.1, 0.2], "No positive"),
        ([[0, 1]], [0.1, 0.2], "must be 1-D"),
    ],
)
def test_bad_input_raises(y_true, y_score, message):
    for function in (exact.roc_curve, exact.roc_auc, exact.ks_statistic, exact.recall_at_fpr):
        with pytest.raises(ValueError, match=message):
            function(y_true, y_score)


def test_fixed_threshold_metrics_reject_bad_input():
    with pytest.raises(ValueError, match="`y_score` is empty"):
        exact.f1_score([0], [])
    with pytest.raises(ValueError, match="only 0 and 1"):
        exact.confusion_matrix([3], [0.2])


labelled = st.lists(
    st.tuples(st.integers(0, 1), st.integers(-4, 4).map(lambda i: i / 2)), min_size=2, max_size=40
).filter(lambda rows: {label for label, _ in rows} == {0, 1})


@settings(max_examples=120, deadline=None)
@given(labelled, st.sampled_from([0.0, 0.1, 0.25, 0.5]))
def test_property_against_sklearn_scipy_and_counting(rows, target):
    labels = np.array([label for label, _ in rows])
    scores = np.array([score for _, score in rows])
    assert exact.roc_auc(labels, scores) == pytest.approx(
        sk.roc_auc_score(labels, scores), abs=1e-12
    )
    # Swapping the score direction complements the AUC.
    assert exact.roc_auc(labels, scores) + exact.roc_auc(labels, -scores) == pytest.approx(1.0)
    positives, negatives = scores[labels == 1].tolist(), scores[labels == 0].tolist()
    ks = ks_2samp(negatives, positives, alternative="greater").statistic
    assert exact.ks_statistic(labels, scores) == pytest.approx(ks, abs=1e-12)
    expected_miss, _ = oracles.best_reject_at_accept(positives, negatives, target)
    assert exact.recall_at_fpr(labels, scores, target) == pytest.approx(1 - expected_miss)
