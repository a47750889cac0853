"""Bringing decoded pages to the output size: stretch, or letterbox with ``keep_aspect``."""

from __future__ import annotations

import tensorflow as tf

# Methods whose kernels have negative lobes, so results can leave [0, 255].
_OVERSHOOTING = ("bicubic", "lanczos3", "lanczos5", "mitchellcubic")


def letterbox_size(height: int, width: int, size: tuple[int, int]) -> tuple[int, int]:
    """The size of a page scaled to fit inside ``size`` with its aspect ratio kept.

    The scale is ``min(H / height, W / width)``; each side is rounded to the
    nearest pixel (at least 1).

    Args:
        height: upright page height.
        width: upright page width.
        size: ``(H, W)`` of the output.

    Returns:
        ``(content_height, content_width)``.

    Example:
    >>> letterbox_size(1200, 2800, (224, 224))
    (96, 224)
    """
    scale = min(size[0] / height, size[1] / width)
    return max(1, round(height * scale)), max(1, round(width * scale))


def fit_to_size(
    image: tf.Tensor,
    size: tuple[int, int],
    *,
    content: tf.Tensor | None = None,
    method: str = "bilinear",
    fill_value: float = 255.0,
) -> tf.Tensor:
    """Resizes an image to ``size``, or letterboxes it when ``content`` is given.

    Without ``content`` the image is stretched to ``size`` with
    ``tf.image.resize`` (half-pixel centres, no antialiasing, as
    ``keras.utils.image_dataset_from_directory`` does). With it, the image is
    resized to ``content`` (see :func:`letterbox_size`) and centred on a
    ``size`` canvas of ``fill_value``; an odd margin puts the extra row or
    column at the bottom or right. Methods that can overshoot (bicubic,
    Lanczos, Mitchell) are clipped to [0, 255].

    Args:
        image: pixels ``(height, width, channels)``, uint8 or float.
        size: ``(H, W)`` of the output.
        content: None, or an int32 ``(content_height, content_width)`` tensor.
        method: a ``tf.image.resize`` method name.
        fill_value: the letterbox colour (255.0, white, for pages; 0.0 for masks).

    Returns:
        float32 pixels ``(H, W, channels)``.

    Example:
    >>> image = tf.reshape(tf.range(8, dtype=tf.float32), (2, 4, 1))
    >>> fit_to_size(image, (2, 2), content=tf.constant([1, 2]))[..., 0].numpy().tolist()
    [[2.5, 4.5], [255.0, 255.0]]
    """
    height, width = size
    if content is None:
        image = tf.cast(tf.image.resize(image, size, method=method), tf.float32)
    else:
        image = tf.cast(tf.image.resize(image, content, method=method), tf.float32)
        top = (height - content[0]) // 2
        left = (width - content[1]) // 2
        paddings = [[top, height - content[0] - top], [left, width - content[1] - left], [0, 0]]
        image = tf.pad(image, paddings, constant_values=fill_value)
    if method in _OVERSHOOTING:
        image = tf.clip_by_value(image, 0.0, 255.0)
    image.set_shape([height, width, image.shape[-1]])
    return image
