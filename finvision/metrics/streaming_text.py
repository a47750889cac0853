"""Stateful Keras metrics for text recognition: character and word error rates.

Labels follow the Keras CTC convention (``keras.losses.CTC``): ``y_true`` is an
int tensor ``(batch, max_length)`` of label ids padded with ``mask_index``
(default 0, also the CTC blank). ``y_pred`` is either

- the model's per-step class scores ``(batch, steps, classes)``, decoded here
  by best-path (greedy) CTC decoding: arg-max per step, merge repeats, drop
  blanks; or
- already-decoded label ids ``(batch, length)`` padded with ``mask_index`` or
  negative values (as ``keras.ops.ctc_decode`` returns them).

Each metric accumulates the total number of edits and the total reference
length, so the result is the corpus-level rate of
:mod:`finvision.metrics.ocr`, exact for the decoded sequences (no thresholds
involved); ``sample_weight`` weighs each line's edits and length. The result is
NaN until a non-empty reference has been seen.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from finvision.metrics import _sequence_ops

__all__ = ["CharacterErrorRate", "WordErrorRate"]


def _index(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"`{name}` must be an int >= 0 (a class id); received {value!r}.")
    return value


class _EditRate(keras.metrics.Metric):
    """Accumulates edits and reference lengths over decoded label sequences."""

    def __init__(self, mask_index: int = 0, name: str | None = None, dtype: Any = None) -> None:
        self.mask_index = _index(mask_index, "mask_index")
        super().__init__(name=name, dtype=dtype)
        self.edits = self.add_variable(
            shape=(), initializer="zeros", dtype=self.dtype, name="edits"
        )
        self.reference_length = self.add_variable(
            shape=(), initializer="zeros", dtype=self.dtype, name="reference_length"
        )

    def _sequences(self, y_true: Any, y_pred: Any) -> tuple[Any, Any, Any, Any]:
        rank = len(y_pred.shape)
        if len(y_true.shape) != 2 or rank not in (2, 3):
            raise ValueError(
                f"{type(self).__name__} expects `y_true` of shape (batch, max_length) and "
                "`y_pred` of shape (batch, steps, classes) or (batch, length); received "
                f"{tuple(y_true.shape)} and {tuple(y_pred.shape)}."
            )
        reference, reference_lengths = _sequence_ops.labels(y_true, self.mask_index)
        if rank == 3:
            hypothesis, hypothesis_lengths = _sequence_ops.greedy_ctc(y_pred, self.mask_index)
        else:
            hypothesis, hypothesis_lengths = _sequence_ops.labels(y_pred, self.mask_index)
        return reference, reference_lengths, hypothesis, hypothesis_lengths

    def _distances(self, reference, reference_lengths, hypothesis, hypothesis_lengths) -> Any:
        raise NotImplementedError

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true, y_pred = ops.convert_to_tensor(y_true), ops.convert_to_tensor(y_pred)
        distances, lengths = self._distances(*self._sequences(y_true, y_pred))
        distances, lengths = ops.cast(distances, self.dtype), ops.cast(lengths, self.dtype)
        if sample_weight is not None:
            weights = ops.reshape(ops.cast(sample_weight, self.dtype), (-1,))
            distances, lengths = distances * weights, lengths * weights
        self.edits.assign_add(ops.sum(distances))
        self.reference_length.assign_add(ops.sum(lengths))

    def result(self) -> Any:
        rate = self.edits / ops.maximum(self.reference_length, 1e-30)
        return ops.where(self.reference_length > 0, rate, ops.full_like(rate, float("nan")))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(mask_index=self.mask_index)
        return config


@keras.saving.register_keras_serializable(package="finvision")
class CharacterErrorRate(_EditRate):
    """Streaming CER: total character edits / total reference characters.

    See :func:`finvision.metrics.functional.character_error_rate`.

    Args:
        mask_index: the padding id of ``y_true`` and the CTC blank of ``y_pred``.
        name: the metric's name.
        dtype (str | None): the dtype of the totals and the result.

    Example:
    >>> import numpy as np
    >>> metric = CharacterErrorRate()
    >>> y_true = np.array([[5, 6, 7, 0], [8, 9, 0, 0]])  # two lines, 0 pads
    >>> y_pred = np.array([[5, 6, 6, 0], [8, 9, 3, 0]])  # decoded ids
    >>> metric.update_state(y_true, y_pred)
    >>> round(float(metric.result()), 6)  # one substitution, one insertion over 5 characters
    0.4
    """

    def __init__(self, mask_index: int = 0, name: str = "character_error_rate", dtype=None):
        super().__init__(mask_index, name=name, dtype=dtype)

    def _distances(self, reference, reference_lengths, hypothesis, hypothesis_lengths):
        different = ops.expand_dims(reference, 2) != ops.expand_dims(hypothesis, 1)
        distances = _sequence_ops.levenshtein(different, reference_lengths, hypothesis_lengths)
        return distances, reference_lengths


@keras.saving.register_keras_serializable(package="finvision")
class WordErrorRate(_EditRate):
    """Streaming WER: total word edits / total reference words.

    Words are maximal runs of ids other than ``separator_index`` (the id of the
    space character), as ``str.split()`` splits the decoded text. See
    :func:`finvision.metrics.functional.word_error_rate`.

    Args:
        separator_index: the id of the word separator.
        mask_index: the padding id of ``y_true`` and the CTC blank of ``y_pred``.
        name: the metric's name.
        dtype (str | None): the dtype of the totals and the result.

    Example:
    >>> import numpy as np
    >>> metric = WordErrorRate(separator_index=1)
    >>> y_true = np.array([[5, 1, 6, 6, 1, 7]])  # "a bb c"
    >>> y_pred = np.array([[5, 1, 6, 1, 7, 0]])  # "a b c"
    >>> metric.update_state(y_true, y_pred)
    >>> round(float(metric.result()), 4)
    0.3333
    """

    def __init__(
        self,
        separator_index: int,
        mask_index: int = 0,
        name: str = "word_error_rate",
        dtype=None,
    ):
        self.separator_index = _index(separator_index, "separator_index")
        if separator_index == mask_index:
            raise ValueError(
                f"`separator_index` and `mask_index` must differ; both are {mask_index}."
            )
        super().__init__(mask_index, name=name, dtype=dtype)

    def _distances(self, reference, reference_lengths, hypothesis, hypothesis_lengths):
        lengths = (ops.shape(reference)[1], ops.shape(hypothesis)[1])
        static = all(isinstance(length, int) for length in lengths)
        width = max(lengths) if static else ops.maximum(*lengths)
        reference_words, reference_counts = _sequence_ops.words(
            reference, reference_lengths, self.separator_index, width
        )
        hypothesis_words, hypothesis_counts = _sequence_ops.words(
            hypothesis, hypothesis_lengths, self.separator_index, width
        )
        different = ops.any(
            ops.expand_dims(reference_words, 2) != ops.expand_dims(hypothesis_words, 1), axis=-1
        )
        distances = _sequence_ops.levenshtein(different, reference_counts, hypothesis_counts)
        return distances, reference_counts

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(separator_index=self.separator_index)
        return config
