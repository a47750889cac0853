"""Binary classification and credit-risk metrics: ROC, AUC, KS, recall at FPR, F1.

Score convention: ``y_true`` is 1 for the positive class (fraud, default, forged
document: whatever the model looks for) and a higher score means "more likely
positive". A sample is predicted positive when ``score >= threshold``, so:

- TPR(t) (recall) is the share of positives with ``score >= t``;
- FPR(t) is the share of negatives with ``score >= t``.

A score equal to the threshold is predicted positive, as in scikit-learn's
``roc_curve``. Curves run over the distinct scores and ``inf`` (predicts nothing
positive); tied scores therefore move TPR and FPR together, giving a diagonal
ROC segment (the tie counts one half in the AUC).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from finvision._validation import check_fraction
from finvision.metrics._curve import OperatingPoints, first_at_most, operating_points
from finvision.metrics.inputs import (
    as_binary_labels,
    as_class_labels,
    as_class_scores,
    as_scores,
    as_threshold,
    both_classes,
    same_length,
)


def _points(y_true: Any, y_score: Any) -> OperatingPoints:
    labels = as_binary_labels(y_true, "y_true")
    scores = as_scores(y_score, "y_score")
    same_length(y_true=labels, y_score=scores)
    positive, negative = scores[labels], scores[~labels]
    both_classes(positive, negative, ("positive (y_true == 1)", "negative (y_true == 0)"))
    return operating_points(positive, negative)


def roc_curve(y_true: Any, y_score: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """FPR and TPR at every distinct threshold, as ``sklearn.metrics.roc_curve``.

    The result equals scikit-learn's with ``drop_intermediate=False``:
    thresholds descend from ``inf`` (nothing predicted positive: FPR = TPR = 0)
    through every distinct score.

    Args:
        y_true: 0/1 labels, 1 = positive.
        y_score: one score per sample; higher = more likely positive.

    Returns:
        ``(fpr, tpr, thresholds)``, thresholds descending.

    Raises:
        ValueError: for invalid labels or scores, mismatched lengths, or a
            single class.

    Example:
    >>> fpr, tpr, thresholds = roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> fpr.tolist(), tpr.tolist(), thresholds.tolist()
    ([0.0, 0.0, 0.5, 0.5, 1.0], [0.0, 0.5, 0.5, 1.0, 1.0], [inf, 0.8, 0.4, 0.35, 0.1])
    """
    points = _points(y_true, y_score)
    return (
        points.false_accept_rate[::-1],
        points.true_accept_rate[::-1],
        points.thresholds[::-1],
    )


def roc_auc(y_true: Any, y_score: Any) -> float:
    """Area under the ROC curve (trapezoidal; a tie between classes counts 1/2).

    Equals ``sklearn.metrics.roc_auc_score`` and the Mann-Whitney probability
    that a random positive scores above a random negative.

    Args:
        y_true: 0/1 labels, 1 = positive.
        y_score: one score per sample; higher = more likely positive.

    Returns:
        AUC in [0, 1].

    Raises:
        ValueError: as :func:`roc_curve`.

    Example:
    >>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    fpr, tpr, _ = roc_curve(y_true, y_score)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def ks_statistic(y_true: Any, y_score: Any) -> float:
    """Kolmogorov-Smirnov statistic of a scorecard: ``max over t of TPR(t) - FPR(t)``.

    The largest gap between the score distributions of positives and negatives,
    measured in the direction of the score convention (positives higher). It is
    0 for a model no better than chance and 1 for a perfect separation; a model
    whose scores run the wrong way gets a small value, not a large one. It
    equals ``scipy.stats.ks_2samp(negatives, positives, alternative="greater")``.

    Args:
        y_true: 0/1 labels, 1 = positive (e.g. default).
        y_score: one score per sample; higher = more likely positive.

    Returns:
        KS in [0, 1].

    Raises:
        ValueError: as :func:`roc_curve`.

    Example:
    >>> ks_statistic([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.5
    """
    points = _points(y_true, y_score)
    return float(np.max(points.true_accept_rate - points.false_accept_rate))


def threshold_at_fpr(y_true: Any, y_score: Any, fpr: float = 0.01) -> float:
    """The smallest threshold whose FPR is at most ``fpr`` (so the largest TPR).

    Args:
        y_true: 0/1 labels, 1 = positive.
        y_score: one score per sample; higher = more likely positive.
        fpr: the largest acceptable false positive rate, in [0, 1].

    Returns:
        The threshold: a score, or ``inf`` when only predicting nothing
        positive meets the target.

    Raises:
        ValueError: as :func:`roc_curve`, or for a target outside [0, 1].

    Example:
    >>> threshold_at_fpr([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], fpr=0.0)
    0.8
    """
    target = check_fraction("fpr", fpr)
    points = _points(y_true, y_score)
    return float(points.thresholds[first_at_most(points.false_accept_rate, target)])


def recall_at_fpr(y_true: Any, y_score: Any, fpr: float = 0.01) -> float:
    """The largest TPR (recall) over thresholds whose FPR is at most ``fpr``.

    Args:
        y_true: 0/1 labels, 1 = positive.
        y_score: one score per sample; higher = more likely positive.
        fpr: the largest acceptable false positive rate, in [0, 1].

    Returns:
        TPR in [0, 1] at the threshold of :func:`threshold_at_fpr`.

    Raises:
        ValueError: as :func:`roc_curve`, or for a target outside [0, 1].

    Example:
    >>> recall_at_fpr([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], fpr=0.5)
    1.0
    """
    target = check_fraction("fpr", fpr)
    points = _points(y_true, y_score)
    return float(points.true_accept_rate[first_at_most(points.false_accept_rate, target)])


def confusion_matrix(y_true: Any, y_score: Any, threshold: float = 0.5) -> np.ndarray:
    """Counts of true against predicted classes, binary or multi-class.

    With one score per sample, ``[[tn, fp], [fn, tp]]`` with ``score >=
    threshold`` predicted positive. With a score per class (``(n, K)``, e.g. a
    softmax output), a K x K matrix of class indices ``y_true`` against the
    top-scoring class (``threshold`` is not used). The layout is
    scikit-learn's: rows are the true class, columns the predicted one. Unlike
    the curve metrics, a single class is allowed.

    Args:
        y_true: 0/1 labels, 1 = positive; or class indices in [0, K).
        y_score: one score per sample, or ``(n, K)`` class scores.
        threshold: the decision threshold (binary only).

    Returns:
        A 2 x 2 (or K x K) ``int64`` array.

    Raises:
        ValueError: for invalid labels or scores, mismatched lengths, or a NaN
            threshold.

    Example:
    >>> confusion_matrix([0, 0, 1, 1], [0.1, 0.6, 0.5, 0.4]).tolist()
    [[1, 1], [1, 1]]
    >>> confusion_matrix([0, 2, 2], [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0, 0, 1]]).tolist()
    [[1, 0, 0], [0, 0, 0], [0, 1, 1]]
    """
    if np.ndim(y_score) == 2 and np.shape(y_score)[1] > 1:
        scores = as_class_scores(y_score, "y_score")
        labels = as_class_labels(y_true, "y_true", scores.shape[1])
        same_length(y_true=labels, y_score=scores)
        classes = scores.shape[1]
        pairs = labels * classes + scores.argmax(axis=1)
        return np.bincount(pairs, minlength=classes * classes).reshape(classes, classes)
    labels = as_binary_labels(y_true, "y_true")
    scores = as_scores(y_score, "y_score")
    same_length(y_true=labels, y_score=scores)
    predicted = scores >= as_threshold(threshold)
    return np.array(
        [
            [np.sum(~labels & ~predicted), np.sum(~labels & predicted)],
            [np.sum(labels & ~predicted), np.sum(labels & predicted)],
        ],
        dtype=np.int64,
    )


def f1_score(y_true: Any, y_score: Any, threshold: float = 0.5) -> float:
    """F1 of the positive class, ``2 TP / (2 TP + FP + FN)``, at ``score >= threshold``.

    When there is no positive sample and none is predicted (``2 TP + FP + FN =
    0``) the score is 0, scikit-learn's ``zero_division=0.0``.

    Args:
        y_true: 0/1 labels, 1 = positive.
        y_score: one score per sample.
        threshold: the decision threshold.

    Returns:
        F1 in [0, 1].

    Raises:
        ValueError: as :func:`confusion_matrix`.

    Example:
    >>> f1_score([0, 0, 1, 1], [0.1, 0.6, 0.5, 0.4])
    0.5
    """
    (_, fp), (fn, tp) = confusion_matrix(y_true, as_scores(y_score, "y_score"), threshold)
    denominator = 2 * tp + fp + fn
    return float(2 * tp / denominator) if denominator else 0.0
