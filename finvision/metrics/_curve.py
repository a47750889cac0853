"""Every operating point of a score-threshold decision, computed once by sorting.

The decision rule throughout finvision is: a sample is *accepted* (as genuine,
bona fide or positive) when ``score >= threshold``. The candidate thresholds are
the distinct scores in ascending order followed by ``inf``, which rejects every
(finite) score. Between two consecutive candidates no rate changes, so these
thresholds reach every (false accept, false reject) pair the scores allow, and
each candidate gives a different pair.
"""

from __future__ import annotations

import dataclasses

import numpy as np


@dataclasses.dataclass(frozen=True)
class OperatingPoints:
    """Counts at every candidate threshold, in ascending threshold order.

    Attributes:
        thresholds: the distinct scores, ascending, then ``inf``.
        positives_below: positives with ``score < threshold`` (false rejects).
        negatives_below: negatives with ``score < threshold`` (true rejects).
        num_positives: the number of positive scores.
        num_negatives: the number of negative scores.

    Example:
    >>> points = operating_points(np.array([0.9, 0.5]), np.array([0.5]))
    >>> points.thresholds.tolist(), points.positives_below.tolist()
    ([0.5, 0.9, inf], [0, 1, 2])
    """

    thresholds: np.ndarray
    positives_below: np.ndarray
    negatives_below: np.ndarray
    num_positives: int
    num_negatives: int

    @property
    def false_accept_rate(self) -> np.ndarray:
        """Share of negatives with ``score >= threshold`` (FMR, FPR, APCER)."""
        return (self.num_negatives - self.negatives_below) / self.num_negatives

    @property
    def false_reject_rate(self) -> np.ndarray:
        """Share of positives with ``score < threshold`` (FNMR, FNR, BPCER)."""
        return self.positives_below / self.num_positives

    @property
    def true_accept_rate(self) -> np.ndarray:
        """Share of positives with ``score >= threshold`` (TPR, recall)."""
        return (self.num_positives - self.positives_below) / self.num_positives


def operating_points(positive: np.ndarray, negative: np.ndarray) -> OperatingPoints:
    """Counts false rejects and true rejects at every candidate threshold.

    Runs in ``O(n log n)`` (two sorts and binary searches), so a million scores
    take a fraction of a second.

    Args:
        positive: 1-D float scores of positive samples (may be empty).
        negative: 1-D float scores of negative samples (may be empty).

    Returns:
        The :class:`OperatingPoints`.

    Example:
    >>> points = operating_points(np.array([0.8, 0.6]), np.array([0.1, 0.6]))
    >>> points.false_accept_rate.tolist(), points.false_reject_rate.tolist()
    ([1.0, 0.5, 0.0, 0.0], [0.0, 0.0, 0.5, 1.0])
    """
    distinct = np.unique(np.concatenate([positive, negative]))
    thresholds = np.append(distinct, np.inf)
    return OperatingPoints(
        thresholds=thresholds,
        positives_below=np.searchsorted(np.sort(positive), thresholds, side="left"),
        negatives_below=np.searchsorted(np.sort(negative), thresholds, side="left"),
        num_positives=int(positive.size),
        num_negatives=int(negative.size),
    )


def first_at_most(rates: np.ndarray, target: float) -> int:
    """Index of the first (smallest) threshold whose non-increasing rate is <= target.

    The last candidate threshold (``inf``) has rate 0, so such an index exists.

    Args:
        rates: a non-increasing rate per threshold, ending with 0.
        target: the largest acceptable rate.

    Returns:
        The index.

    Example:
    >>> first_at_most(np.array([1.0, 0.5, 0.25, 0.0]), 0.3)
    2
    """
    return int(np.argmax(rates <= target))
