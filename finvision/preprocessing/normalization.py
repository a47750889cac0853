"""Pixel normalisation that travels inside a model's graph."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
from keras import ops

#: Per-channel means (BGR order) that Caffe-converted weights expect, in pixel units.
CAFFE_MEAN = (103.939, 116.779, 123.68)
#: ImageNet RGB mean and standard deviation in [0, 1] units (torchvision convention).
TORCH_MEAN = (0.485, 0.456, 0.406)
TORCH_STD = (0.229, 0.224, 0.225)

MODES = ("caffe", "tf", "torch", "none")
_DEFAULT_MEAN = {"caffe": CAFFE_MEAN, "torch": TORCH_MEAN}
_DEFAULT_STD = {"torch": TORCH_STD}


def per_channel(values: Sequence[float], channels: int) -> tuple[float, ...]:
    """Fits three per-channel statistics to another channel count.

    One channel (grayscale) gets the average of the three values, so a gray
    image is normalised like a gray RGB image on average; other counts repeat
    the values cyclically. Statistics that already have ``channels`` entries are
    returned unchanged.

    Args:
        values: per-channel statistics, usually three.
        channels: the number of input channels to serve.

    Returns:
        A tuple with ``channels`` entries.

    Raises:
        ValueError: if ``values`` has neither 3 nor ``channels`` entries.

    Example:
    >>> per_channel((1.0, 2.0, 3.0), 1)
    (2.0,)
    >>> per_channel((1.0, 2.0, 3.0), 4)
    (1.0, 2.0, 3.0, 1.0)
    """
    values = tuple(float(v) for v in values)
    if len(values) == channels:
        return values
    if len(values) != 3:
        raise ValueError(
            f"Expected {channels} or 3 per-channel statistics, received {len(values)}: {values}."
        )
    if channels == 1:
        return (sum(values) / 3.0,)
    return tuple(values[i % 3] for i in range(channels))


@keras.saving.register_keras_serializable(package="finvision")
class BackboneNormalization(keras.layers.Layer):
    """Maps raw pixels in [0, 255] to the range a backbone's weights expect.

    The modes follow ``keras.applications.imagenet_utils.preprocess_input``
    exactly, so a model with this layer in front gives the same outputs as the
    bare model fed with ``preprocess_input(x)``:

    - ``"caffe"``: RGB to BGR, then subtract ``mean`` (pixel units, BGR order).
    - ``"tf"``: ``x / 127.5 - 1``, so pixels land in [-1, 1].
    - ``"torch"``: ``x / 255``, subtract ``mean``, divide by ``std`` ([0, 1] units).
    - ``"none"``: only cast to float.

    Inputs may be uint8 or float, batched ``(N, H, W, C)`` or single ``(H, W, C)``
    images. With one channel the statistics are averaged; with other channel
    counts they repeat cyclically (see :func:`per_channel`). The channel flip of
    ``"caffe"`` applies to 3-channel input only. The layer computes in float32
    under every dtype policy, so mixed precision never rounds raw pixels.

    Args:
        mode: one of ``"caffe"``, ``"tf"``, ``"torch"``, ``"none"``.
        mean: per-channel means replacing the mode's default (``"caffe"`` and
            ``"torch"`` only).
        std: per-channel standard deviations replacing the mode's default
            (``"torch"`` only).
        **kwargs: standard ``keras.layers.Layer`` arguments.

    Example:
    >>> import numpy as np
    >>> layer = BackboneNormalization("tf")
    >>> layer(np.array([[0.0, 127.5, 255.0]])).numpy().tolist()
    [[-1.0, 0.0, 1.0]]
    """

    def __init__(
        self,
        mode: str = "caffe",
        mean: Sequence[float] | None = None,
        std: Sequence[float] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        if mode not in MODES:
            raise ValueError(f"`mode` must be one of {MODES}, received {mode!r}.")
        if mean is not None and mode not in _DEFAULT_MEAN:
            raise ValueError(f"`mean` applies to modes 'caffe' and 'torch', not {mode!r}.")
        if std is not None and mode not in _DEFAULT_STD:
            raise ValueError(f"`std` applies to mode 'torch' only, not {mode!r}.")
        self.mode = mode
        self.mean = tuple(mean) if mean is not None else _DEFAULT_MEAN.get(mode)
        self.std = tuple(std) if std is not None else _DEFAULT_STD.get(mode)

    @classmethod
    def from_spec(cls, spec: Any, **kwargs: Any) -> BackboneNormalization:
        """Builds the normalisation a backbone spec asks for.

        Args:
            spec: a :class:`finvision.models.BackboneSpec` (or anything with a
                ``preprocessing`` attribute holding ``mode``, ``mean``, ``std``).
            **kwargs: standard layer arguments such as ``name``.

        Returns:
            A new ``BackboneNormalization``.

        Example:
        >>> from finvision.models import get_backbone_spec
        >>> BackboneNormalization.from_spec(get_backbone_spec("resnet50")).mode
        'caffe'
        """
        preprocessing = spec.preprocessing
        return cls(preprocessing.mode, preprocessing.mean, preprocessing.std, **kwargs)

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(
                "BackboneNormalization needs a known channel count (last axis); "
                f"received input shape {input_shape}."
            )
        self._flip = self.mode == "caffe" and channels == 3
        self._mean = None if self.mean is None else per_channel(self.mean, channels)
        self._std = None if self.std is None else per_channel(self.std, channels)

    def call(self, inputs: Any) -> Any:
        x = ops.cast(inputs, self.compute_dtype)
        if self.mode == "tf":
            return x / 127.5 - 1.0
        if self.mode == "torch":
            x = x / 255.0
        if self._flip:
            x = ops.flip(x, axis=-1)
        if self._mean is not None:
            x = x - ops.convert_to_tensor(self._mean, dtype=self.compute_dtype)
        if self._std is not None:
            x = x / ops.convert_to_tensor(self._std, dtype=self.compute_dtype)
        return x

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            mode=self.mode,
            mean=None if self.mean is None else list(self.mean),
            std=None if self.std is None else list(self.std),
        )
        return config
