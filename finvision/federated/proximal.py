"""The FedProx proximal term, (mu / 2) * ||w - w_global||^2 over the trainable weights.

The term is installed as a weight regularizer on every trainable variable for
the length of a ``with`` block, so Keras adds it to the training loss and its
gradient, ``mu * (w - w_global)``, pulls each step back toward the global
weights. A regularizer the variable already had keeps applying. On leaving the
block the original regularizers come back and the model's train function is
rebuilt, so later ``fit`` calls train without the term.

Example:
>>> import keras
>>> import numpy as np
>>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, use_bias=False)])
>>> model.compile(optimizer="sgd", loss="mse")
>>> with proximal_term(model, 0.5):
...     _ = model.layers[0].kernel.assign(model.layers[0].kernel + 2.0)
...     penalty = float(keras.ops.sum(model.losses))
>>> round(penalty, 6)  # 0.5 / 2 * (2^2 + 2^2)
2.0
>>> model.losses
[]
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import keras

from finvision.federated._checks import check_non_negative


class _ProximalPenalty:
    """``(mu / 2) * ||value - anchor||^2``, plus the variable's own regularizer."""

    def __init__(self, mu: float, anchor: Any, inner: Callable[[Any], Any] | None) -> None:
        self.mu = mu
        self.anchor = anchor
        self.inner = inner

    def __call__(self, value: Any) -> Any:
        penalty = 0.5 * self.mu * keras.ops.sum(keras.ops.square(value - self.anchor))
        return penalty if self.inner is None else penalty + self.inner(value)


@contextlib.contextmanager
def proximal_term(model: keras.Model, mu: float) -> Iterator[None]:
    """Adds ``(mu / 2) * ||w - w_global||^2`` to the loss of ``model`` inside the block.

    ``w_global`` is the value of each trainable weight on entering the block
    (the parameters just received from the server). With ``mu == 0`` the block
    changes nothing.

    Args:
        model: a compiled ``keras.Model``.
        mu: the proximal coefficient, >= 0.

    Yields:
        Nothing; train inside the block.

    Raises:
        ValueError: if ``mu`` is negative or not finite.

    Example:
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> with proximal_term(model, 0.1):
    ...     len(model.losses)  # one term per trainable weight: kernel and bias
    2
    """
    mu = check_non_negative("proximal_mu", mu)
    if mu == 0.0:
        yield
        return
    variables = model.trainable_weights
    originals = [variable.regularizer for variable in variables]
    for variable, inner in zip(variables, originals, strict=True):
        anchor = keras.ops.convert_to_tensor(variable.numpy())
        variable.regularizer = _ProximalPenalty(mu, anchor, inner)
    _rebuild_train_function(model)
    try:
        yield
    finally:
        for variable, inner in zip(variables, originals, strict=True):
            variable.regularizer = inner
        _rebuild_train_function(model)


def _rebuild_train_function(model: keras.Model) -> None:
    # The traced train step holds the regularizers it saw; retrace on the next fit.
    if model.compiled:
        model.make_train_function(force=True)
