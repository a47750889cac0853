"""Input checks shared by the exact metric functions: clear errors, no silent casts."""

from __future__ import annotations

from typing import Any

import numpy as np


def as_scores(values: Any, name: str) -> np.ndarray:
    """Returns scores as a 1-D float64 array, or raises a clear error.

    Args:
        values: a 1-D array-like of real scores, or a column of shape ``(n, 1)``.
        name: the argument's name, for the error message.

    Returns:
        A new 1-D ``float64`` array.

    Raises:
        ValueError: if ``values`` is not numeric, has another shape, is empty,
            or holds NaN or infinite values.

    Example:
    >>> as_scores([[0.25], [1]], "y_score").tolist()
    [0.25, 1.0]
    """
    array = np.asarray(values)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise ValueError(f"`{name}` must hold real numbers; received dtype {array.dtype}.")
    if np.iscomplexobj(array):
        raise ValueError(f"`{name}` must hold real numbers; received complex values.")
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(
            f"`{name}` must be 1-D (one score per sample) or a column (n, 1); "
            f"received shape {array.shape}."
        )
    if array.size == 0:
        raise ValueError(f"`{name}` is empty; expected at least one score.")
    array = array.astype(np.float64)
    bad = ~np.isfinite(array)
    if bad.any():
        nan = int(np.isnan(array).sum())
        raise ValueError(
            f"`{name}` must be finite; received {nan} NaN and {int(bad.sum()) - nan} "
            f"infinite values (first at index {int(np.flatnonzero(bad)[0])})."
        )
    return array


def _label_vector(values: Any, name: str) -> np.ndarray:
    """``values`` as a non-empty 1-D array (a column ``(n, 1)`` is flattened), or raises."""
    array = np.asarray(values)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(f"`{name}` must be 1-D (one label per sample); received {array.shape}.")
    if array.size == 0:
        raise ValueError(f"`{name}` is empty; expected at least one label.")
    return array


def as_binary_labels(values: Any, name: str) -> np.ndarray:
    """Returns labels in {0, 1} as a 1-D boolean array, or raises a clear error.

    Args:
        values: a 1-D array-like of 0/1 (or ``False``/``True``) labels, or a
            column of shape ``(n, 1)``.
        name: the argument's name, for the error message.

    Returns:
        A new 1-D ``bool`` array.

    Raises:
        ValueError: if ``values`` has another shape, is empty, or holds a value
            other than 0 and 1.

    Example:
    >>> as_binary_labels([1, 0, 1.0], "y_true").tolist()
    [True, False, True]
    """
    array = _label_vector(values, name)
    if array.dtype == bool:
        return array.copy()
    try:
        valid = (array == 0) | (array == 1)
    except (TypeError, ValueError):  # pragma: no cover - exotic dtypes
        valid = np.zeros(array.shape, dtype=bool)
    if not np.all(valid):
        others = list(dict.fromkeys(array[~np.asarray(valid, dtype=bool)].tolist()))
        raise ValueError(
            f"`{name}` must hold only 0 and 1 (or False and True); received other "
            f"values {others[:5]}{' ...' if len(others) > 5 else ''}."
        )
    return array == 1


def as_class_scores(values: Any, name: str) -> np.ndarray:
    """Returns per-class scores as a finite 2-D float64 array ``(n, K)``, or raises.

    Args:
        values: an array-like of shape ``(n, K)``, ``K >= 2``.
        name: the argument's name, for the error message.

    Returns:
        A new ``(n, K)`` ``float64`` array.

    Raises:
        ValueError: if ``values`` is not numeric, not ``(n, K)``, empty, or
            holds NaN or infinite values.

    Example:
    >>> as_class_scores([[0.2, 0.8]], "y_score").tolist()
    [[0.2, 0.8]]
    """
    array = np.asarray(values)
    if array.ndim != 2 or array.shape[1] < 2:
        raise ValueError(
            f"`{name}` must be (n, classes) with at least 2 classes; received shape {array.shape}."
        )
    columns = [
        as_scores(array[:, column], f"{name}[:, {column}]") for column in range(array.shape[1])
    ]
    return np.stack(columns, axis=1)


def as_class_labels(values: Any, name: str, classes: int) -> np.ndarray:
    """Returns class indices in [0, ``classes``) as a 1-D int64 array, or raises.

    Args:
        values: a 1-D array-like of whole numbers, or a column ``(n, 1)``.
        name: the argument's name, for the error message.
        classes: the number of classes.

    Returns:
        A new 1-D ``int64`` array.

    Raises:
        ValueError: if ``values`` has another shape, is empty, or holds a value
            that is not a class index.

    Example:
    >>> as_class_labels([2, 0.0, 1], "y_true", 3).tolist()
    [2, 0, 1]
    """
    array = _label_vector(values, name)
    numeric = array.dtype != bool and np.issubdtype(array.dtype, np.number)
    valid = np.isin(array, np.arange(classes)) if numeric else np.zeros(array.shape, bool)
    if not np.all(valid):
        others = list(dict.fromkeys(array[~valid].tolist()))
        raise ValueError(
            f"`{name}` must hold class indices 0 to {classes - 1}; received other values "
            f"{others[:5]}{' ...' if len(others) > 5 else ''}."
        )
    return array.astype(np.int64)


def same_length(**arrays: np.ndarray) -> int:
    """Checks that arrays have the same length and returns it.

    Args:
        **arrays: the arrays, keyed by their argument names.

    Returns:
        The common length.

    Raises:
        ValueError: naming the arguments and their lengths when they differ.

    Example:
    >>> same_length(y_true=[0, 1], y_score=[0.2, 0.9])
    2
    """
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"`{name}` has {length}" for name, length in lengths.items())
        raise ValueError(f"Expected one entry per sample in each argument; {described}.")
    return next(iter(lengths.values()))


def both_classes(positive: np.ndarray, negative: np.ndarray, what: tuple[str, str]) -> None:
    """Raises a clear error when one of the two score groups is empty.

    Args:
        positive: scores of the positive (genuine, bona fide) group.
        negative: scores of the negative (impostor, attack) group.
        what: names of the two groups for the message, positive first.

    Raises:
        ValueError: if either group is empty.

    Example:
    >>> both_classes(np.ones(2), np.zeros(1), ("positive", "negative"))
    """
    for scores, label in ((positive, what[0]), (negative, what[1])):
        if scores.size == 0:
            raise ValueError(
                f"No {label} samples: the rate is undefined without both "
                f"{what[0]} and {what[1]} samples."
            )


def as_threshold(value: Any, name: str = "threshold") -> float:
    """Checks a decision threshold (a real number, not NaN) and returns it as a float.

    Args:
        value: the threshold; ``inf`` is allowed and rejects every finite score.
        name: the argument's name, for the error message.

    Returns:
        ``float(value)``.

    Raises:
        ValueError: if the value is not a real number or is NaN.

    Example:
    >>> as_threshold(1)
    1.0
    """
    try:
        threshold = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` must be a real number; received {value!r}.") from None
    if np.isnan(threshold):
        raise ValueError(f"`{name}` must be a real number; received NaN.")
    return threshold
