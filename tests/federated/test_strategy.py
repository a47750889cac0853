"""server_strategy: FedAvg and FedProx rounds checked against NumPy, and bad arguments."""

import keras
import numpy as np
import pytest
from flwr.common import parameters_to_ndarrays
from flwr.server.strategy import FedAvg, FedProx

from finvision import federated
from tests.federated._in_process import client_manager, fit_round
from tests.federated.conftest import clone_of, image_model

SHARD_SIZES = [8, 16, 24]


@pytest.fixture(scope="module")
def global_model():
    return image_model(seed=8)


@pytest.fixture(scope="module")
def proxies(global_model, small_documents):
    return client_manager(global_model, small_documents, SHARD_SIZES)


def test_fedavg_is_the_example_weighted_mean(global_model, proxies):
    strategy = federated.server_strategy(model=global_model, min_clients=3, local_epochs=2)
    instructions = strategy.configure_fit(1, strategy.initial_parameters, proxies)
    assert [ins.config for _, ins in instructions] == [{"local_epochs": 2, "server_round": 1}] * 3
    sent, metrics, aggregated, aggregated_metrics = fit_round(
        strategy, proxies, strategy.initial_parameters
    )
    assert sorted(count for _, count in sent) == SHARD_SIZES
    total = sum(SHARD_SIZES)
    for index, array in enumerate(aggregated):
        expected = sum(count * arrays[index].astype("float64") for arrays, count in sent) / total
        np.testing.assert_allclose(array, expected, rtol=1e-5, atol=1e-7)
    # BatchNormalization statistics travel with exchange="all" and are averaged too.
    moving = [i for i, v in enumerate(global_model.weights) if "moving_mean" in v.path]
    assert len(moving) == 1 and not np.allclose(aggregated[moving[0]], sent[0][0][moving[0]])
    for name in ("accuracy", "loss"):
        expected = sum(count * values[name] for count, values in metrics) / total
        np.testing.assert_allclose(aggregated_metrics[name], expected, rtol=1e-6)


def test_fedprox_sends_mu_and_local_epochs(global_model, proxies):
    strategy = federated.server_strategy(
        "fedprox", model=global_model, min_clients=3, proximal_mu=0.5, local_epochs=3
    )
    assert type(strategy) is FedProx
    instructions = strategy.configure_fit(2, strategy.initial_parameters, proxies)
    assert len(instructions) == 3
    expected = {"local_epochs": 3, "server_round": 2, "proximal_mu": 0.5}
    assert all(ins.config == expected for _, ins in instructions)


def test_model_gives_initial_parameters_and_follows_the_global_model(global_model):
    server_model = clone_of(global_model, seed=9)
    strategy = federated.server_strategy(model=server_model)
    assert type(strategy) is FedAvg and strategy.min_available_clients == 2
    initial = parameters_to_ndarrays(strategy.initial_parameters)
    for array, weight in zip(initial, global_model.get_weights(), strict=True):
        np.testing.assert_array_equal(array, weight)
    moved = [array + 1.0 for array in initial]
    assert strategy.evaluate_fn(3, moved, {}) is None  # no server-side data: load only
    np.testing.assert_array_equal(server_model.get_weights()[0], moved[0])


def test_evaluate_data_scores_the_global_model(global_model, small_documents):
    server_model = clone_of(global_model, seed=10)
    strategy = federated.server_strategy(
        "fedprox", model=server_model, evaluate_data=small_documents, exchange="trainable"
    )
    assert type(strategy) is FedProx and strategy.proximal_mu == federated.DEFAULT_PROXIMAL_MU
    parameters = federated.model_parameters(image_model(seed=12), "trainable")
    loss, metrics = strategy.evaluate_fn(1, parameters, {})
    x, y = small_documents
    probabilities = keras.ops.convert_to_numpy(server_model(x, training=False))
    np.testing.assert_allclose(
        federated.model_parameters(server_model, "trainable")[0], parameters[0]
    )
    np.testing.assert_allclose(loss, -np.mean(np.log(probabilities[np.arange(len(y)), y])), 1e-4)
    np.testing.assert_allclose(metrics["accuracy"], np.mean(probabilities.argmax(1) == y))


def test_user_evaluate_fn_runs_after_loading(global_model):
    server_model = clone_of(global_model, seed=13)
    seen = []

    def evaluate_fn(server_round, parameters, config):
        seen.append((server_round, server_model.get_weights()[0][0, 0, 0, 0]))
        return 0.5, {"custom": 1.0}

    strategy = federated.server_strategy(model=server_model, evaluate_fn=evaluate_fn)
    parameters = [np.full(w.shape, 2.0, "float32") for w in server_model.get_weights()]
    assert strategy.evaluate_fn(4, parameters, {}) == (0.5, {"custom": 1.0})
    assert seen == [(4, 2.0)]
    assert federated.server_strategy(evaluate_fn=evaluate_fn).evaluate_fn is evaluate_fn


def test_weighted_average_by_hand():
    results = [(10, {"accuracy": 0.5, "loss": 2.0}), (30, {"accuracy": 0.9}), (0, {})]
    assert federated.weighted_average(results) == {"accuracy": 0.8, "loss": 2.0}
    assert federated.weighted_average([(5, {"flag": True, "note": "x"})]) == {}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kind": "fedsgd"}, r"`kind` must be one of \('fedavg', 'fedprox'\); received 'fedsgd'\."),
        (
            {"kind": "fedprox", "proximal_mu": -0.1},
            r"`proximal_mu` must be a finite number >= 0; received -0\.1\.",
        ),
        (
            {"proximal_mu": 0.1},
            r"`proximal_mu` applies to kind='fedprox' only; received proximal_mu=0\.1 with "
            r"kind='fedavg'\.",
        ),
        ({"min_clients": 0}, r"`min_clients` must be an integer >= 1; received 0\."),
        ({"local_epochs": 1.5}, r"`local_epochs` must be an integer >= 1; received 1\.5\."),
        ({"fraction_fit": 0.0}, r"`fraction_fit` must be a number in \(0, 1\]; received 0\.0\."),
        (
            {"fraction_evaluate": 1.5},
            r"`fraction_evaluate` must be a number in \[0, 1\]; received 1\.5\.",
        ),
        ({"exchange": "delta"}, r"`exchange` must be one of \('all', 'trainable'\)"),
        (
            {"evaluate_data": (np.zeros((2, 4)), np.zeros(2))},
            r"`evaluate_data` needs the compiled `model` to score; received model=None\.",
        ),
        (
            {"evaluate_data": (np.zeros((2, 4)), np.zeros(2)), "evaluate_fn": print},
            r"Pass either `evaluate_fn` or `evaluate_data`, not both",
        ),
    ],
)
def test_argument_checks(options, message):
    with pytest.raises(ValueError, match=message):
        federated.server_strategy(**options)


def test_model_checks():
    uncompiled = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    data = (np.zeros((2, 4)), np.zeros(2))
    with pytest.raises(ValueError, match=r"`model` must be compiled"):
        federated.server_strategy(model=uncompiled, evaluate_data=data)
    with pytest.raises(TypeError, match=r"`model` must be a keras.Model; received str\."):
        federated.server_strategy(model="resnet18")
    with pytest.raises(ValueError, match=r"`model` has no weights yet.*unbuilt Sequential"):
        federated.server_strategy(model=keras.Sequential([keras.layers.Dense(2)]))
    with pytest.raises(TypeError, match=r"`evaluate_fn` must be a callable .*; received float\."):
        federated.server_strategy(evaluate_fn=0.5)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"`evaluate_data` is empty"):
        federated.server_strategy(model=model, evaluate_data=(np.zeros((0, 4)), np.zeros(0)))
