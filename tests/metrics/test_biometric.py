"""FMR, FNMR, EER and DET against brute force, scikit-learn and hand-worked cases."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_curve

from finvision.metrics import functional as exact
from tests.metrics import oracles

TOLERANCE = 1e-9


def _scores(rng, size, decimals=None, shift=0.0):
    values = rng.normal(shift, 1.0, size)
    return np.round(values, decimals) if decimals is not None else values


CASES = {
    "continuous": lambda rng: (_scores(rng, 60, shift=1.0), _scores(rng, 80)),
    "heavy ties": lambda rng: (_scores(rng, 70, 1, 0.7), _scores(rng, 90, 1)),
    "all equal": lambda rng: (np.full(5, 0.3), np.full(7, 0.3)),
    "separated": lambda rng: (rng.uniform(0.6, 1, 20), rng.uniform(0, 0.4, 30)),
    "inverted": lambda rng: (rng.uniform(0, 0.4, 20), rng.uniform(0.6, 1, 30)),
    "one each": lambda rng: (np.array([0.4]), np.array([0.6])),
    "touching": lambda rng: (np.array([0.5, 0.9]), np.array([0.1, 0.5])),
    "integers": lambda rng: (rng.integers(0, 4, 25), rng.integers(0, 3, 25)),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("seed", range(3))
def test_eer_matches_the_fvc2000_definition(case, seed):
    genuine, impostor = CASES[case](np.random.default_rng(seed))
    eer, threshold = exact.equal_error_rate(genuine, impostor)
    expected_eer, expected_threshold = oracles.eer_fvc2000(genuine.tolist(), impostor.tolist())
    assert abs(eer - expected_eer) <= TOLERANCE
    assert threshold == expected_threshold


@pytest.mark.parametrize("case", CASES)
def test_rates_at_thresholds_match_counting_and_sklearn(case):
    genuine, impostor = CASES[case](np.random.default_rng(7))
    labels = np.r_[np.ones(genuine.size), np.zeros(impostor.size)]
    fpr, tpr, thresholds = roc_curve(labels, np.r_[genuine, impostor], drop_intermediate=False)
    for rate_fpr, rate_tpr, threshold in zip(fpr, tpr, thresholds, strict=True):
        assert abs(exact.false_match_rate(genuine, impostor, threshold) - rate_fpr) <= TOLERANCE
        assert (
            abs(exact.false_non_match_rate(genuine, impostor, threshold) - (1 - rate_tpr)) <= 1e-9
        )
    for threshold in (-math.inf, 0.0, 0.35, 0.5, 2.0, math.inf):
        assert exact.false_match_rate(genuine, impostor, threshold) == oracles.accept_rate(
            impostor.tolist(), threshold
        )
        assert exact.false_non_match_rate(genuine, impostor, threshold) == oracles.reject_rate(
            genuine.tolist(), threshold
        )


@pytest.mark.parametrize("case", CASES)
def test_det_curve_is_the_full_roc_reversed(case):
    genuine, impostor = CASES[case](np.random.default_rng(3))
    fmr, fnmr, thresholds = exact.det_curve(genuine, impostor)
    labels = np.r_[np.ones(genuine.size), np.zeros(impostor.size)]
    fpr, tpr, sk_thresholds = roc_curve(labels, np.r_[genuine, impostor], drop_intermediate=False)
    np.testing.assert_allclose(fmr, fpr[::-1], rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(fnmr, 1 - tpr[::-1], rtol=0, atol=TOLERANCE)
    np.testing.assert_array_equal(thresholds, sk_thresholds[::-1])
    assert np.all(np.diff(thresholds) > 0)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("target", [0.0, 0.01, 0.1, 0.5, 1.0])
def test_fnmr_at_fmr_is_the_best_feasible_operating_point(case, target):
    genuine, impostor = CASES[case](np.random.default_rng(11))
    expected, expected_threshold = oracles.best_reject_at_accept(
        genuine.tolist(), impostor.tolist(), target
    )
    assert abs(exact.fnmr_at_fmr(genuine, impostor, fmr=target) - expected) <= TOLERANCE
    assert exact.threshold_at_fmr(genuine, impostor, fmr=target) == expected_threshold
    # The same figure read off scikit-learn's ROC curve.
    labels = np.r_[np.ones(genuine.size), np.zeros(impostor.size)]
    fpr, tpr, _ = roc_curve(labels, np.r_[genuine, impostor], drop_intermediate=False)
    assert abs(exact.fnmr_at_fmr(genuine, impostor, target) - np.min(1 - tpr[fpr <= target])) < 1e-9


def test_hand_worked_eer():
    # Thresholds 0.1 .. 0.9: FMR 1, .75, .5, .5, .25, .25, 0, 0; FNMR 0, 0, 0, .25, .25, .5, ...
    # At t = 0.7 FMR = FNMR = 0.25 exactly.
    assert exact.equal_error_rate([0.9, 0.8, 0.7, 0.3], [0.1, 0.2, 0.4, 0.75]) == (0.25, 0.7)
    # No exact crossing: t1 = 0.65 (FMR 1/2, FNMR 1/3) and t2 = 0.7 (FMR 0, FNMR 1/3);
    # t2 has the smaller sum, so EER = (0 + 1/3) / 2 = 1/6 at 0.7.
    eer, threshold = exact.equal_error_rate([0.6, 0.7, 0.8], [0.65, 0.1])
    assert (eer, threshold) == (pytest.approx(1 / 6, abs=1e-15), 0.7)
    # Perfect separation: EER 0 at the lowest genuine score.
    assert exact.equal_error_rate([0.6, 0.7, 0.8], [0.5, 0.1]) == (0.0, 0.6)


def test_edge_cases():
    assert exact.equal_error_rate([1.0], [0.0]) == (0.0, 1.0)
    assert exact.equal_error_rate([0.0], [1.0]) == (1.0, 1.0)
    assert exact.equal_error_rate([0.5, 0.5], [0.5]) == (0.5, 0.5)
    # Only rejecting everything meets FMR <= 0 when an impostor has the top score.
    assert exact.threshold_at_fmr([0.2, 0.4], [0.9], fmr=0.0) == math.inf
    assert exact.fnmr_at_fmr([0.2, 0.4], [0.9], fmr=0.0) == 1.0
    assert exact.fnmr_at_fmr([0.2, 0.4], [0.9], fmr=1.0) == 0.0
    # A column of scores works like a vector.
    assert exact.equal_error_rate([[0.9], [0.1]], [[0.2]]) == exact.equal_error_rate(
        [0.9, 0.1], [0.2]
    )


@pytest.mark.parametrize(
    ("genuine", "impostor", "message"),
    [
        ([], [0.1], "`genuine` is empty"),
        ([0.2], [], "`impostor` is empty"),
        ([0.2, float("nan")], [0.1], "1 NaN"),
        ([0.2], [float("inf")], "infinite"),
        (["a"], [0.1], "real numbers"),
        ([[0.1, 0.2]], [0.1], "1-D"),
    ],
)
def test_bad_scores_raise(genuine, impostor, message):
    for function in (exact.equal_error_rate, exact.det_curve, exact.fnmr_at_fmr):
        with pytest.raises(ValueError, match=message):
            function(genuine, impostor)


def test_bad_targets_and_thresholds_raise():
    with pytest.raises(ValueError, match=r"`fmr` must be a number in \[0, 1\]; received 1.5"):
        exact.fnmr_at_fmr([0.5], [0.1], fmr=1.5)
    with pytest.raises(ValueError, match="`threshold` must be a real number; received NaN"):
        exact.false_match_rate([0.5], [0.1], float("nan"))


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False)
rounded = st.integers(-5, 5).map(lambda i: i / 4)  # many ties


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.one_of(finite, rounded), min_size=1, max_size=25),
    st.lists(st.one_of(finite, rounded), min_size=1, max_size=25),
)
def test_property_eer_equals_brute_force(genuine, impostor):
    eer, threshold = exact.equal_error_rate(genuine, impostor)
    assert (eer, threshold) == pytest.approx(oracles.eer_fvc2000(genuine, impostor), abs=1e-12)
    assert 0.0 <= eer <= 1.0
    # The EER lies between FMR and FNMR at its threshold.
    fmr = exact.false_match_rate(genuine, impostor, threshold)
    fnmr = exact.false_non_match_rate(genuine, impostor, threshold)
    assert min(fmr, fnmr) - 1e-12 <= eer <= max(fmr, fnmr) + 1e-12


@settings(max_examples=100, deadline=None)
@given(
    st.lists(rounded, min_size=1, max_size=30),
    st.lists(rounded, min_size=1, max_size=30),
    st.floats(0, 1),
)
def test_property_rates_are_invariant_to_increasing_transforms(genuine, impostor, target):
    transform = np.exp  # strictly increasing: every decision is unchanged
    g, i = np.array(genuine), np.array(impostor)
    assert exact.equal_error_rate(g, i)[0] == exact.equal_error_rate(transform(g), transform(i))[0]
    assert exact.fnmr_at_fmr(g, i, target) == exact.fnmr_at_fmr(transform(g), transform(i), target)
