"""Argument checks every package shares, each ``check_*(name, value, ...)``.

Each check raises ``ValueError`` naming the argument, what it takes and the
value received, and returns the value in its plain Python type. The checks of
one package's own inputs (pixels, scores, backbones) stay in that package.
NumPy only: no Keras or TensorFlow import.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import numpy as np

Choice = TypeVar("Choice")

#: The intervals :func:`check_fraction` checks, with their bounds and which are open.
_INTERVALS = {"[0, 1]": (False, False), "[0, 1)": (False, True), "(0, 1]": (True, False)}


def is_int(value: Any) -> bool:
    """Whether ``value`` is an integer (Python or NumPy), and not a bool.

    Example:
    >>> is_int(3), is_int(np.int64(3)), is_int(True), is_int(3.0)
    (True, True, False, False)
    """
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """Whether ``value`` is a real number (Python or NumPy), and not a bool.

    Example:
    >>> is_number(0.5), is_number(np.float32(0.5)), is_number(False), is_number("0.5")
    (True, True, False, False)
    """
    is_real = isinstance(value, int | float | np.integer | np.floating)
    return is_real and not isinstance(value, bool | np.bool_)


def check_choice(name: str, value: Choice, choices: Sequence[Any]) -> Choice:
    """Checks that ``value`` is one of ``choices``; returns it.

    Raises:
        ValueError: naming the argument, the choices and the value received.

    Example:
    >>> check_choice("decoder", "fcn", ("fpn", "unet"))
    Traceback (most recent call last):
    ...
    ValueError: `decoder` must be one of ('fpn', 'unet'); received 'fcn'.
    """
    if value not in choices:
        raise ValueError(f"`{name}` must be one of {tuple(choices)}; received {value!r}.")
    return value


def check_positive_int(name: str, value: Any) -> int:
    """Checks that ``value`` is an integer >= 1; returns it as an ``int``.

    Raises:
        ValueError: naming the argument and the value received.

    Example:
    >>> check_positive_int("embedding_dim", 0)
    Traceback (most recent call last):
    ...
    ValueError: `embedding_dim` must be an integer >= 1; received 0.
    """
    if not (is_int(value) and value >= 1):
        raise ValueError(f"`{name}` must be an integer >= 1; received {value!r}.")
    return int(value)


def check_non_negative_int(name: str, value: Any) -> int:
    """Checks that ``value`` is an integer >= 0 (a seed, a count); returns it as an ``int``.

    Raises:
        ValueError: naming the argument and the value received.

    Example:
    >>> check_non_negative_int("seed", -1)
    Traceback (most recent call last):
    ...
    ValueError: `seed` must be a non-negative int; received -1.
    """
    if not (is_int(value) and value >= 0):
        raise ValueError(f"`{name}` must be a non-negative int; received {value!r}.")
    return int(value)


def check_fraction(name: str, value: Any, interval: str = "[0, 1]") -> float:
    """Checks that ``value`` is a number in ``interval``; returns it as a ``float``.

    Args:
        name: the argument's name.
        value: the value received.
        interval: ``"[0, 1]"`` (a probability, a strength), ``"[0, 1)"`` (a
            dropout rate) or ``"(0, 1]"`` (a share that must not be empty).

    Raises:
        ValueError: naming the argument, the interval and the value received.

    Example:
    >>> check_fraction("dropout", 1.0, "[0, 1)")
    Traceback (most recent call last):
    ...
    ValueError: `dropout` must be a number in [0, 1); received 1.0.
    """
    open_low, open_high = _INTERVALS[interval]
    inside = is_number(value) and (value > 0 if open_low else value >= 0)
    inside = inside and (value < 1 if open_high else value <= 1)
    if not inside:
        raise ValueError(f"`{name}` must be a number in {interval}; received {value!r}.")
    return float(value)
