"""Argument checks shared by the generators: clear errors naming the argument."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def check_seed(seed: int) -> int:
    """Checks a seed: a non-negative int.

    Args:
        seed: the seed a caller passed.

    Returns:
        ``seed`` as an ``int``.

    Raises:
        ValueError: if ``seed`` is not a non-negative int.

    Example:
    >>> check_seed(3)
    3
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"`seed` must be a non-negative int; received {seed!r}.")
    return int(seed)


def check_count(count: int) -> int:
    """Checks a sample count: a non-negative int.

    Example:
    >>> check_count(0)
    0
    """
    if isinstance(count, bool) or not isinstance(count, int | np.integer) or count < 0:
        raise ValueError(f"`count` must be a non-negative int; received {count!r}.")
    return int(count)


def check_size(size: Sequence[int], minimum: int = 16) -> tuple[int, int]:
    """Checks an image size ``(height, width)``.

    Example:
    >>> check_size((96, 192))
    (96, 192)
    """
    pair = tuple(size) if isinstance(size, Sequence) else ()
    if len(pair) != 2 or not all(
        isinstance(v, int | np.integer) and not isinstance(v, bool) and v >= minimum for v in pair
    ):
        raise ValueError(
            f"`size` must be a pair (height, width) of ints >= {minimum}; received {size!r}."
        )
    return int(pair[0]), int(pair[1])


def check_strength(strength: float, name: str = "strength") -> float:
    """Checks a nuisance strength: a number in [0, 1].

    Example:
    >>> check_strength(0.5)
    0.5
    """
    if (
        isinstance(strength, bool)
        or not isinstance(strength, int | float)
        or not 0 <= strength <= 1
    ):
        raise ValueError(f"`{name}` must be a number in [0, 1]; received {strength!r}.")
    return float(strength)


def check_height(height: int, minimum: int = 8) -> int:
    """Checks a line height in pixels.

    Example:
    >>> check_height(32)
    32
    """
    if isinstance(height, bool) or not isinstance(height, int | np.integer) or height < minimum:
        raise ValueError(f"`height` must be an int >= {minimum}; received {height!r}.")
    return int(height)
