"""Config helpers shared by the generative models."""

from __future__ import annotations

from typing import Any, TypeVar

import keras

Model = TypeVar("Model", bound=keras.Model)


def base_config(model: keras.Model) -> dict[str, Any]:
    """The config entries every generative model has: its name and whether it trains.

    Example:
    >>> from finvision.generative import ConditionalGenerator
    >>> base_config(ConditionalGenerator(2, latent_dim=4, width=2, name="g"))
    {'name': 'g', 'trainable': True}
    """
    return {"name": model.name, "trainable": model.trainable}


def model_from_config(cls: type[Model], config: dict[str, Any]) -> Model:
    """Rebuilds a model from its config; a frozen model comes back frozen.

    ``trainable=True`` is not passed to the constructor, as in
    :func:`finvision.models._task_config.task_from_config`.

    Example:
    >>> from finvision.generative import ConditionalGenerator
    >>> generator = ConditionalGenerator(2, latent_dim=4, width=2)
    >>> generator.trainable = False
    >>> model_from_config(ConditionalGenerator, generator.get_config()).trainable
    False
    """
    config = dict(config)
    trainable = config.pop("trainable", True)
    model = cls(**config)
    if not trainable:
        model.trainable = False
    return model
