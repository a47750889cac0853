"""``create_backbone``: the one entry point that builds and fills a backbone."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import keras

from finvision.models.backbone import Backbone
from finvision.models.presets import read_preset
from finvision.models.registry import get_backbone_spec
from finvision.models.weights import fetch_imagenet_weights, load_weights_file

WeightsSource = str | os.PathLike | None


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
            :func:`finvision.models.save_preset`.
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
    if sha256 is not None and weights is None:
        raise ValueError(
            "`sha256` pins a weights file; pass `weights=` a file, a preset directory or "
            "'imagenet' with it; received weights=None."
        )
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
    if weights is None:
        return model
    if weights == "imagenet":
        load_weights_file(model, fetch_imagenet_weights(spec), sha256=sha256)
    elif isinstance(weights, (str, os.PathLike)) and Path(weights).is_dir():
        load_weights_file(model, _preset_weights(weights, spec.name, sha256))
    elif isinstance(weights, (str, os.PathLike)):
        load_weights_file(model, weights, sha256=sha256)
    else:
        raise TypeError(
            "`weights` must be None, 'imagenet', a weights file path or a preset "
            f"directory; received {type(weights).__name__}."
        )
    return model


def _preset_weights(directory: str | os.PathLike, architecture: str, sha256: str | None) -> Path:
    preset = read_preset(directory, sha256=sha256)
    if preset.config.get("class_name") != "Backbone":
        raise ValueError(
            f"`weights` preset {str(directory)!r} holds an {preset.config.get('class_name')}, "
            "not a backbone: reload it with its class's from_preset(), or write its "
            "backbone with save_preset(model.backbone, directory)."
        )
    saved = preset.config["config"]["architecture"]
    if saved != architecture:
        raise ValueError(
            f"`weights` preset {str(directory)!r} holds a {saved} backbone, not "
            f"{architecture}. Use create_backbone({saved!r}, ...) or "
            "finvision.models.load_preset()."
        )
    return preset.weights_path
