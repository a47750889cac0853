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
        data: what :func:`collect_images` takes.
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
    images = collect_images(data, "representative_data", shape, limit)
    if not len(images):
        raise ValueError("`representative_data` holds no images; pass 100 to 200 typical images.")
    return [image[None] for image in images]


def collect_images(
    data: Any, name: str, shape: tuple[int, ...] | None = None, limit: int | None = None
) -> np.ndarray:
    """The images of ``data`` as one uint8 array ``(N, H, W, C)``.

    Args:
        data: an array of images ``(N, H, W, C)``; a ``tf.data.Dataset`` (or
            any iterable) of images, of batches of images, or of
            ``(images, labels)`` tuples, as ``finvision.data`` loaders give;
            or a callable returning one of those. Pixels are numbers in
            [0, 255] (floats are rounded).
        name: the argument's name, for error messages.
        shape: the ``(H, W, C)`` every image must have; ``None`` takes the
            first image's.
        limit: the most images taken; ``None`` takes all.

    Returns:
        A uint8 array of at most ``limit`` images (possibly none).

    Raises:
        ValueError: if an image has another shape or pixels outside [0, 255].

    Example:
    >>> import tensorflow as tf
    >>> dataset = tf.data.Dataset.from_tensor_slices(
    ...     (np.full((5, 4, 4, 3), 127.6, "float32"), np.arange(5))).batch(2)
    >>> images = collect_images(dataset, "data")
    >>> images.shape, images.dtype, int(images.max())
    ((5, 4, 4, 3), dtype('uint8'), 128)
    """
    batches: list[np.ndarray] = []
    count = 0
    for element in _elements(data):
        batch = np.asarray(element)
        if shape is None and batch.ndim in (3, 4):
            shape = batch.shape[-3:]
        if shape is not None and batch.ndim == len(shape):
            batch = batch[None]
        if shape is None or batch.shape[1:] != tuple(shape):
            expected = f"images of shape {tuple(shape)}" if shape else "images (H, W, C)"
            raise ValueError(
                f"`{name}` must hold {expected}; received an element of shape "
                f"{np.asarray(element).shape}."
            )
        batch = as_pixels(batch[: None if limit is None else limit - count], name)
        batches.append(batch)
        count += len(batch)
        if count == limit:
            break
    if not batches:
        return np.zeros((0, *(shape or (0, 0, 0))), "uint8")
    return np.concatenate(batches)


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
