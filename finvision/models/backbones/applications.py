"""Backbones that reuse ``keras.applications`` so its weight files load unchanged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras


def trunk_builder(constructor: str, **options: Any) -> Callable[[Any], keras.Model]:
    """Returns a builder for the ``keras.applications`` model ``constructor``.

    The network is built without its classification top and without weights on
    the given tensor, so layers such as an in-graph normalisation may precede it.

    Args:
        constructor: the name in ``keras.applications``, e.g. ``"ResNet50"``.
        **options: extra constructor arguments (e.g. ``include_preprocessing``).

    Returns:
        A function ``build(tensor) -> keras.Model``.

    Example:
    >>> import keras
    >>> build = trunk_builder("VGG16")
    >>> build(keras.Input((32, 32, 3))).output.shape
    (None, 1, 1, 512)
    """

    def build(tensor: Any) -> keras.Model:
        return getattr(keras.applications, constructor)(
            include_top=False,
            weights=None,
            input_tensor=tensor,
            input_shape=tuple(tensor.shape[1:]),
            **options,
        )

    return build
