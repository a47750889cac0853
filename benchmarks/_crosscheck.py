"""Figures computed twice, by ``finvision.metrics`` and by scikit-learn, that must agree."""

from __future__ import annotations

import numpy as np
from sklearn import metrics

from finvision.metrics import functional


def checked_auc(labels: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    """ROC AUC by ``functional.roc_auc`` and ``sklearn.metrics.roc_auc_score``; equal or raises."""
    ours, theirs = functional.roc_auc(labels, scores), float(metrics.roc_auc_score(labels, scores))
    if not np.isclose(ours, theirs, rtol=0.0, atol=1e-9):
        raise AssertionError(f"ROC AUC: finvision {ours} and scikit-learn {theirs} disagree.")
    return {"finvision": ours, "sklearn": theirs}


def checked_eer(genuine: np.ndarray, impostor: np.ndarray) -> dict[str, float]:
    """EER by ``functional.equal_error_rate`` and by the usual scikit-learn recipe.

    The recipe takes the point of ``sklearn.metrics.roc_curve`` (every threshold)
    where ``|FNMR - FMR|`` is smallest and averages the two rates there. finvision
    follows FVC2000, which may pick the neighbouring point, so the check is that
    finvision's EER lies between the half-sums ``(FMR + FNMR) / 2`` of the two
    points of scikit-learn's curve that bracket ``FNMR = FMR``; otherwise it raises.
    """
    labels = np.r_[np.ones(len(genuine)), np.zeros(len(impostor))]
    fpr, tpr, _ = metrics.roc_curve(labels, np.r_[genuine, impostor], drop_intermediate=False)
    gap, half_sums = (1.0 - tpr) - fpr, (fpr + 1.0 - tpr) / 2  # gap falls from 1 to -1
    theirs = float(half_sums[int(np.argmin(np.abs(gap)))])
    crossing = int(np.argmax(gap <= 0))
    bracket = half_sums[max(crossing - 1, 0) : crossing + 1]
    ours = functional.equal_error_rate(genuine, impostor)[0]
    if not bracket.min() - 1e-9 <= ours <= bracket.max() + 1e-9:
        raise AssertionError(f"EER: finvision {ours} and scikit-learn {theirs} disagree.")
    return {"finvision": ours, "sklearn": theirs}


def checked_fnmr_at_fmr(genuine: np.ndarray, impostor: np.ndarray, fmr: float) -> dict[str, float]:
    """FNMR at FMR <= ``fmr``: ``functional.fnmr_at_fmr`` and the best ``roc_curve`` point."""
    labels = np.r_[np.ones(len(genuine)), np.zeros(len(impostor))]
    fpr, tpr, _ = metrics.roc_curve(labels, np.r_[genuine, impostor], drop_intermediate=False)
    theirs = float(np.min(1.0 - tpr[fpr <= fmr]))
    ours = functional.fnmr_at_fmr(genuine, impostor, fmr)
    if not np.isclose(ours, theirs, rtol=0.0, atol=1e-9):
        raise AssertionError(f"FNMR at FMR: finvision {ours} and scikit-learn {theirs} disagree.")
    return {"finvision": ours, "sklearn": theirs}
