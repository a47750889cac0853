"""Argument checks shared by the loaders: clear errors naming the argument."""

from __future__ import annotations

import math
from typing import Any

from finvision._validation import check_choice

COLOR_MODES = {"rgb": 3, "grayscale": 1}
ON_ERROR = ("skip", "raise")
PAGES = ("all", "first")
SUBSETS = ("training", "validation", "both")
INTERPOLATIONS = (
    "bilinear",
    "nearest",
    "bicubic",
    "area",
    "lanczos3",
    "lanczos5",
    "gaussian",
    "mitchellcubic",
)


def image_size(value: Any) -> tuple[int, int]:
    """Returns ``(height, width)``, or raises a clear error.

    Args:
        value: a pair of positive ints.

    Returns:
        The pair as a tuple of Python ints.

    Raises:
        ValueError: if ``value`` is not a pair of positive ints.

    Example:
    >>> image_size([224, 160])
    (224, 160)
    """
    if (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
    ):
        return int(value[0]), int(value[1])
    raise ValueError(f"`image_size` must be a pair of positive ints, received {value!r}.")


def batch_size(value: Any) -> int | None:
    """Returns a positive int batch size or None (unbatched), or raises.

    Args:
        value: a positive int, or None for single elements.

    Returns:
        ``value`` unchanged.

    Raises:
        ValueError: for anything else.

    Example:
    >>> batch_size(None) is None
    True
    """
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value > 0):
        return value
    raise ValueError(f"`batch_size` must be a positive int or None, received {value!r}.")


def split_arguments(validation_split: Any, subset: Any, seed: Any) -> None:
    """Checks that ``validation_split``, ``subset`` and ``seed`` fit together.

    A split needs a seed, so that the training and validation calls of a loader
    agree on which files go where.

    Args:
        validation_split: None, or a float strictly between 0 and 1.
        subset: None, or one of ``"training"``, ``"validation"``, ``"both"``.
        seed: None, or an int; required with ``validation_split``.

    Raises:
        ValueError: if the combination is invalid.

    Example:
    >>> split_arguments(0.2, "both", seed=1)
    """
    if validation_split is None:
        if subset is not None:
            raise ValueError(
                f"`subset` needs `validation_split`; received subset={subset!r} and "
                "validation_split=None."
            )
        return
    if (
        isinstance(validation_split, bool)
        or not isinstance(validation_split, (int, float))
        or not 0 < validation_split < 1
    ):
        raise ValueError(
            "`validation_split` must be a float strictly between 0 and 1, "
            f"received {validation_split!r}."
        )
    check_choice("subset", subset, SUBSETS)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(
            "`seed` must be an int when `validation_split` is set, so that the training "
            f"and validation subsets do not overlap; received seed={seed!r}."
        )


def fractions(values: Any) -> tuple[float, ...]:
    """Returns split fractions: two or more positive numbers summing to 1.

    Args:
        values: a sequence of positive floats.

    Returns:
        The fractions as a tuple of floats.

    Raises:
        ValueError: if there are fewer than two, one is not positive, or they do
            not sum to 1 (within 1e-6).

    Example:
    >>> fractions([0.7, 0.15, 0.15])
    (0.7, 0.15, 0.15)
    """
    try:
        result = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        result = ()
    if len(result) < 2 or not all(math.isfinite(v) and v > 0 for v in result):
        raise ValueError(f"`fractions` must be two or more positive numbers, received {values!r}.")
    if abs(sum(result) - 1.0) > 1e-6:
        raise ValueError(f"`fractions` must sum to 1, received {values!r} (sum {sum(result)}).")
    return result
