"""Perspective: the view of a card or cheque photographed at an angle."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from finvision.preprocessing._layers import PIXEL_MAX, RandomImageLayer

_INTERPOLATIONS = ("nearest", "bilinear")


def image_corners(height: Any, width: Any) -> Any:
    """The corners of an image in pixel coordinates ``(x, y)``, shape ``(4, 2)``.

    Order: top-left, top-right, bottom-right, bottom-left. ``height`` and
    ``width`` may be ints or scalar tensors (images of unknown size).

    Example:
    >>> image_corners(10, 20).numpy().tolist()
    [[0.0, 0.0], [19.0, 0.0], [19.0, 9.0], [0.0, 9.0]]
    """
    right = ops.cast(width, "float32") - 1.0
    bottom = ops.cast(height, "float32") - 1.0
    zero = ops.zeros_like(right)
    return ops.reshape(ops.stack([zero, zero, right, zero, right, bottom, zero, bottom]), (4, 2))


def warp_perspective(
    images: Any,
    corners: Any,
    *,
    interpolation: str = "bilinear",
    fill_value: float = PIXEL_MAX,
) -> Any:
    """Warps each image so its four corners land on ``corners``.

    The homography that maps the image corners (see :func:`image_corners`) to
    ``corners`` moves every pixel: a point ``(x, y)`` of the input appears at
    ``H(x, y)`` in the output. Pixels the warped image does not cover get
    ``fill_value``.

    Args:
        images: a float batch ``(N, H, W, C)``.
        corners: destination corners ``(N, 4, 2)`` as ``(x, y)`` pixel
            coordinates, in the order top-left, top-right, bottom-right,
            bottom-left.
        interpolation: ``"nearest"`` or ``"bilinear"``.
        fill_value: pixel value outside the warped image.

    Returns:
        The warped batch, same shape as ``images``.

    Example:
    >>> import numpy as np
    >>> image = np.zeros((1, 8, 8, 1), dtype="float32")
    >>> image[0, 2, 3] = 1.0  # row 2, column 3
    >>> shifted = image_corners(8, 8).numpy()[None] + [1.0, 2.0]  # right 1, down 2
    >>> out = warp_perspective(image, shifted, interpolation="nearest", fill_value=0.0)
    >>> np.argwhere(out.numpy()[0, :, :, 0]).tolist()
    [[4, 4]]
    """
    shape = ops.shape(images)
    corners = ops.convert_to_tensor(corners, dtype="float32")
    start = ops.broadcast_to(image_corners(shape[1], shape[2])[None], ops.shape(corners))
    return ops.image.perspective_transform(
        images, start, corners, interpolation=interpolation, fill_value=fill_value
    )


@keras.saving.register_keras_serializable(package="finvision")
class RandomPerspective(RandomImageLayer):
    """Tilts the view, as when a card or cheque is photographed at an angle.

    Each corner of each image moves independently by up to ``scale`` times the
    image's width (horizontally) and height (vertically); the image is warped
    by the homography those corners define (:func:`warp_perspective`). Output:
    float32, same shape, uncovered pixels set to ``fill_value`` (white paper by
    default).

    Args:
        scale: largest corner displacement as a fraction of the image side, in
            [0, 0.5).
        interpolation: ``"nearest"`` or ``"bilinear"``.
        fill_value: pixel value outside the warped image.
        probability: chance that each image is warped.
        seed: seed for reproducible draws.
        **kwargs: standard layer arguments.

    Example:
    >>> import numpy as np
    >>> layer = RandomPerspective(0.1, seed=0)
    >>> card = np.zeros((2, 32, 48, 3), dtype="uint8")
    >>> tuple(layer(card, training=True).shape)
    (2, 32, 48, 3)
    >>> bool((layer(card).numpy() == 0).all())  # identity at inference
    True
    """

    supported_channels = None

    def __init__(
        self,
        scale: float = 0.1,
        interpolation: str = "bilinear",
        fill_value: float = PIXEL_MAX,
        probability: float = 1.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(probability, seed, **kwargs)
        if isinstance(scale, bool) or not isinstance(scale, int | float) or not 0 <= scale < 0.5:
            raise ValueError(
                f"`scale` must be a number in [0, 0.5) (corners would cross); received {scale!r}."
            )
        self.scale = float(scale)
        if interpolation not in _INTERPOLATIONS:
            raise ValueError(
                f"`interpolation` must be one of {_INTERPOLATIONS}; received {interpolation!r}."
            )
        self.interpolation = interpolation
        self.fill_value = float(fill_value)

    def augment(self, images: Any) -> Any:
        shape = ops.shape(images)
        shift = keras.random.uniform(
            (shape[0], 4, 2), -self.scale, self.scale, seed=self.seed_generator
        )
        corners = image_corners(shape[1], shape[2])
        warped = warp_perspective(
            images,
            corners[None] + shift * corners[2],  # corners[2] is (width - 1, height - 1)
            interpolation=self.interpolation,
            fill_value=self.fill_value,
        )
        return ops.clip(warped, 0.0, PIXEL_MAX)  # interpolation may round past 255

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            scale=self.scale, interpolation=self.interpolation, fill_value=self.fill_value
        )
        return config
