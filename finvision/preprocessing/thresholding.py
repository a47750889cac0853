"""Binarisation of scans: Otsu's global and Sauvola's adaptive thresholds."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from finvision.preprocessing._layers import PIXEL_MAX, ImageLayer
from finvision.preprocessing.document import luminance

METHODS = ("otsu", "sauvola")
_LEVELS = 256


def _check_window_size(window_size: Any) -> None:
    if not isinstance(window_size, int) or window_size < 3 or window_size % 2 == 0:
        raise ValueError(f"`window_size` must be an odd integer >= 3; received {window_size!r}.")


def _gray_batch(gray: Any) -> Any:
    gray = ops.convert_to_tensor(gray)
    if len(gray.shape) != 4 or gray.shape[-1] != 1:
        raise ValueError(
            f"`gray` must be a batch of gray images (N, H, W, 1); received shape {gray.shape}."
        )
    return gray


def otsu_threshold(gray: Any) -> Any:
    """Otsu's threshold of each image, on its 256-level histogram.

    Pixels are rounded to integer levels in [0, 255]; the threshold ``t`` is the
    level that maximises the between-class variance of ``{<= t}`` and ``{> t}``
    (the first such level on ties), so ``gray > t`` is the foreground, exactly as
    ``skimage.filters.threshold_otsu`` defines it. A flat image's threshold is
    its single level.

    Args:
        gray: a batch ``(N, H, W, 1)`` of pixels in [0, 255].

    Returns:
        Float thresholds, shape ``(N,)``.

    Raises:
        ValueError: if ``gray`` is not a batch ``(N, H, W, 1)``.

    Example:
    >>> import numpy as np
    >>> page = np.array([20, 20, 30, 200, 210, 220], dtype="float32").reshape(1, 1, 6, 1)
    >>> otsu_threshold(page).numpy().tolist()
    [30.0]
    """
    gray = _gray_batch(gray)
    levels = ops.cast(ops.round(ops.clip(gray, 0.0, PIXEL_MAX)), "int32")
    levels = ops.reshape(levels, (ops.shape(gray)[0], -1))
    counts = ops.cast(ops.bincount(levels, minlength=_LEVELS), "float64")
    centers = ops.arange(_LEVELS, dtype="float64")
    below = ops.cumsum(counts, axis=1)
    above = ops.flip(ops.cumsum(ops.flip(counts, axis=1), axis=1), axis=1)
    mass_below = ops.cumsum(counts * centers, axis=1)
    mass_above = ops.flip(ops.cumsum(ops.flip(counts * centers, axis=1), axis=1), axis=1)
    w1, w2 = below[:, :-1], above[:, 1:]
    both = (w1 > 0) & (w2 > 0)
    mean1 = mass_below[:, :-1] / ops.where(both, w1, 1.0)
    mean2 = mass_above[:, 1:] / ops.where(both, w2, 1.0)
    variance = ops.where(both, w1 * w2 * (mean1 - mean2) ** 2, 0.0)
    best = ops.cast(ops.argmax(variance, axis=1), "float32")
    flat = ops.logical_not(ops.any(both, axis=1))
    lowest = ops.cast(ops.min(levels, axis=1), "float32")
    return ops.where(flat, lowest, best)


def sauvola_threshold(gray: Any, window_size: int = 15, k: float = 0.2, r: float = 127.5) -> Any:
    """Sauvola's per-pixel threshold ``m * (1 + k * (s / r - 1))``.

    ``m`` and ``s`` are the mean and standard deviation over a
    ``window_size`` x ``window_size`` window centred on each pixel, with the
    image mirrored at its borders (``numpy.pad(mode="reflect")``), as
    ``skimage.filters.threshold_sauvola`` computes them for uint8 images.

    Args:
        gray: a batch ``(N, H, W, 1)`` of pixels in [0, 255].
        window_size: odd window side, >= 3.
        k: weight of the local contrast, usually 0.2-0.5.
        r: dynamic range of the standard deviation (127.5 for 8-bit images).

    Returns:
        Float thresholds, shape ``(N, H, W, 1)``.

    Raises:
        ValueError: if ``gray`` is not a batch ``(N, H, W, 1)`` or ``window_size``
            is not an odd integer >= 3.

    Example:
    >>> import numpy as np
    >>> flat = np.full((1, 5, 5, 1), 100.0, dtype="float32")
    >>> float(sauvola_threshold(flat, window_size=3).numpy()[0, 2, 2, 0])
    80.0
    """
    _check_window_size(window_size)
    gray = _gray_batch(gray)
    half = window_size // 2
    scaled = gray / PIXEL_MAX  # keeps E[x^2] - E[x]^2 accurate in float32
    padded = ops.pad(scaled, ((0, 0), (half, half), (half, half), (0, 0)), mode="reflect")
    window = (window_size, window_size)
    mean = ops.average_pool(padded, window, strides=1, padding="valid")
    mean_square = ops.average_pool(padded * padded, window, strides=1, padding="valid")
    std = ops.sqrt(ops.maximum(mean_square - mean * mean, 0.0))
    return PIXEL_MAX * mean * (1.0 + k * (std * PIXEL_MAX / r - 1.0))


@keras.saving.register_keras_serializable(package="finvision")
class Binarize(ImageLayer):
    """Thresholds a scan to black ink (0) on white paper (255).

    ``"otsu"`` uses one global threshold per image (clean, evenly lit scans);
    ``"sauvola"`` a local one per pixel (uneven light, stains, shadows from a
    phone photo). RGB input is converted to luma first; the output keeps the
    input's channel count (the binary plane repeated), so it can feed the same
    backbone. Output: float32, values in {0, 255}.

    Args:
        method: ``"otsu"`` or ``"sauvola"``.
        window_size: Sauvola window side (odd, >= 3).
        k: Sauvola's contrast weight, in (0, 1].
        r: Sauvola's standard-deviation range, > 0.
        **kwargs: standard layer arguments.

    Example:
    >>> import numpy as np
    >>> page = np.array([20, 20, 30, 200, 210, 220], dtype="uint8").reshape(1, 1, 6, 1)
    >>> Binarize("otsu")(page).numpy().ravel().tolist()
    [0.0, 0.0, 0.0, 255.0, 255.0, 255.0]
    """

    def __init__(
        self,
        method: str = "otsu",
        window_size: int = 15,
        k: float = 0.2,
        r: float = 127.5,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if method not in METHODS:
            raise ValueError(f"`method` must be one of {METHODS}; received {method!r}.")
        _check_window_size(window_size)
        if not 0.0 < k <= 1.0:
            raise ValueError(f"`k` must be in (0, 1]; received {k!r}.")
        if not r > 0.0:
            raise ValueError(f"`r` must be > 0; received {r!r}.")
        self.method, self.window_size, self.k, self.r = method, window_size, float(k), float(r)

    def transform(self, images: Any) -> Any:
        gray = luminance(images)
        if self.method == "otsu":
            gray = ops.round(gray)  # Otsu's threshold is a level of the rounded image
            threshold = ops.reshape(otsu_threshold(gray), (-1, 1, 1, 1))
        else:
            threshold = sauvola_threshold(gray, self.window_size, self.k, self.r)
        binary = ops.where(gray > threshold, PIXEL_MAX, 0.0)
        return ops.repeat(binary, images.shape[-1], axis=-1)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(method=self.method, window_size=self.window_size, k=self.k, r=self.r)
        return config
