"""Argument checks shared by the generative models: clear errors naming the argument."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from finvision._validation import is_int

#: Smallest and largest image side the networks are built for; sides are multiples of 8.
MIN_SIDE, MAX_SIDE, SIDE_STEP = 32, 64, 8
#: Channel counts the networks draw: grayscale scans or RGB.
CHANNELS = (1, 3)


def check_image_shape(image_shape: Any) -> tuple[int, int, int]:
    """Checks ``(height, width, channels)`` of the images a GAN draws.

    Sides are multiples of 8 from 32 to 64 (three stride-2 stages from a
    ``side / 8`` seed map), channels 1 or 3.

    Args:
        image_shape: the candidate shape.

    Returns:
        The shape as a tuple of ints.

    Raises:
        ValueError: naming the argument, what is expected and what was received.

    Example:
    >>> check_image_shape([32, 64, 3])
    (32, 64, 3)
    >>> check_image_shape((28, 28, 1))
    Traceback (most recent call last):
    ...
    ValueError: `image_shape` must be (height, width, channels) with height and width multiples of 8 from 32 to 64 and channels 1 or 3; received (28, 28, 1).
    """  # noqa: E501
    shape = tuple(image_shape) if isinstance(image_shape, Sequence) else ()
    valid = (
        len(shape) == 3
        and all(is_int(v) for v in shape)
        and all(MIN_SIDE <= side <= MAX_SIDE and side % SIDE_STEP == 0 for side in shape[:2])
        and shape[2] in CHANNELS
    )
    if not valid:
        raise ValueError(
            "`image_shape` must be (height, width, channels) with height and width multiples "
            f"of {SIDE_STEP} from {MIN_SIDE} to {MAX_SIDE} and channels 1 or 3; "
            f"received {image_shape!r}."
        )
    return tuple(int(v) for v in shape)  # type: ignore[return-value]


def check_images(images: Any, image_shape: tuple[int, ...], name: str = "images") -> np.ndarray:
    """Checks a batch of images ``(N, height, width, channels)`` against a model's shape.

    Args:
        images: array-like pixels in [0, 255].
        image_shape: ``(height, width, channels)`` the model takes.
        name: the argument's name, for the error message.

    Returns:
        The images as a NumPy array.

    Raises:
        ValueError: for another rank, size or channel count, or no image.

    Example:
    >>> check_images(np.zeros((2, 32, 32, 1)), (32, 32, 3)).shape
    Traceback (most recent call last):
    ...
    ValueError: `images` must have shape (N, 32, 32, 3) for this model; received (2, 32, 32, 1).
    """
    array = np.asarray(images)
    if array.ndim != 4 or tuple(array.shape[1:]) != tuple(image_shape) or not len(array):
        raise ValueError(
            f"`{name}` must have shape (N, {', '.join(map(str, image_shape))}) for this model; "
            f"received {array.shape}."
        )
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise ValueError(f"`{name}` must hold numbers (pixels); received dtype {array.dtype}.")
    return array


def check_labels(labels: Any, num_classes: int, count: int, name: str = "labels") -> np.ndarray:
    """Checks class indices: ``count`` integers in ``[0, num_classes)``.

    Args:
        labels: array-like of shape ``(count,)`` or ``(count, 1)``.
        num_classes: the number of classes of the model.
        count: how many labels are expected (one per image).
        name: the argument's name, for the error message.

    Returns:
        The labels as int32 ``(count,)``.

    Raises:
        ValueError: for another length, a non-integer dtype or a value out of range.

    Example:
    >>> check_labels([0, 1, 2], 2, 3)
    Traceback (most recent call last):
    ...
    ValueError: `labels` must be class indices in [0, 2); received values from 0 to 2.
    """
    array = np.asarray(labels)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1 or len(array) != count:
        raise ValueError(
            f"`{name}` must have shape ({count},), one class index per image; "
            f"received {array.shape}."
        )
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"`{name}` must be integer class indices; received dtype {array.dtype}.")
    if array.min() < 0 or array.max() >= num_classes:
        raise ValueError(
            f"`{name}` must be class indices in [0, {num_classes}); received values from "
            f"{array.min()} to {array.max()}."
        )
    return array.astype("int32")
