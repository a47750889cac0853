"""ROC, DET and confusion-matrix figures as PNG bytes (matplotlib, imported on use)."""

from __future__ import annotations

import importlib
import io
from statistics import NormalDist
from typing import Any

import numpy as np

from finvision.metrics import biometric, risk

#: Space around the unit square of the ROC plot, in rate units.
ROC_MARGIN = 0.03
#: Space around the DET plot's range, in normal-deviate units.
DET_MARGIN = 0.3
#: Rates labelled on the DET axes (where they fall within the plotted range).
DET_TICKS = (0.0001, 0.001, 0.01, 0.05, 0.2, 0.5, 0.8, 0.95, 0.99, 0.999)


def require_matplotlib() -> Any:
    """Imports matplotlib's figure API, or explains how to install it.

    Returns:
        The ``matplotlib.figure`` module.

    Raises:
        ImportError: if matplotlib is not installed.

    Example:
    >>> require_matplotlib().__name__
    'matplotlib.figure'
    """
    try:
        return importlib.import_module("matplotlib.figure")
    except ImportError as error:
        raise ImportError(
            "CurvePlots draws with matplotlib, which is not installed: "
            'pip install "finvision[plots]"'
        ) from error


def normal_deviate(rates: Any, floor: float) -> np.ndarray:
    """Maps rates to the standard normal quantile (probit), the DET curve's axes.

    Rates of 0 and 1 have no finite quantile; they are clipped to
    ``[floor, 1 - floor]`` first.

    Args:
        rates: error rates in [0, 1].
        floor: the smallest rate drawn, e.g. half of ``1 / n``.

    Returns:
        ``Phi^-1(rate)`` per rate.

    Example:
    >>> normal_deviate([0.5, 0.0], floor=0.001).round(4).tolist()
    [0.0, -3.0902]
    """
    quantile = NormalDist().inv_cdf
    clipped = np.clip(np.asarray(rates, dtype=float), floor, 1 - floor)
    return np.array([quantile(rate) for rate in clipped])


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight", pad_inches=0.1)
    return buffer.getvalue()


def roc_png(labels: np.ndarray, scores: np.ndarray, title: str) -> bytes:
    """The ROC curve with its AUC, as PNG bytes.

    Args:
        labels: boolean labels (True = positive).
        scores: one score per sample.
        title: the figure's title.

    Returns:
        The PNG file's bytes.

    Example:
    >>> roc_png(np.array([True, False]), np.array([0.9, 0.1]), "ROC")[1:4]
    b'PNG'
    """
    fpr, tpr, _ = risk.roc_curve(labels, scores)
    figure = require_matplotlib().Figure(figsize=(4.5, 4.5), layout="constrained")
    axes = figure.subplots()
    auc = f"AUC = {risk.roc_auc(labels, scores):.4f}"
    # Drawn above the frame and inside a margin, so a perfect curve (along x = 0 and
    # y = 1) is not hidden by the axes' spines.
    axes.plot(fpr, tpr, linewidth=2, zorder=3, label=auc)
    axes.plot([0, 1], [0, 1], linestyle=":", color="gray")
    axes.set(xlabel="false positive rate", ylabel="true positive rate", title=title)
    axes.set(xlim=(-ROC_MARGIN, 1 + ROC_MARGIN), ylim=(-ROC_MARGIN, 1 + ROC_MARGIN))
    axes.legend(loc="lower right")
    return _png(figure)


def det_png(labels: np.ndarray, scores: np.ndarray, title: str) -> bytes:
    """The DET curve (FNMR against FMR on normal-deviate axes) with its EER.

    Args:
        labels: boolean labels (True = genuine / positive).
        scores: one score per sample.
        title: the figure's title.

    Returns:
        The PNG file's bytes.

    Example:
    >>> det_png(np.array([True, False]), np.array([0.9, 0.1]), "DET")[1:4]
    b'PNG'
    """
    genuine, impostor = scores[labels], scores[~labels]
    fmr, fnmr, _ = biometric.det_curve(genuine, impostor)
    eer, _ = biometric.equal_error_rate(genuine, impostor)
    # Half of the smallest non-zero rate: zero rates sit just inside the axes.
    floor = min(0.5 / max(genuine.size, impostor.size), 0.01)
    ticks = [tick for tick in DET_TICKS if floor <= tick <= 1 - floor]
    figure = require_matplotlib().Figure(figsize=(4.5, 4.5), layout="constrained")
    axes = figure.subplots()
    # Zero rates sit on the floor, the edge of the range: a margin keeps them visible.
    axes.plot(normal_deviate(fmr, floor), normal_deviate(fnmr, floor), linewidth=2, zorder=3)
    axes.plot(*normal_deviate([eer, eer], floor), "o", zorder=4, label=f"EER = {eer:.2%}")
    if eer == 0:
        axes.text(
            0.5,
            0.5,
            "no overlap: every genuine score\nabove every impostor score",
            transform=axes.transAxes,
            ha="center",
            va="center",
        )
    positions = normal_deviate(ticks, floor)
    labels_text = [f"{tick * 100:g}%" for tick in ticks]
    axes.set_xticks(positions, labels_text, rotation=45)
    axes.set_yticks(positions, labels_text)
    low, high = normal_deviate([floor, 1 - floor], floor)
    limits = (low - DET_MARGIN, high + DET_MARGIN)
    axes.set(xlim=limits, ylim=limits, title=title)
    axes.set(xlabel="false match rate (normal deviate scale)", ylabel="false non-match rate")
    axes.grid(True, alpha=0.3)
    axes.legend(loc="upper right")
    return _png(figure)


def confusion_png(
    labels: np.ndarray, scores: np.ndarray, threshold: float, class_names: tuple, title: str
) -> bytes:
    """The 2 x 2 confusion matrix at ``score >= threshold``, counts written in the cells.

    Args:
        labels: boolean labels (True = positive).
        scores: one score per sample.
        threshold: the decision threshold.
        class_names: names of class 0 and class 1.
        title: the figure's title.

    Returns:
        The PNG file's bytes.

    Example:
    >>> png = confusion_png(np.array([True, False]), np.array([0.9, 0.1]), 0.5, ("a", "b"), "")
    >>> png[1:4]
    b'PNG'
    """
    matrix = risk.confusion_matrix(labels, scores, threshold)
    figure = require_matplotlib().Figure(figsize=(5.0, 4.5), layout="constrained")
    axes = figure.subplots()
    axes.imshow(matrix, cmap="Blues")
    for (row, column), count in np.ndenumerate(matrix):
        dark = count > matrix.max() / 2
        axes.text(column, row, str(count), ha="center", va="center", color="w" if dark else "k")
    # One word a line: long class names would run into each other side by side.
    axes.set_xticks([0, 1], [f"predicted\n{name}" for name in class_names])
    axes.set_yticks([0, 1], [f"true\n{name}" for name in class_names])
    axes.set_title(f"{title} (score >= {threshold:.4g})")
    return _png(figure)
