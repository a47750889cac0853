"""``server_strategy``: a configured Flower FedAvg or FedProx for finvision clients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
import numpy as np

from finvision._validation import check_choice, check_fraction, check_positive_int
from finvision.federated._checks import (
    check_compiled_model,
    check_has_weights,
    check_non_negative,
    check_shard,
)
from finvision.federated._evaluation import score
from finvision.federated._flower import FedAvg, FedProx, ndarrays_to_parameters
from finvision.federated.client import LOCAL_EPOCHS
from finvision.federated.weights import EXCHANGES, load_parameters, model_parameters

#: The ``kind=`` choices of :func:`server_strategy`.
STRATEGIES = ("fedavg", "fedprox")
#: The proximal coefficient of ``kind="fedprox"`` when none is given.
DEFAULT_PROXIMAL_MU = 0.01

#: Flower's server-side evaluation function: (round, parameters, config) -> (loss, metrics).
EvaluateFn = Callable[[int, list[np.ndarray], dict[str, Any]], tuple[float, dict] | None]


def weighted_average(results: list[tuple[int, dict[str, Any]]]) -> dict[str, float]:
    """Averages each numeric metric over clients, weighted by their number of examples.

    This is the metric aggregation :func:`server_strategy` installs for fit and
    evaluate results, so ``"accuracy"`` is the accuracy over the union of the
    clients' examples. Non-numeric values are left out.

    Args:
        results: ``(number of examples, metrics)`` per client, as Flower passes them.

    Returns:
        ``{metric name: weighted mean}`` over the clients that reported it.

    Example:
    >>> weighted_average([(10, {"accuracy": 0.5}), (30, {"accuracy": 0.9, "note": "x"})])
    {'accuracy': 0.8}
    """
    totals: dict[str, float] = {}
    counts: dict[str, int] = {}
    for count, metrics in results:
        for name, value in metrics.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                totals[name] = totals.get(name, 0.0) + count * float(value)
                counts[name] = counts.get(name, 0) + count
    return {name: totals[name] / counts[name] for name in totals if counts[name] > 0}


def server_strategy(
    kind: str = "fedavg",
    *,
    model: keras.Model | None = None,
    min_clients: int = 2,
    fraction_fit: float = 1.0,
    fraction_evaluate: float = 1.0,
    proximal_mu: float | None = None,
    local_epochs: int = 1,
    evaluate_fn: EvaluateFn | None = None,
    evaluate_data: tuple[Any, Any] | None = None,
    evaluate_batch_size: int = 32,
    exchange: str = "all",
) -> FedAvg:
    """A Flower FedAvg or FedProx strategy set up for :class:`FlowerClient` s.

    Every round asks for ``local_epochs`` of local training (the
    ``"local_epochs"`` config key), aggregates the clients' parameters by their
    number of training examples, and aggregates the metrics they report
    (``"accuracy"``, ``"loss"``...) with :func:`weighted_average`. FedProx also
    sends ``"proximal_mu"``, which :class:`FlowerClient` turns into the
    proximal term of its local loss.

    With ``model``, the strategy starts from its weights (otherwise Flower asks
    one client for its initial parameters) and loads every round's global
    parameters into it, so when the server returns ``model`` is the federated
    model. With ``evaluate_data`` (which needs a compiled ``model``) the server
    also scores each round's global model on it: Flower records the loss and
    metrics in its history as ``losses_centralized`` and ``metrics_centralized``.

    Args:
        kind: ``"fedavg"`` or ``"fedprox"``.
        model: a built ``keras.Model`` with the clients' architecture. It is
            used by the server only: do not share it with a client.
        min_clients: the number of clients that must be connected before a
            round starts, and the least that train or evaluate in one.
        fraction_fit: the share of connected clients that train each round, in (0, 1].
        fraction_evaluate: the share that evaluate each round, in [0, 1]; 0
            skips client-side evaluation.
        proximal_mu: FedProx's coefficient mu >= 0 (``kind="fedprox"`` only;
            default 0.01).
        local_epochs: local training epochs per round.
        evaluate_fn: Flower's server-side evaluation function,
            ``(round, parameters, config) -> (loss, metrics) | None``.
        evaluate_data: ``(x, y)`` held-out arrays the server scores the global
            model on each round, instead of an ``evaluate_fn``.
        evaluate_batch_size: the batch size for ``evaluate_data``.
        exchange: ``"all"`` or ``"trainable"``, as the clients use it (see
            :mod:`~finvision.federated.weights`).

    Returns:
        A ``flwr.server.strategy.FedAvg`` or ``FedProx`` for
        ``flwr.server.start_server`` or a ``ServerApp``.

    Raises:
        TypeError: if ``model`` is not a ``keras.Model`` or ``evaluate_fn`` is
            not callable.
        ValueError: for an unknown ``kind``, a negative ``proximal_mu`` or one
            given with ``kind="fedavg"``, fractions outside their range, both
            ``evaluate_fn`` and ``evaluate_data``, an unbuilt ``model``,
            ``evaluate_data`` without a compiled ``model``, or a bad count.

    Example:
    >>> strategy = server_strategy("fedprox", min_clients=3, proximal_mu=0.1)
    >>> type(strategy).__name__, strategy.proximal_mu, strategy.min_fit_clients
    ('FedProx', 0.1, 3)
    >>> strategy.on_fit_config_fn(1)
    {'local_epochs': 1, 'server_round': 1}
    >>> server_strategy("fedsgd")
    Traceback (most recent call last):
    ...
    ValueError: `kind` must be one of ('fedavg', 'fedprox'); received 'fedsgd'.
    """
    check_choice("kind", kind, STRATEGIES)
    check_choice("exchange", exchange, EXCHANGES)
    min_clients = check_positive_int("min_clients", min_clients)
    local_epochs = check_positive_int("local_epochs", local_epochs)
    evaluate_batch_size = check_positive_int("evaluate_batch_size", evaluate_batch_size)
    fit_share = check_fraction("fraction_fit", fraction_fit, "(0, 1]")
    evaluate_share = check_fraction("fraction_evaluate", fraction_evaluate, "[0, 1]")
    mu = _proximal_mu(kind, proximal_mu)
    server_evaluate = _server_evaluate(
        model, evaluate_fn, evaluate_data, evaluate_batch_size, exchange
    )

    def fit_config(server_round: int) -> dict[str, int]:
        return {LOCAL_EPOCHS: local_epochs, "server_round": server_round}

    def evaluate_config(server_round: int) -> dict[str, int]:
        return {"server_round": server_round}

    options = {
        "fraction_fit": fit_share,
        "fraction_evaluate": evaluate_share,
        "min_fit_clients": min_clients,
        "min_evaluate_clients": min_clients,
        "min_available_clients": min_clients,
        "evaluate_fn": server_evaluate,
        "on_fit_config_fn": fit_config,
        "on_evaluate_config_fn": evaluate_config,
        "initial_parameters": (
            None if model is None else ndarrays_to_parameters(model_parameters(model, exchange))
        ),
        "fit_metrics_aggregation_fn": weighted_average,
        "evaluate_metrics_aggregation_fn": weighted_average,
    }
    if kind == "fedprox":
        return FedProx(proximal_mu=mu, **options)
    return FedAvg(**options)


def _proximal_mu(kind: str, proximal_mu: float | None) -> float | None:
    if kind == "fedavg":
        if proximal_mu is not None:
            raise ValueError(
                "`proximal_mu` applies to kind='fedprox' only; received "
                f"proximal_mu={proximal_mu!r} with kind='fedavg'."
            )
        return None
    if proximal_mu is None:
        return DEFAULT_PROXIMAL_MU
    return check_non_negative("proximal_mu", proximal_mu)


def _server_evaluate(
    model: keras.Model | None,
    evaluate_fn: EvaluateFn | None,
    evaluate_data: tuple[Any, Any] | None,
    batch_size: int,
    exchange: str,
) -> EvaluateFn | None:
    """The strategy's ``evaluate_fn``: loads the global model, then scores it."""
    if evaluate_fn is not None and not callable(evaluate_fn):
        raise TypeError(
            "`evaluate_fn` must be a callable (round, parameters, config) -> (loss, metrics); "
            f"received {type(evaluate_fn).__name__}."
        )
    if evaluate_fn is not None and evaluate_data is not None:
        raise ValueError("Pass either `evaluate_fn` or `evaluate_data`, not both; received both.")
    if evaluate_data is not None:
        if model is None:
            raise ValueError(
                "`evaluate_data` needs the compiled `model` to score; received model=None."
            )
        check_compiled_model(model)
        evaluate_data = check_shard("evaluate_data", evaluate_data)
    elif model is not None:
        check_has_weights(model)
    if model is None:
        return evaluate_fn

    def evaluate(
        server_round: int, parameters: list[np.ndarray], config: dict[str, Any]
    ) -> tuple[float, dict] | None:
        load_parameters(model, parameters, exchange)
        if evaluate_data is not None:
            return score(model, evaluate_data, batch_size)
        if evaluate_fn is not None:
            return evaluate_fn(server_round, parameters, config)
        return None

    return evaluate
