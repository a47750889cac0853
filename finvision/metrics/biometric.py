"""Verification error rates (ISO/IEC 19795-1): FMR, FNMR, EER, DET curve.

Score convention: a higher score means "more likely the same person" (genuine).
A comparison is a *match* when ``score >= threshold``:

- FMR(t), the false match rate, is the share of impostor scores ``>= t``.
- FNMR(t), the false non-match rate, is the share of genuine scores ``< t``.

A score equal to the threshold is therefore accepted: it counts towards FMR if it
is an impostor's and not towards FNMR if it is a genuine user's. Distance-like
scores (lower = more similar) must be negated first.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from finvision._validation import check_fraction
from finvision.metrics._curve import first_at_most, operating_points
from finvision.metrics.inputs import as_scores, as_threshold


def false_match_rate(genuine: Any, impostor: Any, threshold: float) -> float:
    """Share of impostor scores accepted as matches (``score >= threshold``).

    Args:
        genuine: scores of genuine (mated) comparisons; only checked, since
            FMR depends on impostor scores alone.
        impostor: scores of impostor (non-mated) comparisons.
        threshold: the decision threshold.

    Returns:
        FMR in [0, 1].

    Raises:
        ValueError: for empty, non-finite or non-numeric scores, or a NaN threshold.

    Example:
    >>> false_match_rate([0.9, 0.8], [0.1, 0.5, 0.7, 0.2], threshold=0.5)
    0.5
    """
    as_scores(genuine, "genuine")
    impostor = as_scores(impostor, "impostor")
    return float(np.mean(impostor >= as_threshold(threshold)))


def false_non_match_rate(genuine: Any, impostor: Any, threshold: float) -> float:
    """Share of genuine scores rejected as non-matches (``score < threshold``).

    Args:
        genuine: scores of genuine (mated) comparisons.
        impostor: scores of impostor (non-mated) comparisons; only checked,
            since FNMR depends on genuine scores alone.
        threshold: the decision threshold.

    Returns:
        FNMR in [0, 1].

    Raises:
        ValueError: for empty, non-finite or non-numeric scores, or a NaN threshold.

    Example:
    >>> false_non_match_rate([0.9, 0.5, 0.4, 0.8], [0.1], threshold=0.5)
    0.25
    """
    genuine = as_scores(genuine, "genuine")
    as_scores(impostor, "impostor")
    return float(np.mean(genuine < as_threshold(threshold)))


def det_curve(genuine: Any, impostor: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """FMR and FNMR at every threshold that changes them (the DET curve's points).

    The thresholds are the distinct scores in ascending order, then ``inf``
    (which rejects every score: FMR 0, FNMR 1). The first threshold accepts
    every score (FMR 1, FNMR 0).

    Args:
        genuine: scores of genuine comparisons.
        impostor: scores of impostor comparisons.

    Returns:
        ``(fmr, fnmr, thresholds)``, three arrays of equal length, thresholds
        ascending.

    Raises:
        ValueError: for empty, non-finite or non-numeric scores.

    Example:
    >>> fmr, fnmr, thresholds = det_curve([0.8, 0.6], [0.1, 0.6])
    >>> fmr.tolist(), fnmr.tolist(), thresholds.tolist()
    ([1.0, 0.5, 0.0, 0.0], [0.0, 0.0, 0.5, 1.0], [0.1, 0.6, 0.8, inf])
    """
    points = operating_points(as_scores(genuine, "genuine"), as_scores(impostor, "impostor"))
    return points.false_accept_rate, points.false_reject_rate, points.thresholds


def equal_error_rate(genuine: Any, impostor: Any) -> tuple[float, float]:
    """The equal error rate and its threshold, by the FVC2000 convention.

    Scores are discrete, so FMR and FNMR rarely meet exactly. Following Maio et
    al., "FVC2000: Fingerprint Verification Competition" (IEEE TPAMI 2002), as
    pyeer implements it, over the thresholds of :func:`det_curve`:

    1. ``t2`` is the smallest threshold with ``FNMR(t2) >= FMR(t2)``; if they are
       equal there, that is the EER.
    2. Otherwise ``t1`` is the threshold just below ``t2`` (``FNMR(t1) < FMR(t1)``).
    3. Of ``t1`` and ``t2``, take the one with the smaller ``FMR + FNMR`` (``t1``
       on a tie); the EER is the midpoint ``(FMR + FNMR) / 2`` of the interval
       those two rates bracket there.

    Args:
        genuine: scores of genuine comparisons.
        impostor: scores of impostor comparisons.

    Returns:
        ``(eer, threshold)``: the EER in [0, 1] and the threshold it is reached
        at (``inf`` only when rejecting everything is the best balance).

    Raises:
        ValueError: for empty, non-finite or non-numeric scores.

    Example:
    >>> equal_error_rate([0.9, 0.8, 0.7, 0.3], [0.1, 0.2, 0.4, 0.75])
    (0.25, 0.7)
    """
    points = operating_points(as_scores(genuine, "genuine"), as_scores(impostor, "impostor"))
    fmr, fnmr = points.false_accept_rate, points.false_reject_rate
    difference = fmr - fnmr  # non-increasing; 1 at the first threshold, -1 at inf
    t2 = int(np.argmax(difference <= 0))
    t1 = t2 - 1 if difference[t2] != 0 else t2
    chosen = t1 if fmr[t1] + fnmr[t1] <= fmr[t2] + fnmr[t2] else t2
    return float((fmr[chosen] + fnmr[chosen]) / 2), float(points.thresholds[chosen])


def threshold_at_fmr(genuine: Any, impostor: Any, fmr: float = 0.01) -> float:
    """The smallest threshold whose FMR is at most ``fmr``.

    Among thresholds meeting the FMR target it has the lowest FNMR, so it is the
    operating point :func:`fnmr_at_fmr` reports.

    Args:
        genuine: scores of genuine comparisons.
        impostor: scores of impostor comparisons.
        fmr: the largest acceptable false match rate, in [0, 1].

    Returns:
        The threshold: a score, or ``inf`` if only rejecting everything meets
        the target.

    Raises:
        ValueError: for invalid scores or a target outside [0, 1].

    Example:
    >>> threshold_at_fmr([0.9, 0.8, 0.3], [0.1, 0.2, 0.5, 0.85], fmr=0.25)
    0.8
    """
    target = check_fraction("fmr", fmr)
    points = operating_points(as_scores(genuine, "genuine"), as_scores(impostor, "impostor"))
    return float(points.thresholds[first_at_most(points.false_accept_rate, target)])


def fnmr_at_fmr(genuine: Any, impostor: Any, fmr: float = 0.01) -> float:
    """The lowest FNMR over thresholds whose FMR is at most ``fmr``.

    This is the usual operating-point figure, e.g. "FNMR at FMR = 1/1000".

    Args:
        genuine: scores of genuine comparisons.
        impostor: scores of impostor comparisons.
        fmr: the largest acceptable false match rate, in [0, 1].

    Returns:
        FNMR in [0, 1] at the threshold of :func:`threshold_at_fmr`.

    Raises:
        ValueError: for invalid scores or a target outside [0, 1].

    Example:
    >>> fnmr_at_fmr([0.9, 0.8, 0.3], [0.1, 0.2, 0.5, 0.85], fmr=0.25)
    0.3333333333333333
    """
    target = check_fraction("fmr", fmr)
    points = operating_points(as_scores(genuine, "genuine"), as_scores(impostor, "impostor"))
    return float(points.false_reject_rate[first_at_most(points.false_accept_rate, target)])
