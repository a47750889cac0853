"""What travels between a client and the server: a model's weights as NumPy arrays.

Parameters are a list of arrays in ``model.get_weights()`` order. With
``exchange="all"`` that is every weight, non-trainable ones included
(BatchNormalization moving statistics, frozen backbone layers), so the server
holds a complete model. With ``exchange="trainable"`` only the trainable
weights travel, still in ``model.get_weights()`` order: frozen layers cost no
traffic and stay bit-identical, and each client keeps its own
BatchNormalization statistics.

Example:
>>> import keras
>>> model = keras.Sequential([keras.Input((4,)), keras.layers.BatchNormalization(),
...                           keras.layers.Dense(2)])
>>> [array.shape for array in model_parameters(model, "trainable")]
[(4,), (4,), (4, 2), (2,)]
>>> len(model_parameters(model, "all")) == len(model.get_weights())
True
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

from finvision._validation import check_choice

#: The ``exchange=`` choices: which weights travel.
EXCHANGES = ("all", "trainable")


def exchanged_weights(model: keras.Model, exchange: str) -> list[keras.Variable]:
    """The variables of ``model`` that travel, in ``model.get_weights()`` order.

    Args:
        model: a built ``keras.Model``.
        exchange: ``"all"`` or ``"trainable"``.

    Returns:
        The variables, a sub-list of ``model.weights``.

    Raises:
        ValueError: for an unknown ``exchange``.

    Example:
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    >>> model.layers[0].trainable = False
    >>> exchanged_weights(model, "trainable")
    []
    """
    check_choice("exchange", exchange, EXCHANGES)
    if exchange == "all":
        return list(model.weights)
    trainable = {id(variable) for variable in model.trainable_weights}
    return [variable for variable in model.weights if id(variable) in trainable]


def model_parameters(model: keras.Model, exchange: str = "all") -> list[np.ndarray]:
    """The weights of ``model`` that travel, as NumPy arrays (a copy).

    Args:
        model: a built ``keras.Model``.
        exchange: ``"all"`` or ``"trainable"``.

    Returns:
        One array per variable of :func:`exchanged_weights`.

    Example:
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    >>> [array.shape for array in model_parameters(model)]
    [(3, 1), (1,)]
    """
    return [np.array(variable.numpy()) for variable in exchanged_weights(model, exchange)]


def load_parameters(
    model: keras.Model, parameters: Sequence[np.ndarray], exchange: str = "all"
) -> None:
    """Loads parameters received from the server into ``model``.

    Args:
        model: a built ``keras.Model``.
        parameters: arrays in the order of :func:`model_parameters`.
        exchange: ``"all"`` or ``"trainable"``, as on the sending side.

    Raises:
        ValueError: if the number of arrays differs, or naming the first weight
            whose shape differs with both shapes. Nothing is loaded then.

    Example:
    >>> model = keras.Sequential(
    ...     [keras.Input((3,)), keras.layers.Dense(1, name="score")], name="scorer"
    ... )
    >>> load_parameters(model, [np.zeros((3, 2)), np.zeros(2)])
    Traceback (most recent call last):
    ...
    ValueError: `parameters` do not fit the model at weight 0 'scorer/score/kernel': the model has shape (3, 1), the server sent shape (3, 2).
    """  # noqa: E501
    variables = exchanged_weights(model, exchange)
    arrays = [np.asarray(array) for array in parameters]
    if len(arrays) != len(variables):
        raise ValueError(
            f"`parameters` must hold {len(variables)} arrays for this model "
            f"(exchange={exchange!r}, in model.get_weights() order); received {len(arrays)}. "
            "The server and every client need the same architecture and the same `exchange`."
        )
    for index, (variable, array) in enumerate(zip(variables, arrays, strict=True)):
        if tuple(variable.shape) != array.shape:
            raise ValueError(
                f"`parameters` do not fit the model at weight {index} {variable.path!r}: the "
                f"model has shape {tuple(variable.shape)}, the server sent shape {array.shape}."
            )
    for variable, array in zip(variables, arrays, strict=True):
        variable.assign(array)
