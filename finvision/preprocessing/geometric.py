"""Perspective: the view of a card or cheque photographed at an angle."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from finvision.preprocessing._augmentation import RandomImageLayer
from finvision.preprocessing._layers import PIXEL_MAX

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


def perspective_matrix(height: Any, width: Any, corners: Any) -> Any:
    """The homography :func:`warp_perspective` applies, as 3 x 3 matrices.

    ``H`` maps the image corners (see :func:`image_corners`) to ``corners``: a
    pixel at ``(x, y)`` of the input appears at ``(u / w, v / w)`` of the output,
    where ``(u, v, w) = H @ (x, y, 1)``. Computed in closed form (the unit square
    to a quadrilateral, after Heckbert, 1989), so it is exact up to float32
    rounding.

    Args:
        height: the images' height (an int or a scalar tensor).
        width: the images' width.
        corners: destination corners ``(N, 4, 2)`` as ``(x, y)`` pixel
            coordinates, top-left, top-right, bottom-right, bottom-left.

    Returns:
        float32 matrices ``(N, 3, 3)``, with ``H[2, 2] = 1``.

    Example:
    >>> import numpy as np
    >>> shifted = image_corners(8, 8).numpy()[None] + [1.0, 2.0]  # right 1, down 2
    >>> (np.round(perspective_matrix(8, 8, shifted).numpy()[0], 6) + 0.0).tolist()  # no -0.0
    [[1.0, 0.0, 1.0], [0.0, 1.0, 2.0], [0.0, 0.0, 1.0]]
    """
    corners = ops.convert_to_tensor(corners, dtype="float32")
    x = [corners[:, i, 0] for i in range(4)]
    y = [corners[:, i, 1] for i in range(4)]
    dx1, dx2, dx3 = x[1] - x[2], x[3] - x[2], x[0] - x[1] + x[2] - x[3]
    dy1, dy2, dy3 = y[1] - y[2], y[3] - y[2], y[0] - y[1] + y[2] - y[3]
    determinant = dx1 * dy2 - dx2 * dy1
    g = (dx3 * dy2 - dx2 * dy3) / determinant
    h = (dx1 * dy3 - dx3 * dy1) / determinant
    # (u, v) in the unit square; (x, y) = (u * (width - 1), v * (height - 1)).
    scale_x = 1.0 / ops.maximum(ops.cast(width, "float32") - 1.0, 1.0)
    scale_y = 1.0 / ops.maximum(ops.cast(height, "float32") - 1.0, 1.0)
    rows = [
        [(x[1] - x[0] + g * x[1]) * scale_x, (x[3] - x[0] + h * x[3]) * scale_y, x[0]],
        [(y[1] - y[0] + g * y[1]) * scale_x, (y[3] - y[0] + h * y[3]) * scale_y, y[0]],
        [g * scale_x, h * scale_y, ops.ones_like(g)],
    ]
    return ops.stack([ops.stack(row, axis=-1) for row in rows], axis=-2)


def warp_points(points: Any, matrices: Any) -> Any:
    """Moves points by per-image homographies, as :func:`warp_perspective` moves pixels.

    Args:
        points: ``(N, ..., 2)`` pixel coordinates ``(x, y)`` (e.g. ``(N, K, 2)``
            points or ``(N, Q, 4, 2)`` quadrilaterals).
        matrices: ``(N, 3, 3)`` homographies, e.g. from :func:`perspective_matrix`.

    Returns:
        float32 points, same shape.

    Example:
    >>> import numpy as np
    >>> shifted = image_corners(8, 8).numpy()[None] + [1.0, 2.0]
    >>> matrices = perspective_matrix(8, 8, shifted)
    >>> warp_points(np.array([[[3.0, 2.0]]]), matrices).numpy().round(4).tolist()
    [[[4.0, 4.0]]]
    """
    points = ops.convert_to_tensor(points, dtype="float32")
    matrices = ops.convert_to_tensor(matrices, dtype="float32")
    shape = ops.shape(points)
    flat = ops.reshape(points, (shape[0], -1, 2))
    homogeneous = ops.concatenate([flat, ops.ones_like(flat[..., :1])], axis=-1)
    mapped = ops.matmul(homogeneous, ops.transpose(matrices, (0, 2, 1)))
    return ops.reshape(mapped[..., :2] / mapped[..., 2:], shape)


@keras.saving.register_keras_serializable(package="finvision")
class RandomPerspective(RandomImageLayer):
    """Tilts the view, as when a card or cheque is photographed at an angle.

    Each corner of each image moves independently by up to ``scale`` times the
    image's width (horizontally) and height (vertically); the image is warped
    by the homography those corners define (:func:`warp_perspective`). Output:
    float32, same shape, uncovered pixels set to ``fill_value`` (white paper by
    default).

    Masks and points follow the warp: pass ``{"images": x,
    "segmentation_masks": m, "points": p}`` (see
    :class:`~finvision.preprocessing._augmentation.AugmentationLayer`). Masks are
    sampled at the same positions as the pixels, nearest neighbour (labels stay
    exact; uncovered pixels get 0); points ``(x, y)`` go through the exact
    homography (:func:`warp_points`). A transformation
    (``get_random_transformation``) holds ``"corners"`` ``(N, 4, 2)``, where the
    image corners land, and ``"homography"`` ``(N, 3, 3)``, from
    :func:`perspective_matrix`.

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
    >>> mask = np.zeros((2, 32, 48), "uint8")
    >>> mask[:, 8:24, 12:36] = 1
    >>> corners = np.array([[[12.0, 8.0], [35.0, 23.0]]] * 2)  # the mask's corners
    >>> out = layer({"images": card, "segmentation_masks": mask, "points": corners}, training=True)
    >>> sorted(out), out["segmentation_masks"].dtype.name, tuple(out["points"].shape)
    (['images', 'points', 'segmentation_masks'], 'uint8', (2, 2, 2))
    """

    supported_channels = None
    geometric = True

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

    def draw_parameters(self, images: Any, seed: keras.random.SeedGenerator) -> dict[str, Any]:
        shape = ops.shape(images)
        shift = keras.random.uniform((shape[0], 4, 2), -self.scale, self.scale, seed=seed)
        corners = image_corners(shape[1], shape[2])
        target = corners[None] + shift * corners[2]  # corners[2] is (width - 1, height - 1)
        return {"corners": target, "homography": perspective_matrix(shape[1], shape[2], target)}

    def augment_images(self, images: Any, transformation: dict[str, Any]) -> Any:
        warped = warp_perspective(
            images,
            transformation["corners"],
            interpolation=self.interpolation,
            fill_value=self.fill_value,
        )
        return ops.clip(warped, 0.0, PIXEL_MAX)  # interpolation may round past 255

    def augment_segmentation_masks(self, masks: Any, transformation: dict[str, Any]) -> Any:
        return warp_perspective(
            masks, transformation["corners"], interpolation="nearest", fill_value=0.0
        )

    def augment_points(self, points: Any, transformation: dict[str, Any]) -> Any:
        return warp_points(points, transformation["homography"])

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            scale=self.scale, interpolation=self.interpolation, fill_value=self.fill_value
        )
        return config
