"""Base classes shared by finvision's image layers: input checks, batching, randomness.

Every image layer takes raw pixels in [0, 255] (uint8 or float), one image
``(H, W, C)`` or a batch ``(N, H, W, C)``, and returns float pixels of the same
layout in the layer's dtype (float32 unless ``dtype=`` says otherwise, also under
a mixed-precision policy, so raw pixels are never rounded to float16).

Augmentations build on :class:`ImageLayer` in
:mod:`finvision.preprocessing._augmentation`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
from keras import ops

#: The largest raw pixel value: image layers take pixels in [0, PIXEL_MAX].
PIXEL_MAX = 255.0


def value_range(
    name: str, value: float | Sequence[float], low: float, high: float
) -> tuple[float, float]:
    """Checks a ``(min, max)`` argument (or one number, meaning ``(value, value)``).

    Args:
        name: the argument's name, for the error message.
        value: a number or a pair ``(min, max)``.
        low: the smallest allowed value.
        high: the largest allowed value.

    Returns:
        The pair as floats.

    Raises:
        ValueError: if the pair is malformed, reversed or outside ``[low, high]``.

    Example:
    >>> value_range("quality", (30, 95), 1, 100)
    (30.0, 95.0)
    """
    if isinstance(value, int | float):
        pair: tuple = (value, value)
    else:
        try:
            pair = tuple(value)
        except TypeError:  # not iterable, e.g. None
            pair = ()
    if len(pair) != 2 or not all(isinstance(v, int | float) for v in pair):
        raise ValueError(f"`{name}` must be a number or a pair (min, max); received {value!r}.")
    lower, upper = float(pair[0]), float(pair[1])
    if not low <= lower <= upper <= high:
        raise ValueError(
            f"`{name}` must satisfy {low} <= min <= max <= {high}; received {value!r}."
        )
    return lower, upper


class ImageLayer(keras.layers.Layer):
    """A layer that maps images to images of the same layout.

    Subclasses implement :meth:`transform` on a float batch ``(N, H, W, C)`` and
    may restrict the channel counts they accept with ``supported_channels``.
    """

    #: Channel counts the layer accepts; ``None`` accepts any.
    supported_channels: tuple[int, ...] | None = (1, 3)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)

    def _check_input(self, shape: Sequence[int | None], dtype: str) -> None:
        if dtype == "string" or dtype.startswith("complex"):
            raise ValueError(
                f"{type(self).__name__} expects pixels as integers or floats in [0, 255]; "
                f"received input of dtype {dtype}."
            )
        if len(shape) not in (3, 4):
            raise ValueError(
                f"{type(self).__name__} expects one image (H, W, C) or a batch "
                f"(N, H, W, C); received input with shape {tuple(shape)}."
            )
        channels = shape[-1]
        if self.supported_channels is not None and channels not in self.supported_channels:
            raise ValueError(
                f"{type(self).__name__} supports images with {self.supported_channels} "
                f"channels; received input with shape {tuple(shape)}."
            )

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        self._check_input(tuple(inputs.shape), keras.backend.standardize_dtype(inputs.dtype))
        single = len(inputs.shape) == 3
        images = ops.cast(inputs, self.compute_dtype)
        if single:
            images = images[None]
        outputs = self.transform_batch(images, training=bool(training))
        return outputs[0] if single else outputs

    def transform_batch(self, images: Any, training: bool) -> Any:
        """Transforms a float batch; only random layers look at ``training``."""
        return self.transform(images)

    def transform(self, images: Any) -> Any:
        """Maps a float batch ``(N, H, W, C)`` in [0, 255] to the layer's output."""
        raise NotImplementedError

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple:
        return tuple(input_shape)
