"""Argument checks of the federated client and strategy: clear errors naming the argument."""

from __future__ import annotations

import math
from typing import Any

import keras
import numpy as np

from finvision._validation import is_number


def check_has_weights(model: Any, name: str = "model") -> None:
    """Checks that ``model`` is a ``keras.Model`` that has its weights.

    Raises:
        TypeError: if ``model`` is not a ``keras.Model``.
        ValueError: if it has no weights yet.

    Example:
    >>> check_has_weights(keras.Sequential([keras.layers.Dense(2)]))
    Traceback (most recent call last):
    ...
    ValueError: `model` has no weights yet: build it (call it on a batch or give it a keras.Input) before it joins a federation; received an unbuilt Sequential.
    """  # noqa: E501
    if not isinstance(model, keras.Model):
        raise TypeError(f"`{name}` must be a keras.Model; received {type(model).__name__}.")
    if not model.weights:
        raise ValueError(
            f"`{name}` has no weights yet: build it (call it on a batch or give it a "
            f"keras.Input) before it joins a federation; received an unbuilt "
            f"{type(model).__name__}."
        )


def check_compiled_model(model: Any, name: str = "model") -> None:
    """Checks that ``model`` is a built, compiled ``keras.Model``.

    Raises:
        TypeError: if ``model`` is not a ``keras.Model``.
        ValueError: if it has no weights yet or was never compiled.

    Example:
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    >>> check_compiled_model(model)
    Traceback (most recent call last):
    ...
    ValueError: `model` must be compiled (model.compile(optimizer=..., loss=..., metrics=...)) before it trains or evaluates in a federation; received an uncompiled Sequential.
    """  # noqa: E501
    check_has_weights(model, name)
    if not model.compiled:
        raise ValueError(
            f"`{name}` must be compiled (model.compile(optimizer=..., loss=..., metrics=...)) "
            "before it trains or evaluates in a federation; received an uncompiled "
            f"{type(model).__name__}."
        )


def check_shard(name: str, data: Any) -> tuple[np.ndarray, np.ndarray]:
    """Checks that ``data`` is a non-empty ``(x, y)`` pair with as many labels as images.

    Returns:
        ``(x, y)`` as NumPy arrays.

    Raises:
        TypeError: if ``data`` is not a pair.
        ValueError: for an empty shard or a length mismatch.

    Example:
    >>> check_shard("train_data", (np.zeros((0, 8, 8, 3)), np.zeros((0,))))
    Traceback (most recent call last):
    ...
    ValueError: `train_data` is empty: a client needs at least one example; received images of shape (0, 8, 8, 3).
    """  # noqa: E501
    if not isinstance(data, tuple | list) or len(data) != 2:
        raise TypeError(
            f"`{name}` must be a pair (x, y) of arrays; received {type(data).__name__}"
            + (f" of length {len(data)}." if isinstance(data, tuple | list) else ".")
        )
    x, y = (np.asarray(part) for part in data)
    if x.ndim == 0 or len(x) == 0:
        raise ValueError(
            f"`{name}` is empty: a client needs at least one example; received images of "
            f"shape {x.shape}."
        )
    if y.ndim == 0 or len(y) != len(x):
        raise ValueError(
            f"`{name}` must hold as many labels as images; received {len(x)} images and "
            f"labels of shape {y.shape}."
        )
    return x, y


def check_non_negative(name: str, value: Any) -> float:
    """Checks that ``value`` is a finite real number >= 0.

    Returns:
        ``value`` as a float.

    Raises:
        ValueError: naming the argument and the value received.

    Example:
    >>> check_non_negative("proximal_mu", -0.1)
    Traceback (most recent call last):
    ...
    ValueError: `proximal_mu` must be a finite number >= 0; received -0.1.
    """
    if not (is_number(value) and math.isfinite(value) and value >= 0):
        raise ValueError(f"`{name}` must be a finite number >= 0; received {value!r}.")
    return float(value)
