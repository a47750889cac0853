"""Capture defects: JPEG compression and motion blur from a hand-held phone."""

from __future__ import annotations

import math
from typing import Any

import keras
from keras import ops

from finvision.preprocessing._augmentation import RandomImageLayer
from finvision.preprocessing._jpeg import jpeg_round_trip, require_tensorflow
from finvision.preprocessing._layers import PIXEL_MAX, value_range


@keras.saving.register_keras_serializable(package="finvision")
class RandomJPEGQuality(RandomImageLayer):
    """Re-encodes each image as JPEG at a random quality.

    Phone apps and image-exchange systems recompress captures; this makes a
    model robust to the blocking and ringing that leaves. Each image draws an
    integer quality from ``quality``. Needs the TensorFlow backend (JPEG coding
    is a TensorFlow op); constructing it on another backend raises
    ``RuntimeError``. Output: float32 with integer values in [0, 255].

    Args:
        quality: ``(min, max)`` JPEG quality, within [1, 100].
        probability: chance that each image is recompressed.
        seed: seed for reproducible draws.
        **kwargs: standard layer arguments.

    Example:
    >>> import numpy as np
    >>> layer = RandomJPEGQuality((30, 60), seed=0)
    >>> scan = np.random.default_rng(0).integers(0, 256, (2, 32, 32, 3), dtype="uint8")
    >>> bool((layer(scan, training=True).numpy() != scan).any())
    True
    """

    def __init__(
        self,
        quality: int | tuple[int, int] = (30, 95),
        probability: float = 1.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        require_tensorflow(type(self).__name__)
        super().__init__(probability, seed, **kwargs)
        low, high = value_range("quality", quality, 1, 100)
        if low != int(low) or high != int(high):
            raise ValueError(f"`quality` must be integers in [1, 100]; received {quality!r}.")
        self.quality = (int(low), int(high))

    def draw_parameters(self, images: Any, seed: keras.random.SeedGenerator) -> dict[str, Any]:
        low, high = self.quality
        quality = ops.floor(self.uniform(images, low, high + 1.0, seed))
        return {"quality": ops.minimum(quality, high)}  # integers, float32

    def augment_images(self, images: Any, transformation: dict[str, Any]) -> Any:
        return jpeg_round_trip(images, transformation["quality"])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "quality": list(self.quality)}


def motion_blur_kernels(lengths: Any, angles: Any, size: int) -> Any:
    """Line-shaped blur kernels, one per image, each summing to 1.

    A kernel spreads a point along a segment of ``length`` pixels centred on
    the kernel, at ``angle`` radians from the x axis (counter-clockwise in
    pixel coordinates, where y points down, so it looks clockwise). Cells
    within one pixel of the segment get a weight falling linearly with the
    distance, which keeps slanted lines smooth.

    Args:
        lengths: ``(N,)`` segment lengths in pixels, between 1 and ``size``.
        angles: ``(N,)`` angles in radians.
        size: odd kernel side.

    Returns:
        Kernels ``(N, size, size)``, row index = y, column index = x.

    Example:
    >>> import numpy as np
    >>> motion_blur_kernels(np.array([3.0]), np.array([0.0]), 3).numpy()[0].tolist()
    [[0.0, 0.0, 0.0], [0.3333333432674408, 0.3333333432674408, 0.3333333432674408], [0.0, 0.0, 0.0]]
    """
    offsets = ops.arange(size, dtype="float32") - (size // 2)
    y = ops.reshape(offsets, (1, size, 1))
    x = ops.reshape(offsets, (1, 1, size))
    angles = ops.reshape(ops.cast(angles, "float32"), (-1, 1, 1))
    half = ops.reshape((ops.cast(lengths, "float32") - 1.0) / 2.0, (-1, 1, 1))
    cos, sin = ops.cos(angles), ops.sin(angles)
    along = ops.clip(x * cos + y * sin, -half, half)
    distance = ops.sqrt((x - along * cos) ** 2 + (y - along * sin) ** 2)
    weights = ops.relu(1.0 - distance)
    return weights / ops.sum(weights, axis=(1, 2), keepdims=True)


def filter_each(images: Any, kernels: Any) -> Any:
    """Correlates each image with its own kernel, channels independently.

    The borders are mirrored (``numpy.pad(mode="reflect")``), so the output
    keeps the input's size and its edges keep their brightness. The batch is
    folded into the channel axis so one depthwise convolution serves all images.

    Args:
        images: a float batch ``(N, H, W, C)``.
        kernels: ``(N, K, K)`` with ``K`` odd.

    Returns:
        The filtered batch, same shape as ``images``.

    Example:
    >>> import numpy as np
    >>> box = np.full((1, 3, 3), 1 / 9, dtype="float32")
    >>> image = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    >>> float(filter_each(image, box).numpy()[0, 1, 1, 0])
    5.0
    """
    size = kernels.shape[-1]
    half = size // 2
    shape = ops.shape(images)
    height, width, channels = shape[1], shape[2], images.shape[-1]
    padded = ops.pad(images, ((0, 0), (half, half), (half, half), (0, 0)), mode="reflect")
    folded = ops.transpose(padded, (1, 2, 0, 3))
    folded = ops.reshape(folded, (1, height + 2 * half, width + 2 * half, -1))
    per_channel = ops.repeat(ops.transpose(kernels, (1, 2, 0)), channels, axis=-1)
    filtered = ops.depthwise_conv(folded, per_channel[..., None], padding="valid")
    filtered = ops.reshape(filtered, (height, width, -1, channels))
    return ops.transpose(filtered, (2, 0, 1, 3))


@keras.saving.register_keras_serializable(package="finvision")
class RandomMotionBlur(RandomImageLayer):
    """Blurs each image along a random direction, as a moving hand-held camera does.

    Each image draws a blur length (pixels) from ``length`` and a direction
    uniformly in [0, 180) degrees, and is filtered with that line kernel
    (:func:`motion_blur_kernels`), borders mirrored. Output: float32.

    Args:
        length: ``(min, max)`` blur length in pixels, >= 1 (1 means no blur).
        probability: chance that each image is blurred.
        seed: seed for reproducible draws.
        **kwargs: standard layer arguments.

    Example:
    >>> import numpy as np
    >>> layer = RandomMotionBlur((5, 9), seed=0)
    >>> lines = np.zeros((2, 16, 16, 1), "float32")
    >>> lines[:, 8] = 255.0
    >>> bool(layer(lines, training=True).numpy().max() < 255.0)
    True
    """

    supported_channels = None

    def __init__(
        self,
        length: float | tuple[float, float] = (3.0, 9.0),
        probability: float = 1.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(probability, seed, **kwargs)
        self.length = value_range("length", length, 1.0, 255.0)
        self.kernel_size = 2 * math.ceil((self.length[1] - 1.0) / 2.0) + 1

    def draw_parameters(self, images: Any, seed: keras.random.SeedGenerator) -> dict[str, Any]:
        return {
            "length": self.uniform(images, *self.length, seed),
            "angle": self.uniform(images, 0.0, math.pi, seed),
        }

    def augment_images(self, images: Any, transformation: dict[str, Any]) -> Any:
        kernels = motion_blur_kernels(
            transformation["length"], transformation["angle"], self.kernel_size
        )
        blurred = filter_each(images, kernels)
        return ops.clip(blurred, 0.0, PIXEL_MAX)  # kernel sums may round past 1

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "length": list(self.length)}
