"""Scoring a compiled model on held-out arrays, as clients and the server both do."""

from __future__ import annotations

import keras
import numpy as np


def score(
    model: keras.Model, data: tuple[np.ndarray, np.ndarray], batch_size: int
) -> tuple[float, dict[str, float]]:
    """The loss and the compiled metrics of ``model`` on ``data``.

    Args:
        model: a compiled ``keras.Model``.
        data: ``(x, y)`` arrays.
        batch_size: the evaluation batch size.

    Returns:
        ``(loss, {metric name: value})`` as Python floats, the form Flower expects.

    Example:
    >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, use_bias=False)])
    >>> model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    >>> _ = model.layers[0].kernel.assign([[2.0]])
    >>> score(model, (np.array([[1.0]]), np.array([[3.0]])), batch_size=1)
    (1.0, {'mae': 1.0})
    """
    x, y = data
    results = model.evaluate(x, y, batch_size=batch_size, verbose=0, return_dict=True)
    loss = float(results.pop("loss"))
    return loss, {name: float(value) for name, value in results.items()}
