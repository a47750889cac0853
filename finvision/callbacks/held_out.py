"""Runs a model over validation data and turns its outputs into one score per sample."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import keras
import numpy as np


def _is_arrays(validation_data: Any) -> bool:
    """True for ``(x, y)`` or ``(x, y, w)`` with array-like (or dict) ``x``."""
    return (
        isinstance(validation_data, (tuple, list))
        and len(validation_data) in (2, 3)
        and (hasattr(validation_data[0], "shape") or isinstance(validation_data[0], dict))
    )


def check_validation_data(validation_data: Any) -> None:
    """Raises a clear error for validation data that is neither arrays nor batches.

    Args:
        validation_data: ``(x, y)`` or ``(x, y, sample_weight)`` arrays, or a
            re-iterable of such batches (a ``tf.data.Dataset``, a list).

    Raises:
        ValueError: for anything else, or arrays whose lengths differ.

    Example:
    >>> check_validation_data((np.zeros((2, 3)), np.zeros(2)))
    >>> check_validation_data((np.zeros((2, 3)), np.zeros(3)))
    Traceback (most recent call last):
    ...
    ValueError: `validation_data` must hold one label per sample; received x with 2 samples, y with 3.
    """  # noqa: E501
    if _is_arrays(validation_data):
        x = validation_data[0]
        arrays = list(x.values()) if isinstance(x, dict) else [x]
        sizes = [len(array) for array in arrays] + [len(part) for part in validation_data[1:]]
        if len(set(sizes)) > 1:
            names = ["x"] * len(arrays) + ["y", "sample_weight"][: len(validation_data) - 1]
            parts = [f"{name} with {size}" for name, size in zip(names, sizes, strict=True)]
            raise ValueError(
                "`validation_data` must hold one label per sample; received "
                f"{parts[0]} samples, {', '.join(parts[1:])}."
            )
        return
    if isinstance(validation_data, Iterable) and not isinstance(validation_data, (str, bytes)):
        return
    raise ValueError(
        "`validation_data` must be a tuple (x, y) of arrays or a re-iterable of (x, y) "
        f"batches such as a tf.data.Dataset; received {type(validation_data).__name__}."
    )


def predict(model: keras.Model, validation_data: Any, batch_size: int) -> tuple[Any, Any]:
    """Labels and predictions for the whole validation set, as NumPy arrays.

    Args:
        model: the model to run (in inference mode).
        validation_data: as :func:`check_validation_data` accepts.
        batch_size: batch size for array data.

    Returns:
        ``(y_true, y_pred)``, concatenated over batches.

    Raises:
        ValueError: if the arrays are empty, a dataset yields no batch, or the
            model has several outputs.

    Example:
    >>> import keras
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    >>> y_true, y_pred = predict(model, (np.zeros((5, 3)), np.ones(5)), batch_size=2)
    >>> y_true.shape, y_pred.shape
    ((5,), (5, 1))
    """
    check_validation_data(validation_data)
    if _is_arrays(validation_data):
        x, y = validation_data[0], validation_data[1]
        if not isinstance(x, dict) and tuple(x.shape)[:1] == (0,):
            raise ValueError(
                f"`validation_data` holds no samples; received x of shape {tuple(x.shape)}."
            )
        outputs = model.predict(x, batch_size=batch_size, verbose=0)
        return _labels(y), _single(outputs)
    labels, outputs = [], []
    for batch in validation_data:
        if not isinstance(batch, (tuple, list)) or len(batch) < 2:
            raise ValueError("Each validation batch must be (x, y) or (x, y, sample_weight).")
        outputs.append(_single(model.predict_on_batch(batch[0])))
        labels.append(_labels(batch[1]))
    if not outputs:
        raise ValueError(
            "`validation_data` yielded no batch; pass arrays or a re-iterable dataset "
            "(not a generator that is exhausted after one pass)."
        )
    return np.concatenate(labels), np.concatenate(outputs)


def _labels(y: Any) -> np.ndarray:
    if isinstance(y, (list, tuple, np.ndarray)):
        return np.asarray(y)
    return keras.ops.convert_to_numpy(y)


def _single(outputs: Any) -> np.ndarray:
    if isinstance(outputs, (dict, list, tuple)):
        raise ValueError(
            "Evaluation callbacks need a model with a single output; received "
            f"{type(outputs).__name__} outputs."
        )
    return keras.ops.convert_to_numpy(outputs)


def binary_scores(
    y_true: np.ndarray, y_pred: np.ndarray, positive_class: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """One 0/1 label and one score per sample from a model's labels and outputs.

    Args:
        y_true: labels: 0/1 of shape ``(n,)`` or ``(n, 1)``; with
            ``positive_class``, also class ids ``(n,)`` or one-hot ``(n, k)``.
        y_pred: outputs: ``(n,)`` or ``(n, 1)`` scores; with ``positive_class``,
            ``(n, k)`` class probabilities.
        positive_class: the column of the positive class in a ``(n, k)``
            output, or None for single-score outputs.

    Returns:
        ``(labels, scores)``: 1-D arrays (labels still unchecked).

    Raises:
        ValueError: for shapes that do not give one score per sample.

    Example:
    >>> labels, scores = binary_scores(np.array([2, 0]), np.eye(3)[[2, 1]], positive_class=2)
    >>> labels.tolist(), scores.tolist()
    ([1, 0], [1.0, 0.0])
    """
    if positive_class is None:
        if y_pred.ndim == 1 or (y_pred.ndim == 2 and y_pred.shape[1] == 1):
            return y_true.reshape(-1) if y_true.ndim == 2 else y_true, y_pred.reshape(-1)
        raise ValueError(
            f"The model outputs shape {y_pred.shape}, not one score per sample; pass "
            "`positive_class=` (the output column of the positive class)."
        )
    if y_pred.ndim != 2 or not 0 <= positive_class < y_pred.shape[1]:
        raise ValueError(
            f"`positive_class`={positive_class} is not a column of the model's output "
            f"of shape {y_pred.shape}."
        )
    if y_true.ndim == 2 and y_true.shape[1] == y_pred.shape[1]:
        labels = (y_true[:, positive_class] == 1).astype(int)
    else:
        labels = (y_true.reshape(-1) == positive_class).astype(int)
    return labels, y_pred[:, positive_class]
