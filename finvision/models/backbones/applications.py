"""Backbones that reuse ``keras.applications`` so its weight files load unchanged.

The families built on Keras' networks (:mod:`~finvision.models.backbones.resnet`,
:mod:`~finvision.models.backbones.vgg`, :mod:`~finvision.models.backbones.mobilenet`)
declare their architecture part with :func:`keras_architecture` and their
published-weights part with :func:`keras_weights`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras

from finvision.models.registry import KERAS_WEIGHTS_URL, Architecture, WeightsFile


def trunk_builder(constructor: str, **options: Any) -> Callable[[Any], keras.Model]:
    """Returns a builder for the ``keras.applications`` model ``constructor``.

    The network is built without its classification top and without weights on
    the given tensor, so layers such as an in-graph normalisation may precede it.

    Args:
        constructor: the name in ``keras.applications``, e.g. ``"ResNet50"``.
        **options: extra constructor arguments (e.g. ``include_preprocessing``).

    Returns:
        A function ``build(tensor) -> keras.Model``.

    Example:
    >>> import keras
    >>> build = trunk_builder("VGG16")
    >>> build(keras.Input((32, 32, 3))).output.shape
    (None, 1, 1, 512)
    """

    def build(tensor: Any) -> keras.Model:
        return getattr(keras.applications, constructor)(
            include_top=False,
            weights=None,
            input_tensor=tensor,
            input_shape=tuple(tensor.shape[1:]),
            **options,
        )

    return build


def keras_architecture(
    constructor: str,
    *,
    taps: tuple[str, ...],
    channels: tuple[int, ...],
    default_bn_momentum: float,
    **options: Any,
) -> Architecture:
    """The architecture part of a spec whose network is a ``keras.applications`` one.

    Args:
        constructor: the name in ``keras.applications``, e.g. ``"VGG16"``.
        taps: the layers of ``"P1"`` to ``"P4"`` (see :class:`Architecture`).
        channels: the channels of ``"P1"`` to ``"P5"``.
        default_bn_momentum: the network's BatchNormalization momentum.
        **options: extra constructor arguments (see :func:`trunk_builder`).

    Returns:
        The :class:`~finvision.models.registry.Architecture`, with
        ``keras_application`` set to ``constructor``.

    Example:
    >>> architecture = keras_architecture(
    ...     "VGG16",
    ...     taps=("block2_conv2", "block3_conv3", "block4_conv3", "block5_conv3"),
    ...     channels=(128, 256, 512, 512, 512),
    ...     default_bn_momentum=0.99,
    ... )
    >>> architecture.keras_application
    'VGG16'
    """
    return Architecture(
        trunk_builder(constructor, **options),
        taps=taps,
        channels=channels,
        default_bn_momentum=default_bn_momentum,
        keras_application=constructor,
    )


def keras_weights(folder: str, file_name: str, md5: str | None) -> WeightsFile:
    """The published-weights part of a spec: a file Keras serves for its applications.

    Args:
        folder: the file's folder under :data:`KERAS_WEIGHTS_URL`.
        file_name: the file's name.
        md5: the MD5 Keras publishes for it, or None where it publishes none.

    Returns:
        The :class:`~finvision.models.registry.WeightsFile`.

    Example:
    >>> keras_weights("vgg16", "vgg16_notop.h5", None).origin
    'https://storage.googleapis.com/tensorflow/keras-applications/vgg16/vgg16_notop.h5'
    """
    return WeightsFile(file_name, f"{KERAS_WEIGHTS_URL}{folder}/{file_name}", md5)
