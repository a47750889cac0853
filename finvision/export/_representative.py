"""Calibration images for full-integer quantization, from arrays, datasets or generators."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from finvision.export._serving import as_pixels

#: At most this many images of ``representative_data`` calibrate an int8 export.
MAX_REPRESENTATIVE_SAMPLES = 200


def representative_images(
    data: Any, shape: tuple[int, int, int], limit: int = MAX_REPRESENTATIVE_SAMPLES
) -> list[np.ndarray]:
    """Collects up to ``limit`` uint8 images of ``shape`` from ``data``.

    Args:
        data: an array of images ``(N, H, W, C)``; a ``tf.data.Dataset`` (or
            any iterable) of images, of batches of images, or of
            ``(images, labels)`` tuples; or a callable returning one of those.
            Pixels are raw values in [0, 255].
        shape: the exported model's input ``(H, W, C)``.
        limit: the most images taken.

    Returns:
        A list of uint8 images, each ``(1, H, W, C)``.

    Raises:
        ValueError: if an image has another shape, or ``data`` holds none.

    Example:
    >>> images = np.zeros((300, 8, 8, 3), "uint8")
    >>> len(representative_images(images, (8, 8, 3))), len(representative_images(
    ...     lambda: ((batch, None) for batch in np.split(images, 3)), (8, 8, 3), 50))
    (200, 50)
    """
    collected: list[np.ndarray] = []
    for element in _elements(data):
        batch = np.asarray(element)
        if batch.ndim == len(shape):
            batch = batch[None]
        if batch.shape[1:] != tuple(shape):
            raise ValueError(
                f"`representative_data` must hold images of shape {tuple(shape)} (the exported "
                f"input); received an element of shape {np.asarray(element).shape}."
            )
        for image in as_pixels(batch, "representative_data"):
            collected.append(image[None])
            if len(collected) == limit:
                return collected
    if not collected:
        raise ValueError("`representative_data` holds no images; pass 100 to 200 typical images.")
    return collected


def _elements(data: Any) -> Iterator[Any]:
    source = data() if callable(data) else data
    if isinstance(source, np.ndarray):
        source = [source]
    for element in source:
        yield element[0] if isinstance(element, tuple | list) else element


def calibration(images: list[np.ndarray]) -> Callable[[], Iterator[list[np.ndarray]]]:
    """The ``representative_dataset`` callable of a TFLite converter.

    Example:
    >>> next(calibration([np.zeros((1, 2, 2, 1), "uint8")])())[0].shape
    (1, 2, 2, 1)
    """
    return lambda: ([image] for image in images)
