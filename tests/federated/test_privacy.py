"""Flower's privacy tools around the finvision client and strategy.

Exercised here: central differential privacy with server-side fixed clipping
(a strategy wrapper) and the client-side LocalDpMod (a ClientApp mod), both with
zero noise so the clipping can be checked against NumPy. Secure aggregation
(SecAgg+) needs a SuperLink and SuperNodes and is not exercised.
"""

import keras
import numpy as np
from flwr.client import ClientApp
from flwr.client.mod import LocalDpMod
from flwr.server.strategy import DifferentialPrivacyServerSideFixedClipping

from finvision import federated
from tests.federated._in_process import client_manager, fit_round, run_client_app
from tests.federated.conftest import image_model


def _flat(arrays) -> np.ndarray:
    return np.concatenate([np.asarray(a, "float64").ravel() for a in arrays])


def test_server_side_fixed_clipping(small_documents):
    model = image_model(seed=30)
    clipping_norm = 0.05
    strategy = DifferentialPrivacyServerSideFixedClipping(
        federated.server_strategy(model=model, min_clients=3),
        noise_multiplier=0.0,
        clipping_norm=clipping_norm,
        num_sampled_clients=3,
    )
    start = _flat(model.get_weights())
    manager = client_manager(model, small_documents, [8, 16, 24])
    sent, _, aggregated, _ = fit_round(strategy, manager, strategy.strategy.initial_parameters)
    expected = 0.0
    for arrays, count in sent:  # each client's update clipped to the norm, then FedAvg
        update = _flat(arrays) - start
        assert np.linalg.norm(update) > clipping_norm
        expected = expected + count * update * clipping_norm / np.linalg.norm(update)
    expected /= sum(count for _, count in sent)
    update = _flat(aggregated) - start
    np.testing.assert_allclose(update, expected, atol=1e-6)
    assert np.linalg.norm(update) <= clipping_norm * (1 + 1e-5)


def test_local_dp_mod_clips_the_client_update():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(8, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]])).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, use_bias=False)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    client = federated.FlowerClient(model, (x, y), (x, y), epochs=2, batch_size=8)
    clipping_norm = 0.1
    # Sensitivity 0 adds no noise, so the mod's effect is the clipping alone.
    mod = LocalDpMod(clipping_norm=clipping_norm, sensitivity=0.0, epsilon=1.0, delta=1e-5)
    app = ClientApp(client_fn=lambda context: client.to_client(), mods=[mod])

    start = np.zeros((3, 1), "float32")
    (sent,), count = run_client_app(app, [start])
    assert count == 8

    w = start.astype("float64")
    for _ in range(2):  # the client's own update: full-batch SGD on the mean squared error
        w = w - 0.1 * 2.0 / len(x) * x.T @ (x @ w - y)
    assert np.linalg.norm(w) > clipping_norm
    np.testing.assert_allclose(sent, w * clipping_norm / np.linalg.norm(w), rtol=1e-5)
