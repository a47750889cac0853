"""Layers for clips of frames: a layer applied to every frame, and frame positions."""

from __future__ import annotations

import math
from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="finvision")
class PerFrame(keras.layers.Wrapper):
    """Applies a layer to every frame of a clip by folding the frames into the batch.

    Input ``(N, T, ...)`` becomes ``(N * T, ...)``, goes through ``layer`` in one
    call and comes back as ``(N, T, ...)``: the same result as
    ``keras.layers.TimeDistributed(layer)`` in inference, but as one batched call
    rather than Keras 3's loop of one call per frame. For 8-frame clips through
    ``mobilenet_v3_small`` (``benchmarks/sequence.py``) the loop's first epoch,
    tracing included, took 3.1x as long and later epochs 1.7x. ``T`` may
    vary between batches. In training, BatchNormalization statistics are taken
    over all ``N * T`` frames of the batch.

    Args:
        layer: the layer or model to apply to each frame.
        **kwargs: standard layer arguments (``name``, ``dtype``).

    Example:
    >>> import numpy as np
    >>> per_frame = PerFrame(keras.layers.GlobalAveragePooling2D())
    >>> tuple(per_frame(np.ones((2, 5, 4, 4, 3), "float32")).shape)
    (2, 5, 3)
    """

    def __init__(self, layer: keras.layers.Layer, **kwargs: Any) -> None:
        if not isinstance(layer, keras.layers.Layer):
            raise TypeError(
                "`layer` must be a keras.layers.Layer or keras.Model; "
                f"received {type(layer).__name__}."
            )
        super().__init__(layer, **kwargs)

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        if len(input_shape) < 3:
            raise ValueError(
                "PerFrame expects clips (batch, frames, ...) of rank >= 3; "
                f"received shape {tuple(input_shape)}."
            )
        if not self.layer.built:
            self.layer.build((None, *input_shape[2:]))
        self.built = True

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        frame_shape = self.layer.compute_output_shape((None, *input_shape[2:]))
        return (input_shape[0], input_shape[1], *frame_shape[1:])

    def call(self, clips: Any, training: bool | None = None) -> Any:
        clip_shape = ops.shape(clips)
        frames = ops.reshape(clips, (-1, *clips.shape[2:]))
        outputs = self.layer(frames, training=training)
        return ops.reshape(outputs, (clip_shape[0], clip_shape[1], *outputs.shape[1:]))


@keras.saving.register_keras_serializable(package="finvision")
class FramePositionEncoding(keras.layers.Layer):
    """Adds sinusoidal frame-position signals to per-frame features ``(N, T, D)``.

    Self-attention alone does not see frame order; this layer adds the fixed
    encoding of Vaswani et al. (2017), ``sin(t / 10000^(2i/D))`` on even and
    ``cos`` on odd feature indices, for any number of frames ``T``. It has no
    weights and takes the standard layer arguments (``name``, ``dtype``).

    Example:
    >>> import numpy as np
    >>> encoded = FramePositionEncoding()(np.zeros((1, 3, 4), "float32"))
    >>> [round(float(v), 3) for v in keras.ops.convert_to_numpy(encoded)[0, 1]]
    [0.841, 0.54, 0.01, 1.0]
    """

    def call(self, features: Any) -> Any:
        frames, width = ops.shape(features)[1], features.shape[-1]
        positions = ops.cast(ops.arange(frames), "float32")[:, None]
        pair_index = ops.cast(ops.arange(width) // 2, "float32")[None, :]
        angles = positions * ops.exp(pair_index * (-2.0 * math.log(10000.0) / width))
        is_even = (ops.arange(width) % 2 == 0)[None, :]
        encoding = ops.where(is_even, ops.sin(angles), ops.cos(angles))
        return features + ops.cast(encoding, features.dtype)[None]

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return input_shape
