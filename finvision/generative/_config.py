"""Config helpers shared by the generative models."""

from __future__ import annotations

from typing import Any

import keras


def base_config(model: keras.Model) -> dict[str, Any]:
    """The config entries every generative model has: its name and whether it trains.

    Example:
    >>> from finvision.generative import ConditionalGenerator
    >>> base_config(ConditionalGenerator(2, latent_dim=4, width=2, name="g"))
    {'name': 'g', 'trainable': True}
    """
    return {"name": model.name, "trainable": model.trainable}
