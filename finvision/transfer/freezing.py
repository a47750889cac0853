"""Freezing and unfreezing backbones for fine-tuning."""

from __future__ import annotations

from typing import Any

import keras

from finvision.transfer.levels import backbone_of, layer_levels, parse_level


def freeze_backbone(model: Any) -> None:
    """Freezes every backbone weight; the task head stays trainable.

    Frozen BatchNormalization layers run in inference mode (Keras 3
    semantics), so their moving statistics do not change during ``fit``.
    Compile the model (again) after changing what is trainable.

    Args:
        model: a task model owning a backbone, or a backbone.

    Example:
    >>> from finvision.models import ImageClassifier, create_backbone
    >>> classifier = ImageClassifier(create_backbone("resnet18", input_shape=(32, 32, 3)), 2)
    >>> freeze_backbone(classifier)
    >>> [variable.path for variable in classifier.trainable_weights]
    ['predictions/kernel', 'predictions/bias']
    """
    backbone_of(model).trainable = False


def unfreeze(
    model: Any, from_level: str | int = "P1", *, keep_batchnorm_frozen: bool = True
) -> None:
    """Makes the backbone trainable from a level (or layer) onwards.

    Layers before the start stay frozen; the task head is made trainable.
    With ``keep_batchnorm_frozen=True`` (the default, the usual advice for
    small data sets) every BatchNormalization layer stays frozen, in inference
    mode with fixed statistics, while the convolutions train. Compile the model
    (again) after changing what is trainable.

    Args:
        model: a task model owning a backbone, or a backbone.
        from_level: the first level to train: ``"P1"`` to ``"P5"``, a level
            number 1 to 5 (see :func:`layer_levels`), or the name of a backbone
            layer.
        keep_batchnorm_frozen: keep BatchNormalization layers frozen.

    Raises:
        ValueError: for an unknown level or layer name.

    Example:
    >>> from finvision.models import create_backbone
    >>> backbone = create_backbone("resnet18", input_shape=(32, 32, 3), trainable=False)
    >>> unfreeze(backbone, "P5")
    >>> sorted({layer.name[:5] for layer in backbone.layers if layer.trainable_weights})
    ['conv5']
    """
    backbone = backbone_of(model)
    start = first_trained_layer(backbone, from_level)
    model.trainable = True
    backbone.trainable = True  # not implied above when the model already was trainable
    for index, layer in enumerate(backbone.layers):
        is_frozen_batchnorm = keep_batchnorm_frozen and isinstance(
            layer, keras.layers.BatchNormalization
        )
        layer.trainable = index >= start and not is_frozen_batchnorm


def first_trained_layer(model: Any, from_level: Any, name: str = "from_level") -> int:
    """The index among the backbone's layers where training starts (see :func:`unfreeze`).

    Args:
        model: a task model owning a backbone, or a backbone.
        from_level: ``"P1"`` to ``"P5"``, 1 to 5, or the name of a backbone layer.
        name: the argument's name, for the error message.

    Returns:
        The index of the first layer :func:`unfreeze` trains.

    Raises:
        ValueError: naming ``name``, for an unknown level or layer name.

    Example:
    >>> from finvision.models import create_backbone
    >>> backbone = create_backbone("resnet18", input_shape=(32, 32, 3))
    >>> backbone.layers[first_trained_layer(backbone, "P5")].name[:5]
    'conv5'
    """
    backbone = backbone_of(model)
    levels = layer_levels(backbone)
    names = [layer.name for layer in backbone.layers]
    if isinstance(from_level, str) and from_level in levels:
        return names.index(from_level)
    try:
        level = parse_level(from_level)
    except ValueError:
        raise ValueError(
            f"`{name}` must be 'P1' to 'P5', 1 to 5 or a layer of {backbone.name}; "
            f"received {from_level!r}."
        ) from None
    return next(index for index, layer in enumerate(names) if levels[layer] >= level)
