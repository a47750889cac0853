"""Deterministic document operations: grayscale, aspect-preserving resize, contrast stretch."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from finvision.preprocessing._layers import PIXEL_MAX, ImageLayer, value_range

#: ITU-R BT.601 luma weights, as Pillow's ``convert("L")`` and TensorFlow use them.
LUMA_WEIGHTS = (0.299, 0.587, 0.114)
INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "area", "lanczos3", "lanczos5")


def luminance(images: Any) -> Any:
    """Luma (BT.601) of a float batch, keeping a channel axis of size 1.

    One-channel input is returned unchanged.

    Example:
    >>> import numpy as np
    >>> luminance(np.array([[[[255.0, 0.0, 0.0]]]])).numpy().round(3).tolist()
    [[[[76.245]]]]
    """
    images = ops.convert_to_tensor(images)
    if images.shape[-1] == 1:
        return images
    weights = ops.convert_to_tensor(LUMA_WEIGHTS, dtype=images.dtype)
    return ops.sum(images * weights, axis=-1, keepdims=True)


@keras.saving.register_keras_serializable(package="finvision")
class Grayscale(ImageLayer):
    """Converts RGB to luma (ITU-R BT.601: ``0.299 R + 0.587 G + 0.114 B``).

    One-channel input passes through. Output: float32 in [0, 255], with 1
    channel, or 3 identical channels with ``keep_channels=True`` (to feed a
    backbone built for RGB).

    Args:
        keep_channels: repeat the luma plane to 3 channels.
        **kwargs: standard layer arguments.

    Example:
    >>> import numpy as np
    >>> tuple(Grayscale()(np.full((2, 4, 4, 3), 200, dtype="uint8")).shape)
    (2, 4, 4, 1)
    """

    def __init__(self, keep_channels: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.keep_channels = bool(keep_channels)

    def transform(self, images: Any) -> Any:
        gray = luminance(images)
        return ops.repeat(gray, 3, axis=-1) if self.keep_channels else gray

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple:
        return (*input_shape[:-1], 3 if self.keep_channels else 1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "keep_channels": self.keep_channels}


@keras.saving.register_keras_serializable(package="finvision")
class ResizeWithPad(ImageLayer):
    """Resizes to ``(height, width)`` keeping the aspect ratio, padding the rest.

    Cheques (~2.3:1) and MRZ lines (~12:1) are distorted by a plain resize. This
    layer pads the short side symmetrically with ``fill_value`` (white paper by
    default) up to the target aspect ratio, then resizes, so the content keeps
    its proportions and sits in the centre. Works on any channel count and on
    batches of unknown size; output is float32 ``(N, height, width, C)``.

    Args:
        height: output height in pixels.
        width: output width in pixels.
        interpolation: one of ``"nearest"``, ``"bilinear"``, ``"bicubic"``,
            ``"area"``, ``"lanczos3"``, ``"lanczos5"``.
        antialias: low-pass filter when shrinking, which keeps thin strokes of
            text from aliasing away.
        fill_value: pixel value of the padding.
        **kwargs: standard layer arguments.

    Example:
    >>> import numpy as np
    >>> cheque = np.zeros((1, 100, 230, 3), dtype="uint8")
    >>> tuple(ResizeWithPad(224, 224)(cheque).shape)
    (1, 224, 224, 3)
    """

    supported_channels = None

    def __init__(
        self,
        height: int,
        width: int,
        interpolation: str = "bilinear",
        antialias: bool = True,
        fill_value: float = PIXEL_MAX,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        for name, value in (("height", height), ("width", width)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"`{name}` must be a positive integer; received {value!r}.")
        if interpolation not in INTERPOLATIONS:
            raise ValueError(
                f"`interpolation` must be one of {INTERPOLATIONS}; received {interpolation!r}."
            )
        self.height, self.width = height, width
        self.interpolation = interpolation
        self.antialias = bool(antialias)
        self.fill_value = float(fill_value)

    def transform(self, images: Any) -> Any:
        return ops.image.resize(
            images,
            (self.height, self.width),
            interpolation=self.interpolation,
            antialias=self.antialias,
            pad_to_aspect_ratio=True,
            fill_value=self.fill_value,
        )

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple:
        return (*input_shape[:-3], self.height, self.width, input_shape[-1])

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            height=self.height,
            width=self.width,
            interpolation=self.interpolation,
            antialias=self.antialias,
            fill_value=self.fill_value,
        )
        return config


@keras.saving.register_keras_serializable(package="finvision")
class ContrastStretch(ImageLayer):
    """Stretches each image's ``lower``-``upper`` percentile range to [0, 255].

    Faded scans and photos of IDs under dim light use a narrow band of grey
    levels; this maps the image's ``lower`` percentile to 0 and its ``upper``
    percentile to 255 (linearly, clipping outside), computed per image over all
    pixels and channels so colours keep their balance. An image whose two
    percentiles are equal (a flat image) passes through unchanged. Output:
    float32 in [0, 255].

    Args:
        lower: lower percentile, in [0, 100).
        upper: upper percentile, in (lower, 100].
        **kwargs: standard layer arguments.

    Example:
    >>> import numpy as np
    >>> faded = np.array([[[[100.0], [110.0], [120.0]]]])
    >>> ContrastStretch(0, 100)(faded).numpy().ravel().tolist()
    [0.0, 127.5, 255.0]
    """

    supported_channels = None

    def __init__(self, lower: float = 2.0, upper: float = 98.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lower, self.upper = value_range("(lower, upper)", (lower, upper), 0.0, 100.0)
        if self.lower == self.upper:
            raise ValueError(f"`lower` must be below `upper`; received {lower!r} and {upper!r}.")

    def transform(self, images: Any) -> Any:
        flat = ops.reshape(images, (ops.shape(images)[0], -1))
        quantiles = ops.quantile(flat, [self.lower / 100.0, self.upper / 100.0], axis=1)
        low = ops.reshape(quantiles[0], (-1, 1, 1, 1))
        high = ops.reshape(quantiles[1], (-1, 1, 1, 1))
        spread = high - low
        flat_image = spread <= 0.0
        stretched = (images - low) * PIXEL_MAX / ops.where(flat_image, 1.0, spread)
        return ops.where(flat_image, images, ops.clip(stretched, 0.0, PIXEL_MAX))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "lower": self.lower, "upper": self.upper}
