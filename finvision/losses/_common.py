"""What the finvision losses share: argument checks, labels and pairwise distances."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


def check_number(name: str, value: Any, *, minimum: float = 0.0, strict: bool = True) -> float:
    """Returns ``value`` as a float if it is a real number above ``minimum``.

    Args:
        name: the argument's name, for the error message.
        value: the number to check.
        minimum: the bound it must exceed (or reach, with ``strict=False``).
        strict: whether ``value`` must be strictly greater than ``minimum``.

    Returns:
        The number as a float.

    Raises:
        ValueError: if ``value`` is not a real number beyond the bound.

    Example:
    >>> check_number("margin", 1)
    1.0
    >>> check_number("smooth", -1, strict=False)
    Traceback (most recent call last):
    ...
    ValueError: `smooth` must be a number >= 0.0; received -1.
    """
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if not is_number or not (value > minimum if strict else value >= minimum):
        bound = ">" if strict else ">="
        raise ValueError(f"`{name}` must be a number {bound} {minimum}; received {value!r}.")
    return float(value)


def pairwise_distances(embeddings: Any) -> Any:
    """Euclidean distances between every pair of rows, ``(N, N)``.

    Computed from the Gram matrix; squared distances below zero (rounding) are
    clamped to 0 and the square root is taken only where they are positive, so
    the gradient stays finite for identical embeddings.

    Args:
        embeddings: a float tensor ``(N, D)``.

    Returns:
        The symmetric distance matrix ``(N, N)`` with a zero diagonal.

    Example:
    >>> import numpy as np
    >>> pairwise_distances(np.array([[0.0, 0.0], [3.0, 4.0]])).numpy().tolist()
    [[0.0, 5.0], [5.0, 0.0]]
    """
    embeddings = ops.convert_to_tensor(embeddings)
    squared_norms = ops.sum(ops.square(embeddings), axis=1)
    gram = ops.matmul(embeddings, ops.transpose(embeddings))
    squared = squared_norms[:, None] + squared_norms[None, :] - 2.0 * gram
    squared = ops.maximum(squared, 0.0)
    positive = squared > 0.0
    distances = ops.sqrt(ops.where(positive, squared, ops.ones_like(squared)))
    return ops.where(positive, distances, ops.zeros_like(distances))


def same_label_mask(labels: Any) -> Any:
    """``mask[i, j]`` is True when samples ``i`` and ``j`` share a label (diagonal included).

    Example:
    >>> same_label_mask([1, 2, 1]).numpy().astype(int).tolist()
    [[1, 0, 1], [0, 1, 0], [1, 0, 1]]
    """
    labels = ops.convert_to_tensor(labels)
    return ops.equal(labels[:, None], labels[None, :])


def embedding_labels(y_true: Any, y_pred: Any) -> Any:
    """Checks a batch of embeddings and returns its identity labels, flat int32 ``(N,)``.

    Args:
        y_true: one identity label per embedding, ``(N,)`` or ``(N, 1)``.
        y_pred: the embeddings, ``(N, D)``.

    Returns:
        The labels as an int32 tensor ``(N,)``.

    Raises:
        ValueError: if ``y_pred`` is not ``(N, D)`` or the label count differs.

    Example:
    >>> import numpy as np
    >>> embedding_labels([[4], [2]], np.zeros((2, 3))).numpy().tolist()
    [4, 2]
    >>> embedding_labels(np.zeros((3,)), np.zeros((2, 4)))
    Traceback (most recent call last):
    ...
    ValueError: `y_true` needs one label per embedding; received 3 labels for 2 embeddings.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    labels = ops.reshape(ops.cast(ops.convert_to_tensor(y_true), "int32"), (-1,))
    if len(y_pred.shape) != 2:
        raise ValueError(
            f"`y_pred` must be a batch of embeddings (N, D); received shape {tuple(y_pred.shape)}."
        )
    count, rows = labels.shape[0], y_pred.shape[0]
    if count is not None and rows is not None and count != rows:
        raise ValueError(
            "`y_true` needs one label per embedding; "
            f"received {count} labels for {rows} embeddings."
        )
    return labels


class MarginEmbeddingLoss(keras.losses.Loss):
    """Base of the losses on a batch of embeddings with identity labels and a margin.

    Subclasses implement ``call`` from :meth:`distances_and_same`; the margin
    is checked and serialized here.
    """

    def __init__(self, margin: float, name: str, reduction: str, dtype: str | None) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.margin = check_number("margin", margin)

    def distances_and_same(self, y_true: Any, y_pred: Any) -> tuple[Any, Any]:
        """Pairwise Euclidean distances of the embeddings and the same-label mask."""
        labels = embedding_labels(y_true, y_pred)
        return pairwise_distances(y_pred), same_label_mask(labels)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "margin": self.margin}
