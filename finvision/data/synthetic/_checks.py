"""Argument checks shared by the generators: clear errors naming the argument."""

from __future__ import annotations

from collections.abc import Sequence

from finvision._validation import is_int


def check_size(size: Sequence[int], minimum: int = 16) -> tuple[int, int]:
    """Checks an image size ``(height, width)``.

    Example:
    >>> check_size((96, 192))
    (96, 192)
    """
    pair = tuple(size) if isinstance(size, Sequence) else ()
    if len(pair) != 2 or not all(is_int(v) and v >= minimum for v in pair):
        raise ValueError(
            f"`size` must be a pair (height, width) of ints >= {minimum}; received {size!r}."
        )
    return int(pair[0]), int(pair[1])


def check_height(height: int, minimum: int = 8) -> int:
    """Checks a line height in pixels.

    Example:
    >>> check_height(32)
    32
    """
    if not is_int(height) or height < minimum:
        raise ValueError(f"`height` must be an int >= {minimum}; received {height!r}.")
    return int(height)
