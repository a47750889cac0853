"""Stateful Keras metrics for scores: EER, FMR, FNMR, KS, recall at FPR, BPCER20, F1.

They follow the definitions, score convention and tie rules of the exact
functions in :mod:`finvision.metrics.functional` and accumulate over batches
inside compiled ``fit``/``evaluate`` (XLA included), so they can be passed to
``model.compile(metrics=[...])``.

Labels ``y_true`` are read as positive (genuine, bona fide) when ``>= 0.5``;
``y_pred`` holds one score per label, higher = more likely positive. Both are
flattened, so ``(batch,)`` and ``(batch, 1)`` work alike. ``sample_weight``
weighs each sample's count.

Two kinds of metric:

- At a fixed threshold (:class:`FalseMatchRate`, :class:`FalseNonMatchRate`,
  :class:`F1Score`): exact counts, equal to the exact functions.
- Over all thresholds (:class:`EqualErrorRate`, :class:`KSStatistic`,
  :class:`RecallAtFPR`, :class:`BPCERAtAPCER`): like ``keras.metrics.AUC``, they
  count scores at or above ``num_thresholds`` evenly spaced thresholds
  ``0, 1/(n-1), ..., 1`` (scores are clipped to [0, 1], so use probabilities)
  plus one above 1 that rejects everything. The result is the exact definition
  evaluated on those thresholds only: it equals the exact function applied to
  the scores rounded down to the grid, and differs from the exact value on raw
  scores by at most the largest share of one class's scores that falls inside a
  single grid interval. KS and recall at FPR never exceed the exact value, and
  BPCER at APCER is never below it.

A softmax classifier's output works with ``positive_class=k``: ``y_pred`` is
``(batch, classes)``, the score is column ``k`` and a sample is positive when
``y_true`` is ``k`` (class indices, or one-hot rows). So
``RecallAtFPR(positive_class=2)`` is the recall of class 2 at 1% of the other
classes' samples flagged.

Comparisons happen in the metric's ``dtype`` (float32 by default): the
threshold is rounded to it like the scores, so a float32 score of ``0.35`` meets
a threshold of ``0.35``.

An invalid sample makes the result NaN until :meth:`reset_state`, so it cannot
go unnoticed: a NaN score, a label outside [0, 1] (with ``positive_class``, one
that is not a class index) or a negative or NaN ``sample_weight``. Where the
exact functions raise a ``ValueError``, these return NaN: an exception inside a
compiled ``fit`` would end the training for one bad batch. A result that needs
both classes is NaN until both have been seen.
"""

from __future__ import annotations

import math
from typing import Any

import keras
import numpy as np
from keras import ops

from finvision._validation import check_fraction
from finvision.metrics.inputs import as_threshold

__all__ = [
    "BPCERAtAPCER",
    "EqualErrorRate",
    "F1Score",
    "FalseMatchRate",
    "FalseNonMatchRate",
    "KSStatistic",
    "RecallAtFPR",
]


def _static_size(shape: Any) -> int | None:
    """The number of elements of a shape, or None if its rank or a dimension is unknown."""
    if getattr(shape, "rank", 0) is None:
        return None
    return None if any(size is None for size in shape) else math.prod(shape)


class _ScoreMetric(keras.metrics.Metric):
    """Flattens labels, scores and weights, and counts NaN scores.

    Each metric names itself ``default_name`` unless given a ``name``.
    """

    default_name: str

    def __init__(
        self, name: str | None = None, dtype: Any = None, *, positive_class: int | None = None
    ) -> None:
        if positive_class is not None and (
            isinstance(positive_class, bool)
            or not isinstance(positive_class, int)
            or positive_class < 0
        ):
            raise ValueError(
                "`positive_class` must be None or a class index (an int >= 0); "
                f"received {positive_class!r}."
            )
        super().__init__(name=name or self.default_name, dtype=dtype)
        self.positive_class = positive_class
        self.invalid_scores = self.add_variable(
            shape=(), initializer="zeros", dtype=self.dtype, name="invalid_scores"
        )

    def _prepare(self, y_true: Any, y_pred: Any, sample_weight: Any) -> tuple[Any, Any, Any]:
        """Returns flat ``(positive, scores, weights)``; invalid samples get weight 0.

        A sample is invalid (and makes the result NaN) with a NaN score, a label
        outside [0, 1] (or not a class index, with ``positive_class``), or a
        negative or NaN weight.
        """
        scores, y_true = ops.cast(y_pred, self.dtype), ops.convert_to_tensor(y_true)
        if self.positive_class is not None:
            y_true, scores, valid_labels = self._one_vs_rest(y_true, scores)
        else:
            labels = ops.cast(y_true, self.dtype)
            valid_labels = ops.logical_and(labels >= 0, labels <= 1)
        sizes = {_static_size(y_true.shape), _static_size(scores.shape)}
        if None not in sizes and len(sizes) > 1:
            raise ValueError(
                "`y_true` and `y_pred` must hold one label per score; received shapes "
                f"{tuple(y_true.shape)} and {tuple(scores.shape)}."
            )
        weights = ops.ones_like(scores)
        if sample_weight is not None:
            sample_weight = ops.cast(sample_weight, self.dtype)
            while len(sample_weight.shape) < len(scores.shape):
                sample_weight = ops.expand_dims(sample_weight, -1)
            weights = ops.broadcast_to(sample_weight, ops.shape(scores))
        scores, weights = ops.reshape(scores, (-1,)), ops.reshape(weights, (-1,))
        positive = ops.reshape(ops.cast(ops.cast(y_true, self.dtype) >= 0.5, self.dtype), (-1,))
        valid = ops.logical_and(ops.reshape(valid_labels, (-1,)), weights >= 0)
        invalid = ops.logical_or(ops.isnan(scores), ops.logical_not(valid))
        self.invalid_scores.assign_add(ops.sum(ops.cast(invalid, self.dtype)))
        weights = ops.where(invalid, ops.zeros_like(weights), weights)
        scores = ops.where(invalid, ops.zeros_like(scores), scores)
        return positive, scores, weights

    def _one_vs_rest(self, y_true: Any, scores: Any) -> tuple[Any, Any, Any]:
        """1 where ``y_true`` is the positive class (else 0), its scores, valid labels.

        Class indices are valid when whole and below the class count; one-hot
        rows when every entry is in [0, 1].
        """
        classes = scores.shape[-1] if len(scores.shape) >= 2 else None
        if classes is None or classes < 2:
            raise ValueError(
                "`positive_class` needs `y_pred` of shape (batch, classes) with at least 2 "
                f"classes (a softmax output); received shape {tuple(scores.shape)}."
            )
        if self.positive_class >= classes:
            raise ValueError(
                f"`positive_class` must be a class index below {classes} (the classes in "
                f"`y_pred`); received {self.positive_class}."
            )
        one_hot = len(y_true.shape) == len(scores.shape) and y_true.shape[-1] == classes
        labels = ops.cast(y_true, self.dtype)
        if one_hot:
            positive = labels[..., self.positive_class]
            in_range = ops.logical_and(labels >= 0, labels <= 1)
            valid = ops.all(in_range, axis=-1)
        else:
            positive = ops.cast(labels == self.positive_class, self.dtype)
            whole = labels == ops.floor(labels)
            valid = ops.logical_and(whole, ops.logical_and(labels >= 0, labels < classes))
        return positive, scores[..., self.positive_class], valid

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        if self.positive_class is not None:
            config.update(positive_class=self.positive_class)
        return config

    def _checked(self, value: Any, *defined: Any) -> Any:
        """``value``, or NaN where a NaN score was seen or a condition fails."""
        ok = self.invalid_scores == 0
        for condition in defined:
            ok = ops.logical_and(ok, condition)
        return ops.where(ok, value, ops.full_like(value, float("nan")))


class _CurveMetric(_ScoreMetric):
    """Counts weighted positives and negatives at or above each grid threshold."""

    def __init__(
        self,
        num_thresholds: int = 200,
        name: str | None = None,
        dtype: Any = None,
        *,
        positive_class: int | None = None,
    ) -> None:
        if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, int):
            raise ValueError(f"`num_thresholds` must be an int >= 2; received {num_thresholds!r}.")
        if num_thresholds < 2:
            raise ValueError(f"`num_thresholds` must be an int >= 2; received {num_thresholds}.")
        super().__init__(name=name, dtype=dtype, positive_class=positive_class)
        self.num_thresholds = num_thresholds
        self._grid = np.linspace(0.0, 1.0, num_thresholds).astype(self.dtype)
        self.positives_at_or_above = self.add_variable(
            shape=(num_thresholds,), initializer="zeros", dtype=self.dtype, name="positives"
        )
        self.negatives_at_or_above = self.add_variable(
            shape=(num_thresholds,), initializer="zeros", dtype=self.dtype, name="negatives"
        )

    @property
    def thresholds(self) -> list[float]:
        """The grid thresholds, ascending (``0`` to ``1``)."""
        return self._grid.tolist()

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        positive, scores, weights = self._prepare(y_true, y_pred, sample_weight)
        scores = ops.clip(scores, 0.0, 1.0)
        grid = ops.convert_to_tensor(self._grid, dtype=self.dtype)
        at_or_above = ops.cast(ops.expand_dims(scores, 1) >= grid, self.dtype)
        self.positives_at_or_above.assign_add(ops.matmul(weights * positive, at_or_above))
        self.negatives_at_or_above.assign_add(ops.matmul(weights * (1 - positive), at_or_above))

    def _rates(self) -> tuple[Any, Any, Any, Any]:
        """``(accept positives, accept negatives, reject positives, defined)`` per threshold.

        The last entry is the threshold above 1 (rejects everything).
        """
        zero = ops.zeros((1,), self.dtype)
        positives = ops.concatenate([self.positives_at_or_above, zero])
        negatives = ops.concatenate([self.negatives_at_or_above, zero])
        total_positive, total_negative = positives[0], negatives[0]
        defined = ops.logical_and(total_positive > 0, total_negative > 0)
        safe_positive = ops.maximum(total_positive, 1e-30)
        safe_negative = ops.maximum(total_negative, 1e-30)
        true_accept = positives / safe_positive
        false_accept = negatives / safe_negative
        false_reject = (total_positive - positives) / safe_positive
        return true_accept, false_accept, false_reject, defined

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(num_thresholds=self.num_thresholds)
        return config


def _first_index(condition: Any) -> Any:
    """Index of the first True entry (the last index if none is True)."""
    size = ops.shape(condition)[0]
    indices = ops.arange(size, dtype="int32")
    first = ops.min(ops.where(condition, indices, ops.full_like(indices, size - 1)))
    return ops.minimum(first, size - 1)


@keras.saving.register_keras_serializable(package="finvision")
class EqualErrorRate(_CurveMetric):
    """Streaming equal error rate (FVC2000 midpoint rule) over a threshold grid.

    ``y_true``: 1 for a genuine comparison, 0 for an impostor; ``y_pred``: a
    similarity score in [0, 1]. See
    :func:`finvision.metrics.functional.equal_error_rate` for the definition.

    Args:
        num_thresholds: grid size; the resolution is ``1 / (num_thresholds - 1)``.
        name: the metric's name (default: ``default_name``).
        dtype (str | None): the dtype of the counts and the result.
        positive_class: None for one score per sample, or a class index to score
            that column of ``(batch, classes)`` probabilities against the rest.

    Example:
    >>> metric = EqualErrorRate(num_thresholds=11)
    >>> metric.update_state([1, 1, 1, 1, 0, 0, 0, 0], [0.9, 0.8, 0.7, 0.3, 0.1, 0.2, 0.4, 0.8])
    >>> float(metric.result())
    0.25
    """

    default_name = "equal_error_rate"

    def result(self) -> Any:
        _, fmr, fnmr, defined = self._rates()
        difference = fmr - fnmr
        t2 = _first_index(difference <= 0)
        at_t2 = ops.take(difference, t2)
        t1 = ops.where(ops.logical_and(at_t2 != 0, t2 > 0), t2 - 1, t2)
        sum_t1 = ops.take(fmr, t1) + ops.take(fnmr, t1)
        sum_t2 = ops.take(fmr, t2) + ops.take(fnmr, t2)
        return self._checked(ops.minimum(sum_t1, sum_t2) / 2, defined)


@keras.saving.register_keras_serializable(package="finvision")
class KSStatistic(_CurveMetric):
    """Streaming Kolmogorov-Smirnov statistic, ``max(TPR - FPR)`` over a threshold grid.

    ``y_true``: 1 for a positive (e.g. default), 0 otherwise; ``y_pred``: a
    probability. See :func:`finvision.metrics.functional.ks_statistic`.

    Args:
        num_thresholds: grid size; the resolution is ``1 / (num_thresholds - 1)``.
        name: the metric's name (default: ``default_name``).
        dtype (str | None): the dtype of the counts and the result.
        positive_class: None for one score per sample, or a class index to score
            that column of ``(batch, classes)`` probabilities against the rest.

    Example:
    >>> metric = KSStatistic(num_thresholds=11)
    >>> metric.update_state([0, 0, 1, 1], [0.1, 0.4, 0.3, 0.8])
    >>> float(metric.result())
    0.5
    """

    default_name = "ks_statistic"

    def result(self) -> Any:
        tpr, fpr, _, defined = self._rates()
        return self._checked(ops.max(tpr - fpr), defined)


@keras.saving.register_keras_serializable(package="finvision")
class RecallAtFPR(_CurveMetric):
    """Streaming recall (TPR) at the largest grid operating point with FPR <= ``fpr``.

    See :func:`finvision.metrics.functional.recall_at_fpr`.

    Args:
        fpr: the largest acceptable false positive rate, in [0, 1].
        num_thresholds: grid size; the resolution is ``1 / (num_thresholds - 1)``.
        name: the metric's name (default: ``default_name``).
        dtype (str | None): the dtype of the counts and the result.
        positive_class: None for one score per sample, or a class index to score
            that column of ``(batch, classes)`` probabilities against the rest.

    Example:
    >>> metric = RecallAtFPR(fpr=0.5, num_thresholds=11)
    >>> metric.update_state([0, 0, 1, 1], [0.1, 0.4, 0.3, 0.8])
    >>> float(metric.result())
    1.0
    >>> tampered = RecallAtFPR(fpr=0.0, num_thresholds=11, positive_class=2)
    >>> tampered.update_state([2, 0, 1], [[0.1, 0.1, 0.8], [0.5, 0.2, 0.3], [0.2, 0.7, 0.1]])
    >>> float(tampered.result())
    1.0
    """

    default_name = "recall_at_fpr"

    def __init__(
        self,
        fpr: float = 0.01,
        num_thresholds: int = 200,
        name: str | None = None,
        dtype: Any = None,
        *,
        positive_class: int | None = None,
    ) -> None:
        self.fpr = check_fraction("fpr", fpr)
        super().__init__(num_thresholds, name=name, dtype=dtype, positive_class=positive_class)

    def result(self) -> Any:
        tpr, fpr, _, defined = self._rates()
        feasible = fpr <= ops.cast(self.fpr, self.dtype)
        return self._checked(ops.max(ops.where(feasible, tpr, ops.zeros_like(tpr))), defined)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(fpr=self.fpr)
        return config


@keras.saving.register_keras_serializable(package="finvision")
class BPCERAtAPCER(_CurveMetric):
    """Streaming BPCER at the grid threshold where APCER first drops to ``apcer``.

    ``y_true``: 1 for a bona fide presentation, 0 for an attack; ``y_pred``: a
    bona fide probability. A Keras metric sees labels and scores only, so all
    attacks count as one species here; for the ISO/IEC 30107-3 APCER (the worst
    species) use :func:`finvision.metrics.functional.bpcer_at_apcer` or
    :class:`finvision.callbacks.EvaluationReport` with ``species``. With the
    default ``apcer=0.05`` this is BPCER20.

    Args:
        apcer: the largest acceptable APCER, in [0, 1].
        num_thresholds: grid size; the resolution is ``1 / (num_thresholds - 1)``.
        name: the metric's name (default: ``default_name``).
        dtype (str | None): the dtype of the counts and the result.
        positive_class: None for one score per sample, or a class index to score
            that column of ``(batch, classes)`` probabilities against the rest.

    Example:
    >>> metric = BPCERAtAPCER(apcer=0.5, num_thresholds=11)
    >>> metric.update_state([1, 1, 1, 0, 0], [0.9, 0.8, 0.4, 0.6, 0.2])
    >>> float(metric.result())
    0.0
    """

    default_name = "bpcer_at_apcer"

    def __init__(
        self,
        apcer: float = 0.05,
        num_thresholds: int = 200,
        name: str | None = None,
        dtype: Any = None,
        *,
        positive_class: int | None = None,
    ) -> None:
        self.apcer = check_fraction("apcer", apcer)
        super().__init__(num_thresholds, name=name, dtype=dtype, positive_class=positive_class)

    def result(self) -> Any:
        _, apcer, bpcer, defined = self._rates()
        feasible = apcer <= ops.cast(self.apcer, self.dtype)
        return self._checked(ops.min(ops.where(feasible, bpcer, ops.ones_like(bpcer))), defined)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(apcer=self.apcer)
        return config


class _ThresholdMetric(_ScoreMetric):
    """Exact counts at one threshold: true/false accepts and rejects."""

    def __init__(
        self,
        threshold: float = 0.5,
        name: str | None = None,
        dtype: Any = None,
        *,
        positive_class: int | None = None,
    ) -> None:
        self.threshold = as_threshold(threshold)
        super().__init__(name=name, dtype=dtype, positive_class=positive_class)
        self.true_accepts, self.false_accepts, self.false_rejects, self.true_rejects = (
            self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name=count)
            for count in ("true_accepts", "false_accepts", "false_rejects", "true_rejects")
        )

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        positive, scores, weights = self._prepare(y_true, y_pred, sample_weight)
        accepted = ops.cast(scores >= ops.cast(self.threshold, self.dtype), self.dtype)
        negative = 1 - positive
        self.true_accepts.assign_add(ops.sum(weights * positive * accepted))
        self.false_accepts.assign_add(ops.sum(weights * negative * accepted))
        self.false_rejects.assign_add(ops.sum(weights * positive * (1 - accepted)))
        self.true_rejects.assign_add(ops.sum(weights * negative * (1 - accepted)))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(threshold=self.threshold)
        return config


@keras.saving.register_keras_serializable(package="finvision")
class FalseMatchRate(_ThresholdMetric):
    """Share of impostor comparisons (``y_true`` 0) with ``score >= threshold``.

    Exact; NaN until an impostor comparison is seen. See
    :func:`finvision.metrics.functional.false_match_rate`.

    Args:
        threshold: the decision threshold.
        name: the metric's name (default: ``default_name``).
        dtype (str | None): the dtype of the counts and the result.
        positive_class: None for one score per sample, or a class index to score
            that column of ``(batch, classes)`` probabilities against the rest.

    Example:
    >>> metric = FalseMatchRate(threshold=0.5)
    >>> metric.update_state([0, 0, 0, 0, 1], [0.1, 0.5, 0.7, 0.2, 0.9])
    >>> float(metric.result())
    0.5
    """

    default_name = "false_match_rate"

    def result(self) -> Any:
        impostors = self.false_accepts + self.true_rejects
        rate = self.false_accepts / ops.maximum(impostors, 1e-30)
        return self._checked(rate, impostors > 0)


@keras.saving.register_keras_serializable(package="finvision")
class FalseNonMatchRate(_ThresholdMetric):
    """Share of genuine comparisons (``y_true`` 1) with ``score < threshold``.

    Exact; NaN until a genuine comparison is seen. See
    :func:`finvision.metrics.functional.false_non_match_rate`.

    Args:
        threshold: the decision threshold.
        name: the metric's name (default: ``default_name``).
        dtype (str | None): the dtype of the counts and the result.
        positive_class: None for one score per sample, or a class index to score
            that column of ``(batch, classes)`` probabilities against the rest.

    Example:
    >>> metric = FalseNonMatchRate(threshold=0.5)
    >>> metric.update_state([1, 1, 1, 1, 0], [0.9, 0.5, 0.4, 0.8, 0.1])
    >>> float(metric.result())
    0.25
    """

    default_name = "false_non_match_rate"

    def result(self) -> Any:
        genuine = self.true_accepts + self.false_rejects
        rate = self.false_rejects / ops.maximum(genuine, 1e-30)
        return self._checked(rate, genuine > 0)


@keras.saving.register_keras_serializable(package="finvision")
class F1Score(_ThresholdMetric):
    """Binary F1 of the positive class with ``score >= threshold`` predicted positive.

    Exact; 0 while ``2 TP + FP + FN`` is 0 (scikit-learn's ``zero_division=0``).
    Unlike ``keras.metrics.F1Score`` (``score > threshold``, one-hot labels),
    this takes 0/1 labels and accepts a score equal to the threshold. See
    :func:`finvision.metrics.functional.f1_score`.

    Args:
        threshold: the decision threshold.
        name: the metric's name (default: ``default_name``).
        dtype (str | None): the dtype of the counts and the result.
        positive_class: None for one score per sample, or a class index to score
            that column of ``(batch, classes)`` probabilities against the rest.

    Example:
    >>> metric = F1Score(threshold=0.5)
    >>> metric.update_state([0, 0, 1, 1], [0.1, 0.6, 0.5, 0.4])
    >>> float(metric.result())
    0.5
    """

    default_name = "f1_score"

    def result(self) -> Any:
        denominator = 2 * self.true_accepts + self.false_accepts + self.false_rejects
        f1 = 2 * self.true_accepts / ops.maximum(denominator, 1e-30)
        return self._checked(f1)
