"""Inputs for tamper detection: error level analysis and SRM noise residuals."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

from finvision.preprocessing._jpeg import jpeg_round_trip, require_tensorflow
from finvision.preprocessing._layers import PIXEL_MAX, ImageLayer

# The three high-pass kernels of the spatial rich model (Fridrich & Kodovsky, 2012)
# that image-forensics networks use as a fixed first layer (e.g. Zhou et al., CVPR
# 2018): a second-order 3x3 residual, the 5x5 "KV" residual and a first-order
# horizontal second difference, each normalised by its central coefficient.
SRM_KERNELS = np.array(
    [
        [
            [0, 0, 0, 0, 0],
            [0, -1, 2, -1, 0],
            [0, 2, -4, 2, 0],
            [0, -1, 2, -1, 0],
            [0, 0, 0, 0, 0],
        ],
        [
            [-1, 2, -2, 2, -1],
            [2, -6, 8, -6, 2],
            [-2, 8, -12, 8, -2],
            [2, -6, 8, -6, 2],
            [-1, 2, -2, 2, -1],
        ],
        [
            [0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0],
            [0, 1, -2, 1, 0],
            [0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0],
        ],
    ],
    dtype="float32",
) / np.array([4.0, 12.0, 2.0], dtype="float32").reshape(3, 1, 1)


@keras.saving.register_keras_serializable(package="finvision")
class ErrorLevelAnalysis(ImageLayer):
    """``|I - JPEG_q(I)| * scale``: where an image recompresses unlike the rest.

    A region pasted or edited after the image was last saved as JPEG has a
    different compression history, so it changes differently when the image
    is saved again at ``quality``. Pixels are rounded to uint8 (as a file
    stores them), recompressed, decoded with the accurate DCT (identical to
    Pillow's ``save(quality=q)`` then ``open``), and the absolute difference is
    multiplied by ``scale`` and clipped to [0, 255]. Needs the TensorFlow
    backend. Output: float32, same shape, 1 or 3 channels.

    Args:
        quality: JPEG quality of the recompression, in [1, 100].
        scale: gain applied to the difference, > 0.
        **kwargs: standard layer arguments.

    Example:
    >>> import numpy as np
    >>> flat = np.full((1, 16, 16, 3), 200, dtype="uint8")
    >>> float(ErrorLevelAnalysis(quality=90)(flat).numpy().max())  # flat areas keep no error
    0.0
    """

    def __init__(self, quality: int = 90, scale: float = 10.0, **kwargs: Any) -> None:
        require_tensorflow(type(self).__name__)
        super().__init__(**kwargs)
        if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= 100:
            raise ValueError(f"`quality` must be an integer in [1, 100]; received {quality!r}.")
        if not scale > 0:
            raise ValueError(f"`scale` must be > 0; received {scale!r}.")
        self.quality, self.scale = quality, float(scale)

    def transform(self, images: Any) -> Any:
        pixels = ops.round(ops.clip(images, 0.0, PIXEL_MAX))
        difference = ops.abs(pixels - jpeg_round_trip(pixels, self.quality))
        return ops.minimum(difference * self.scale, PIXEL_MAX)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "quality": self.quality, "scale": self.scale}


@keras.saving.register_keras_serializable(package="finvision")
class SRMFilter(ImageLayer):
    """Fixed high-pass SRM residuals that expose noise inconsistencies.

    Each input channel is correlated with the three kernels in
    :data:`SRM_KERNELS` (zero padding, output the same size), giving
    ``3 * C`` channels ordered channel-major (channel 0 with kernels 0, 1, 2,
    then channel 1, ...). Content cancels out; what remains is the noise of
    the sensor and of any editing, which differs between spliced regions.
    With ``truncation`` the residuals are clipped to ``[-T, T]``. The kernels
    are constants, not weights. Output: float32 ``(N, H, W, 3 * C)``.

    Args:
        truncation: clip residuals to this magnitude, or ``None``.
        **kwargs: standard layer arguments.

    Example:
    >>> import numpy as np
    >>> smooth = np.tile(np.arange(8, dtype="float32"), (8, 1)).reshape(1, 8, 8, 1)
    >>> residual = SRMFilter()(smooth).numpy()
    >>> residual.shape, round(float(abs(residual[0, 2:-2, 2:-2]).max()), 4)  # a ramp: none
    ((1, 8, 8, 3), 0.0)
    """

    supported_channels = None

    def __init__(self, truncation: float | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if truncation is not None and not truncation > 0:
            raise ValueError(f"`truncation` must be > 0 or None; received {truncation!r}.")
        self.truncation = None if truncation is None else float(truncation)

    def transform(self, images: Any) -> Any:
        kernels = np.transpose(SRM_KERNELS, (1, 2, 0))[:, :, None, :]  # (5, 5, 1, 3)
        kernels = np.repeat(kernels, images.shape[-1], axis=2)
        residuals = ops.depthwise_conv(images, kernels, padding="same")
        if self.truncation is not None:
            residuals = ops.clip(residuals, -self.truncation, self.truncation)
        return residuals

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple:
        return (*input_shape[:-1], 3 * input_shape[-1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "truncation": self.truncation}
