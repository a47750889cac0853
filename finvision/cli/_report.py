"""The evaluation report the commands print: per-class scores and a one-vs-rest view."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from finvision.cli._common import UsageError, print_table
from finvision.metrics import biometric, risk


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """Scores of a classifier's predictions on labelled images.

    Attributes:
        class_names: the classes, in output order.
        accuracy: share of top-1 predictions equal to the label.
        macro_f1: the unweighted mean of the per-class F1 scores.
        per_class: name -> ``{"precision", "recall", "f1", "support"}``.
        confusion: ``(k, k)`` counts, rows = labels, columns = predictions.
        positive_class: the class of the one-vs-rest view, or None.
        one_vs_rest: ``roc_auc``, ``ks``, ``recall_at_1pct_fpr`` and ``eer`` of the
            positive class's probability against every other class.
    """

    class_names: list[str]
    accuracy: float
    macro_f1: float
    per_class: dict[str, dict[str, float]]
    confusion: np.ndarray
    positive_class: str | None
    one_vs_rest: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready values."""
        return {**dataclasses.asdict(self), "confusion": self.confusion.tolist()}

    def print(self) -> None:
        """Prints the report as two tables."""
        print(f"accuracy {self.accuracy:.4f}   macro F1 {self.macro_f1:.4f}")
        rows = [("class", "precision", "recall", "F1", "images")]
        for name, scores in self.per_class.items():
            precision, recall, f1 = (f"{scores[key]:.4f}" for key in ("precision", "recall", "f1"))
            rows.append((name, precision, recall, f1, str(int(scores["support"]))))
        print_table(rows)
        if self.one_vs_rest:
            keys = ("roc_auc", "ks", "recall_at_1pct_fpr", "eer")
            print(f"{self.positive_class} against the other classes:")
            values = tuple(f"{self.one_vs_rest[key]:.4f}" for key in keys)
            print_table([("ROC AUC", "KS", "recall @ 1% FPR", "EER"), values])


def evaluate_predictions(
    labels: Any,
    probabilities: Any,
    class_names: Sequence[str],
    positive_class: str | None = None,
) -> Evaluation:
    """Scores class probabilities against integer labels.

    Args:
        labels: ``(n,)`` class indices.
        probabilities: ``(n, k)`` class probabilities, or ``(n, 1)`` sigmoid
            outputs of a binary classifier (read as class 1).
        class_names: the ``k`` class names (2 for a sigmoid output).
        positive_class: a class name for the one-vs-rest view (ROC AUC, KS,
            recall at 1% FPR, EER); for a binary classifier class 1 by default.

    Returns:
        An :class:`Evaluation`.

    Raises:
        UsageError: for an unknown ``positive_class``.

    Example:
    >>> import numpy as np
    >>> report = evaluate_predictions(
    ...     [0, 1, 1, 0], np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.7, 0.3]]), ["a", "b"]
    ... )
    >>> report.accuracy, report.per_class["b"]["recall"], report.one_vs_rest["roc_auc"]
    (0.75, 0.5, 1.0)
    """
    labels = np.asarray(labels).astype(int).reshape(-1)
    probabilities = class_probabilities(probabilities)
    names = list(class_names)
    predicted = probabilities.argmax(axis=1)
    confusion = np.zeros((len(names), len(names)), dtype=np.int64)
    np.add.at(confusion, (labels, predicted), 1)
    per_class = {}
    for index, name in enumerate(names):
        hits = confusion[index, index]
        precision = hits / max(confusion[:, index].sum(), 1)
        recall = hits / max(confusion[index].sum(), 1)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[name] = {
            "precision": float(precision),
            "recall": float(recall),
            "f1": float(f1),
            "support": float(confusion[index].sum()),
        }
    if positive_class is None and len(names) == 2:
        positive_class = names[1]
    return Evaluation(
        class_names=names,
        accuracy=float(np.mean(predicted == labels)),
        macro_f1=float(np.mean([scores["f1"] for scores in per_class.values()])),
        per_class=per_class,
        confusion=confusion,
        positive_class=positive_class,
        one_vs_rest=_one_vs_rest(labels, probabilities, names, positive_class),
    )


def class_probabilities(outputs: Any) -> np.ndarray:
    """A classifier's outputs as ``(n, k)`` class probabilities.

    A one-unit sigmoid output ``(n, 1)`` is P(class 1) and becomes two columns.

    Example:
    >>> class_probabilities([[0.25], [0.75]]).tolist()
    [[0.75, 0.25], [0.25, 0.75]]
    """
    probabilities = np.asarray(outputs, dtype=np.float64)
    if probabilities.ndim == 2 and probabilities.shape[1] == 1:
        return np.concatenate([1 - probabilities, probabilities], axis=1)
    return probabilities


def _one_vs_rest(
    labels: np.ndarray, probabilities: np.ndarray, names: list[str], positive: str | None
) -> dict[str, float]:
    if positive is None:
        return {}
    if positive not in names:
        raise UsageError(f"--positive must be one of {names}; received {positive!r}.")
    column = names.index(positive)
    is_positive, scores = labels == column, probabilities[:, column]
    if is_positive.all() or not is_positive.any():
        return {}  # one-vs-rest scores need both kinds of images
    return {
        "roc_auc": risk.roc_auc(is_positive, scores),
        "ks": risk.ks_statistic(is_positive, scores),
        "recall_at_1pct_fpr": risk.recall_at_fpr(is_positive, scores, fpr=0.01),
        "eer": biometric.equal_error_rate(scores[is_positive], scores[~is_positive])[0],
    }
