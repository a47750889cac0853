"""The ResNet family: ResNet-18/34 built here, ResNet-50/101/152 v1 and v2 from Keras.

``keras.applications`` has no basic-block ResNets, so ResNet-18 and ResNet-34
are written here in the torchvision layout,
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

from finvision.models.backbones.applications import keras_architecture, keras_weights
from finvision.models.registry import Architecture, BackboneSpec, Preprocessing, _register_built_in
from finvision.preprocessing.normalization import CAFFE_MEAN, TORCH_MEAN, TORCH_STD

BN_MOMENTUM = 0.9
BN_EPSILON = 1e-5
STAGE_FILTERS = (64, 128, 256, 512)

# === Architecture: basic blocks ===


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


# === Specs ===


def _basic_resnet(depth: int, blocks_per_stage: tuple[int, int, int, int]) -> BackboneSpec:
    return BackboneSpec.from_parts(
        f"resnet{depth}",
        "resnet",
        architecture=Architecture(
            trunk_builder(blocks_per_stage),
            taps=(
                "conv1_relu",
                *(
                    f"conv{stage}_block{blocks}_out"
                    for stage, blocks in enumerate(blocks_per_stage[:3], 2)
                ),
            ),
            channels=(64, 64, 128, 256, 512),
            default_bn_momentum=BN_MOMENTUM,
        ),
        preprocessing=Preprocessing("torch", mean=TORCH_MEAN, std=TORCH_STD),
        imagenet_weights=None,
    )


def _keras_resnet(depth: int, blocks: tuple[int, int], md5: str, *, v2: bool) -> BackboneSpec:
    # Taps sit in the last block of stages conv2 to conv4. ResNet v1 taps the
    # block's output; Keras' ResNetV2 strides inside that block, so v2 taps the
    # normalised trunk entering it, and its stem has no BatchNormalization.
    conv3, conv4 = blocks
    tap, stem, suffix = ("preact_relu", "conv1_conv", "V2") if v2 else ("out", "conv1_relu", "")
    return BackboneSpec.from_parts(
        f"resnet{depth}_v2" if v2 else f"resnet{depth}",
        "resnet_v2" if v2 else "resnet",
        architecture=keras_architecture(
            f"ResNet{depth}{suffix}",
            taps=(
                stem,
                f"conv2_block3_{tap}",
                f"conv3_block{conv3}_{tap}",
                f"conv4_block{conv4}_{tap}",
            ),
            channels=(64, 256, 512, 1024, 2048),
            default_bn_momentum=0.99,
        ),
        preprocessing=Preprocessing("tf") if v2 else Preprocessing("caffe", mean=CAFFE_MEAN),
        imagenet_weights=keras_weights(
            "resnet",
            f"resnet{depth}{suffix.lower()}_weights_tf_dim_ordering_tf_kernels_notop.h5",
            md5,
        ),
    )


_register_built_in(
    _basic_resnet(18, (2, 2, 2, 2)),
    _basic_resnet(34, (3, 4, 6, 3)),
    _keras_resnet(50, (4, 6), "4d473c1dd8becc155b73f8504c6f6626", v2=False),
    _keras_resnet(101, (4, 23), "88cf7a10940856eca736dc7b7e228a21", v2=False),
    _keras_resnet(152, (8, 36), "ee4c566cf9a93f14d82f913c2dc6dd0c", v2=False),
    _keras_resnet(50, (4, 6), "fac2f116257151a9d068a22e544a4917", v2=True),
    _keras_resnet(101, (4, 23), "c0ed64b8031c3730f411d2eb4eea35b5", v2=True),
    _keras_resnet(152, (8, 36), "ed17cf2e0169df9d443503ef94b23b33", v2=True),
)
