"""Config helpers for task models that own a serialized backbone."""

from __future__ import annotations

from typing import Any, TypeVar

import keras

Task = TypeVar("Task", bound=keras.layers.Layer)


def base_task_config(model: keras.Model) -> dict[str, Any]:
    """The config entries every task model has: name, trainable and its backbone.

    Example:
    >>> from finvision.models import ImageClassifier, create_backbone
    >>> model = ImageClassifier(create_backbone("resnet18", input_shape=(32, 32, 3)), 2)
    >>> sorted(base_task_config(model))
    ['backbone', 'name', 'trainable']
    """
    return {
        "name": model.name,
        "trainable": model.trainable,
        "backbone": keras.saving.serialize_keras_object(model.backbone),
    }


def from_config_keeping_frozen(cls: type[Task], config: dict[str, Any]) -> Task:
    """Builds ``cls(**config)``; a model saved frozen comes back frozen.

    ``trainable=True`` is not passed to the constructor: Keras sets it on every
    sublayer on some backends (JAX), which would unfreeze the layers a
    backbone's config keeps frozen. ``trainable=False`` freezes the whole model,
    as saved.

    Example:
    >>> from_config_keeping_frozen(keras.layers.Dense, {"units": 2, "trainable": False}).trainable
    False
    """
    config = dict(config)
    trainable = config.pop("trainable", True)
    model = cls(**config)
    if not trainable:
        model.trainable = False
    return model


def task_from_config(cls: type[Task], config: dict[str, Any]) -> Task:
    """Rebuilds a task model from its config, deserializing the backbone first.

    Frozen models and layers stay frozen (see :func:`from_config_keeping_frozen`).

    Example:
    >>> from finvision.models import ImageClassifier, create_backbone
    >>> model = ImageClassifier(create_backbone("resnet18", input_shape=(32, 32, 3)), 2)
    >>> task_from_config(ImageClassifier, model.get_config()).num_classes
    2
    """
    config = dict(config)
    config["backbone"] = keras.saving.deserialize_keras_object(config["backbone"])
    return from_config_keeping_frozen(cls, config)
