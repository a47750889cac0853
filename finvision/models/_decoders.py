"""Multi-scale decoders that turn backbone pyramid levels into a dense feature map.

Each decoder takes the pyramid ``{"P1": ..., "P5": ...}`` (strides 2 to 32) and an
optional extra feature map at stride 4 (level P2) to fuse, and returns a feature
map with ``channels`` channels and its stride. Layers take the given dtype policy;
BatchNormalization uses momentum 0.9, so its moving statistics settle within a
few hundred steps when a decoder is trained from scratch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras

BN_MOMENTUM = 0.9


def conv_block(inputs: Any, filters: int, name: str, *, dtype: Any, strides: int = 1) -> Any:
    """3x3 convolution (no bias), BatchNormalization and ReLU.

    Example:
    >>> import keras
    >>> conv_block(keras.Input((8, 8, 3)), 4, "demo", dtype="float32", strides=2).shape
    (None, 4, 4, 4)
    """
    features = keras.layers.Conv2D(
        filters,
        3,
        strides=strides,
        padding="same",
        use_bias=False,
        name=f"{name}_conv",
        dtype=dtype,
    )(inputs)
    features = keras.layers.BatchNormalization(
        momentum=BN_MOMENTUM, name=f"{name}_bn", dtype=dtype
    )(features)
    return keras.layers.ReLU(name=f"{name}_relu", dtype=dtype)(features)


def fpn_decoder(
    pyramid: dict[str, Any], channels: int, *, dtype: Any, extra: Any = None
) -> tuple[Any, int]:
    """Feature Pyramid Network top-down path (Lin et al., CVPR 2017) down to P2.

    Every level P2 to P5 gets a 1x1 lateral convolution to ``channels``; from P5
    down, each level is upsampled x2 (nearest) and added to the next lateral.
    The merged P2 map (with ``extra`` concatenated) goes through one 3x3 block.

    Returns:
        The stride-4 feature map and its stride, 4.

    Example:
    >>> import keras
    >>> pyramid = {f"P{k}": keras.Input((64 // 2**k, 64 // 2**k, 8)) for k in range(1, 6)}
    >>> features, stride = fpn_decoder(pyramid, 16, dtype="float32")
    >>> features.shape, stride
    ((None, 16, 16, 16), 4)
    """
    merged = None
    for level in (5, 4, 3, 2):
        lateral = keras.layers.Conv2D(channels, 1, name=f"fpn_lateral_P{level}", dtype=dtype)(
            pyramid[f"P{level}"]
        )
        if merged is not None:
            upsampled = keras.layers.UpSampling2D(2, name=f"fpn_up_P{level}", dtype=dtype)(merged)
            lateral = keras.layers.Add(name=f"fpn_add_P{level}", dtype=dtype)([upsampled, lateral])
        merged = lateral
    if extra is not None:
        merged = keras.layers.Concatenate(name="fpn_fuse_P2", dtype=dtype)([merged, extra])
    return conv_block(merged, channels, "fpn_output", dtype=dtype), 4


def unet_decoder(
    pyramid: dict[str, Any], channels: int, *, dtype: Any, extra: Any = None
) -> tuple[Any, int]:
    """U-Net expanding path (Ronneberger et al., MICCAI 2015) from P5 up to P1.

    From P5, each step upsamples x2 (nearest), concatenates the next level's
    features (and ``extra`` at P2) and applies two 3x3 blocks of ``channels``.

    Returns:
        The stride-2 feature map and its stride, 2.

    Example:
    >>> import keras
    >>> pyramid = {f"P{k}": keras.Input((64 // 2**k, 64 // 2**k, 8)) for k in range(1, 6)}
    >>> features, stride = unet_decoder(pyramid, 16, dtype="float32")
    >>> features.shape, stride
    ((None, 32, 32, 16), 2)
    """
    features = pyramid["P5"]
    for level in (4, 3, 2, 1):
        upsampled = keras.layers.UpSampling2D(2, name=f"unet_up_P{level}", dtype=dtype)(features)
        skips = [upsampled, pyramid[f"P{level}"]]
        if level == 2 and extra is not None:
            skips.append(extra)
        features = keras.layers.Concatenate(name=f"unet_concat_P{level}", dtype=dtype)(skips)
        for step in ("a", "b"):
            features = conv_block(features, channels, f"unet_P{level}_{step}", dtype=dtype)
    return features, 2


#: Decoder builders by name.
DECODERS: dict[str, Callable[..., tuple[Any, int]]] = {"fpn": fpn_decoder, "unet": unet_decoder}
