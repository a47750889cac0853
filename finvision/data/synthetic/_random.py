"""Seeded random streams: one independent generator per sample, no global state."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import numpy as np

from finvision._validation import check_non_negative_int

_T = TypeVar("_T")

#: Stream tags keep the generators of different kinds of data apart.
MRZ_STREAM = 1
MICR_STREAM = 2
CHEQUE_STREAM = 3
SIGNATURE_STREAM = 4
WRITER_STREAM = 5
TAMPER_STREAM = 6
NUISANCE_STREAM = 7
DOCUMENT_STREAM = 8  # and 9, for the ID cards
CLIP_STREAM = 10
TAMPER_PAIR_STREAM = 11
PAGE_STREAM = 12


def sample_generators(stream: int, seed: int, count: int) -> list[np.random.Generator]:
    """One generator per sample, seeded by ``(stream, seed, index)``.

    Sample ``i`` of a seed is therefore the same whatever ``count`` is, so a
    longer run extends a shorter one and ranges can be generated in parallel.

    Args:
        stream: the tag of the kind of data.
        seed: the caller's seed.
        count: how many samples.

    Returns:
        ``count`` independent NumPy generators.

    Raises:
        ValueError: if ``seed`` or ``count`` is not a non-negative int.

    Example:
    >>> first = sample_generators(MRZ_STREAM, 0, 3)[2].integers(1000)
    >>> bool(first == sample_generators(MRZ_STREAM, 0, 5)[2].integers(1000))
    True
    """
    seed, count = check_non_negative_int("seed", seed), check_non_negative_int("count", count)
    return [np.random.default_rng((stream, seed, index)) for index in range(count)]


def pick(rng: np.random.Generator, options: Sequence[_T]) -> _T:
    """One of ``options``, uniformly.

    Example:
    >>> pick(np.random.default_rng(0), ["a"])
    'a'
    """
    return options[int(rng.random() * len(options))]
