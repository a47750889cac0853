"""``FlowerClient``: one branch's compiled Keras model as a Flower ``NumPyClient``."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from finvision._validation import check_choice, check_positive_int
from finvision.federated._checks import check_compiled_model, check_shard
from finvision.federated._evaluation import score
from finvision.federated._flower import NumPyClient
from finvision.federated.proximal import proximal_term
from finvision.federated.weights import EXCHANGES, load_parameters, model_parameters

#: The server config key for the number of local epochs of one round.
LOCAL_EPOCHS = "local_epochs"
#: The server config key Flower's FedProx strategy uses for the proximal coefficient.
PROXIMAL_MU = "proximal_mu"


class FlowerClient(NumPyClient):
    """Trains a compiled Keras model on one branch's images; only weights leave.

    Each round the server sends the global parameters (a list of NumPy arrays
    in ``model.get_weights()`` order, see :mod:`~finvision.federated.weights`);
    :meth:`fit` loads them, trains ``model`` on ``train_data`` for the round's
    local epochs and returns the new parameters with the number of local
    examples, which FedAvg uses to weight this client.
    :meth:`evaluate` scores the global parameters on ``validation_data``. The
    images, the labels and the optimizer state (for example Adam's moments)
    stay on the client.

    When the server config carries ``"proximal_mu"`` (Flower's ``FedProx``
    strategy sends it), the local objective adds
    ``(mu / 2) * ||w - w_global||^2`` over the trainable weights (see
    :func:`~finvision.federated.proximal.proximal_term`); the ``"loss"`` that
    :meth:`fit` reports then includes that term. ``"local_epochs"`` in the
    config overrides ``epochs``.

    Args:
        model: a built and compiled ``keras.Model``, for example a
            :class:`~finvision.models.ImageClassifier`.
        train_data: ``(x, y)`` arrays of this client's training shard.
        validation_data: ``(x, y)`` arrays this client evaluates on.
        epochs: local epochs per round when the server does not say.
        batch_size: the local batch size for training and evaluation.
        exchange: ``"all"`` sends every weight (BatchNormalization statistics
            and frozen layers included, so FedAvg averages the statistics);
            ``"trainable"`` sends the trainable weights only, keeping frozen
            layers and BatchNormalization statistics local. The server must
            use the same value.

    Raises:
        TypeError: if ``model`` is not a ``keras.Model`` or a shard is not a
            pair ``(x, y)``.
        ValueError: for an unbuilt or uncompiled model, an empty shard, images
            and labels of different lengths, or bad ``epochs``, ``batch_size``
            or ``exchange``.

    Example:
    >>> import keras
    >>> import numpy as np
    >>> model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(),
    ...                           keras.layers.Dense(2, activation="softmax")])
    >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
    ...               metrics=["accuracy"])
    >>> rng = np.random.default_rng(0)
    >>> shard = (rng.uniform(0, 1, (8, 32, 32, 3)), rng.integers(0, 2, 8))
    >>> client = FlowerClient(model, shard, shard, batch_size=4)
    >>> parameters = client.get_parameters({})
    >>> new_parameters, count, metrics = client.fit(parameters, {"local_epochs": 1})
    >>> count, sorted(metrics), [p.shape for p in new_parameters]
    (8, ['accuracy', 'loss'], [(3072, 2), (2,)])
    >>> loss, count, metrics = client.evaluate(new_parameters, {})
    >>> count, sorted(metrics)
    (8, ['accuracy'])
    """

    def __init__(
        self,
        model: keras.Model,
        train_data: tuple[Any, Any],
        validation_data: tuple[Any, Any],
        *,
        epochs: int = 1,
        batch_size: int = 32,
        exchange: str = "all",
    ) -> None:
        check_compiled_model(model)
        epochs = check_positive_int("epochs", epochs)
        batch_size = check_positive_int("batch_size", batch_size)
        check_choice("exchange", exchange, EXCHANGES)
        self.model = model
        self.train_data = check_shard("train_data", train_data)
        self.validation_data = check_shard("validation_data", validation_data)
        self.epochs = epochs
        self.batch_size = batch_size
        self.exchange = exchange

    def get_parameters(self, config: dict[str, Any]) -> list[np.ndarray]:
        """The model's weights that travel, in ``model.get_weights()`` order.

        Args:
            config: the server's request config (unused).

        Returns:
            A list of NumPy arrays.

        Example:
        >>> import keras
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> client = FlowerClient(model, ([[0.0, 1.0]], [1.0]), ([[1.0, 0.0]], [0.0]))
        >>> [p.shape for p in client.get_parameters({})]
        [(2, 1), (1,)]
        """
        del config
        return model_parameters(self.model, self.exchange)

    def fit(
        self, parameters: list[np.ndarray], config: dict[str, Any]
    ) -> tuple[list[np.ndarray], int, dict[str, float]]:
        """Loads the global parameters, trains locally, returns the new ones.

        Args:
            parameters: the global parameters from the server.
            config: the round's config; reads ``"local_epochs"`` and
                ``"proximal_mu"``.

        Returns:
            ``(parameters, number of training examples, metrics)``, the metrics
            being the last local epoch's values (``"loss"``, ``"accuracy"``...).

        Raises:
            ValueError: if ``parameters`` do not fit the model, or for a bad
                ``"local_epochs"`` or ``"proximal_mu"``.

        Example:
        >>> import keras
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> client = FlowerClient(model, ([[0.0, 1.0]], [1.0]), ([[1.0, 0.0]], [0.0]))
        >>> client.fit(client.get_parameters({}), {"proximal_mu": -1.0})
        Traceback (most recent call last):
        ...
        ValueError: `proximal_mu` must be a finite number >= 0; received -1.0.
        """
        load_parameters(self.model, parameters, self.exchange)
        epochs = config.get(LOCAL_EPOCHS, self.epochs)
        check_positive_int(LOCAL_EPOCHS, epochs)
        x, y = self.train_data
        with proximal_term(self.model, config.get(PROXIMAL_MU, 0.0)):
            history = self.model.fit(x, y, epochs=epochs, batch_size=self.batch_size, verbose=0)
        metrics = {name: float(values[-1]) for name, values in history.history.items()}
        return self.get_parameters(config), len(x), metrics

    def evaluate(
        self, parameters: list[np.ndarray], config: dict[str, Any]
    ) -> tuple[float, int, dict[str, float]]:
        """Scores the global parameters on this client's validation shard.

        Args:
            parameters: the global parameters from the server.
            config: the round's config (unused).

        Returns:
            ``(loss, number of validation examples, metrics)``, the metrics being
            the model's compiled metrics (``"accuracy"``...).

        Raises:
            ValueError: if ``parameters`` do not fit the model.

        Example:
        >>> import keras
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> client = FlowerClient(model, ([[0.0, 1.0]], [1.0]), ([[1.0, 0.0]], [0.5]))
        >>> loss, count, _ = client.evaluate([np.zeros((2, 1)), np.zeros(1)], {})
        >>> loss, count  # (0 - 0.5)^2
        (0.25, 1)
        """
        del config
        load_parameters(self.model, parameters, self.exchange)
        loss, metrics = score(self.model, self.validation_data, self.batch_size)
        return loss, len(self.validation_data[0]), metrics
