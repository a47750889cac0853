"""ResNet-18 and ResNet-34: basic residual blocks in the torchvision layout.

``keras.applications`` has no basic-block ResNets, so they are written here,
with explicit symmetric padding (as PyTorch pads) so that converted torchvision
weights give the same outputs, BatchNormalization momentum 0.9 and epsilon 1e-5,
and convolutions without bias. Layer names follow ``keras.applications.ResNet50``
(``conv{stage}_block{block}_...``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
from keras import layers

BN_MOMENTUM = 0.9
BN_EPSILON = 1e-5
STAGE_FILTERS = (64, 128, 256, 512)


def _conv_bn(x: Any, filters: int, kernel_size: int, stride: int, name: str) -> Any:
    padding = kernel_size // 2
    if padding:
        x = layers.ZeroPadding2D(padding, name=f"{name}_pad")(x)
    x = layers.Conv2D(filters, kernel_size, strides=stride, use_bias=False, name=f"{name}_conv")(x)
    return layers.BatchNormalization(momentum=BN_MOMENTUM, epsilon=BN_EPSILON, name=f"{name}_bn")(x)


def _basic_block(x: Any, filters: int, stride: int, name: str) -> Any:
    shortcut = x
    if stride != 1 or x.shape[-1] != filters:
        shortcut = _conv_bn(x, filters, 1, stride, name=f"{name}_0")
    x = _conv_bn(x, filters, 3, stride, name=f"{name}_1")
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = _conv_bn(x, filters, 3, 1, name=f"{name}_2")
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def trunk_builder(blocks_per_stage: tuple[int, ...]) -> Callable[[Any], keras.Model]:
    """Returns a builder for a basic-block ResNet.

    Args:
        blocks_per_stage: blocks in stages conv2 to conv5, ``(2, 2, 2, 2)`` for
            ResNet-18 and ``(3, 4, 6, 3)`` for ResNet-34.

    Returns:
        A function ``build(tensor) -> keras.Model``.

    Example:
    >>> import keras
    >>> build = trunk_builder((2, 2, 2, 2))
    >>> build(keras.Input((64, 64, 3))).output.shape
    (None, 2, 2, 512)
    """

    def build(tensor: Any) -> keras.Model:
        x = _conv_bn(tensor, 64, 7, 2, name="conv1")
        x = layers.Activation("relu", name="conv1_relu")(x)
        x = layers.ZeroPadding2D(1, name="pool1_pad")(x)
        x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
        for stage, (filters, blocks) in enumerate(
            zip(STAGE_FILTERS, blocks_per_stage, strict=True), 2
        ):
            for block in range(1, blocks + 1):
                stride = 2 if stage > 2 and block == 1 else 1
                x = _basic_block(x, filters, stride, name=f"conv{stage}_block{block}")
        return keras.Model(keras.utils.get_source_inputs(tensor), x)

    return build
