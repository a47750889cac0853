"""``create_backbone``: the one entry point that builds and fills a backbone."""

from __future__ import annotations

from collections.abc import Sequence

import keras

from finvision.models.backbone import Backbone
from finvision.models.registry import get_backbone_spec
from finvision.models.weights import read_weights_file
from finvision.models.weights_source import WeightsSource, resolve_weights


def create_backbone(
    backbone: str,
    /,
    *,
    input_shape: Sequence[int | None] = (224, 224, 3),
    weights: WeightsSource = None,
    include_preprocessing: bool = True,
    features_only: bool = False,
    out_levels: Sequence[int] = (3, 4, 5),
    pooling: str | None = None,
    trainable: bool = True,
    dtype: str | keras.DTypePolicy | None = None,
    bn_momentum: float | None = None,
    name: str | None = None,
    sha256: str | None = None,
) -> Backbone:
    """Builds a registered backbone, optionally with pretrained weights.

    Args:
        backbone: a name from :func:`finvision.models.list_backbones`
            (positional).
        input_shape: ``(height, width, channels)`` of one image, channels last.
            Height and width must be at least 32 (or None). One channel
            (grayscale scans) and other counts work with pretrained weights: the
            first convolution is adapted (:func:`adapt_input_kernel`).
        weights: None (random initialisation); ``"imagenet"`` (Keras'
            hash-checked download, cached in ``~/.keras/models``); a path to a
            ``.h5`` or ``.weights.h5`` file; or a preset directory written by
            :func:`finvision.models.save_preset`; resolved to a checked file by
            :func:`~finvision.models.weights_source.resolve_weights`, then read once.
        include_preprocessing: put the weights' normalisation in the graph, so
            the model takes raw pixels in [0, 255] (float or uint8).
        features_only: output a dict ``{"P3": ..., ...}`` of ``out_levels``.
        out_levels: pyramid levels 1 to 5 (strides 2 to 32) for ``features_only``.
        pooling: None (the last feature map), ``"avg"`` or ``"max"``.
        trainable: whether the backbone's weights train.
        dtype: a dtype policy for the layers, e.g. ``"mixed_float16"``; None
            keeps the global policy. Normalisation always computes in float32.
        bn_momentum: momentum for every BatchNormalization layer; None keeps the
            architecture's own (``spec.default_bn_momentum``).
        name: the model's name; defaults to the backbone name.
        sha256: pins the weights, checked before they are read: the SHA-256
            hex digest of the weights file (or the cached ImageNet file), or for
            a preset its :func:`~finvision.models.preset_digest`. None checks
            nothing beyond the built-in checks (published hashes, a preset's
            recorded digests).

    Returns:
        A :class:`~finvision.models.Backbone` (a ``keras.Model``) with a
        ``pyramid_outputs`` dict of the feature maps ``"P1"`` to ``"P5"``.

    Raises:
        ValueError: for an unknown backbone (the message lists the closest
            names), a bad ``input_shape``, ``out_levels`` or ``pooling``, weights
            that do not fit, or weights that differ from their ``sha256`` pin
            (the message names the file and both digests).
        FileNotFoundError: if a ``weights`` path does not exist.
        OSError: if ImageNet weights are neither cached nor downloadable.

    Example:
    >>> import numpy as np
    >>> backbone = create_backbone("mobilenet_v3_small", input_shape=(64, 64, 1),
    ...                            features_only=True, out_levels=(4, 5))
    >>> features = backbone(np.zeros((2, 64, 64, 1), dtype="uint8"))
    >>> {level: tuple(value.shape) for level, value in features.items()}
    {'P4': (2, 4, 4, 48), 'P5': (2, 2, 2, 576)}
    """
    spec = get_backbone_spec(backbone)
    model = Backbone(
        spec.name,
        input_shape=input_shape,
        include_preprocessing=include_preprocessing,
        features_only=features_only,
        out_levels=out_levels,
        pooling=pooling,
        bn_momentum=bn_momentum,
        trainable=trainable,
        dtype=dtype,
        name=name or spec.name,
    )
    path = resolve_weights(weights, spec, sha256=sha256)
    if path is not None:
        read_weights_file(model, path)
    return model
