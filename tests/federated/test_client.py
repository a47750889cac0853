"""FlowerClient: fit and evaluate against NumPy, FedProx's gradient, and bad input."""

import keras
import numpy as np
import pytest

from finvision import federated
from tests.federated.conftest import clone_of, image_model


@pytest.fixture(scope="module")
def model():
    return image_model(seed=4)


@pytest.fixture(scope="module")
def client(model, small_documents):
    return federated.FlowerClient(model, small_documents, small_documents, batch_size=16)


def test_fit_reports_shard_size_and_last_epoch_metrics(client, small_documents):
    start = client.get_parameters({})
    parameters, count, metrics = client.fit(start, {"local_epochs": 2})
    assert count == len(small_documents[0]) == 48 and type(count) is int
    assert sorted(metrics) == ["accuracy", "loss"]
    assert all(type(value) is float for value in metrics.values())
    assert len(parameters) == len(start)
    assert any(not np.array_equal(a, b) for a, b in zip(parameters, start, strict=True))
    assert client.model.optimizer.iterations.numpy() == 2 * 3  # 2 epochs of 48 / 16 steps


def test_evaluate_scores_the_received_parameters(client, small_documents):
    parameters = client.get_parameters({})
    other = clone_of(client.model, seed=5)
    client.model.set_weights(image_model(seed=6).get_weights())  # evaluate must overwrite
    loss, count, metrics = client.evaluate(parameters, {})
    x, y = small_documents
    probabilities = keras.ops.convert_to_numpy(other(x, training=False))
    expected_loss = -np.mean(np.log(probabilities[np.arange(len(y)), y]))
    assert count == 48 and type(loss) is float
    np.testing.assert_allclose(loss, expected_loss, rtol=1e-4)
    np.testing.assert_allclose(metrics["accuracy"], np.mean(probabilities.argmax(1) == y))


def _linear(learning_rate: float) -> keras.Model:
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, use_bias=False)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate), loss="mse")
    return model


def _sgd(w, x, y, learning_rate, steps, mu, anchor):
    """Full-batch SGD on mean squared error plus (mu / 2) * ||w - anchor||^2, by hand."""
    for _ in range(steps):
        gradient = 2.0 / len(x) * x.T @ (x @ w - y) + mu * (w - anchor)
        w = w - learning_rate * gradient
    return w


def test_proximal_term_has_the_fedprox_gradient():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]]) + 0.1).astype("float32")
    learning_rate, mu = 0.1, 2.0
    model = _linear(learning_rate)
    client = federated.FlowerClient(model, (x, y), (x, y), epochs=3, batch_size=8)
    start = [np.array([[0.3], [0.2], [-0.1]], "float32")]
    anchor = start[0].astype("float64")

    plain_steps = _sgd(anchor, x, y, learning_rate, steps=3, mu=0.0, anchor=anchor)
    proximal_steps = _sgd(anchor, x, y, learning_rate, steps=3, mu=mu, anchor=anchor)
    assert np.abs(proximal_steps - plain_steps).max() > 1e-3  # the term changes the steps

    # Plain, proximal, plain again: each fit traces the loss it needs.
    for config, expected in [({}, plain_steps), ({"proximal_mu": mu}, proximal_steps)] * 2:
        (weights,), _, _ = client.fit(start, config)
        np.testing.assert_allclose(weights, expected, rtol=1e-5)
    assert all(variable.regularizer is None for variable in model.trainable_weights)


def test_proximal_term_keeps_a_weight_regularizer():
    model = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(1, kernel_regularizer=keras.regularizers.L2(0.5))]
    )
    kernel = model.layers[0].kernel
    with federated.proximal_term(model, 4.0):
        kernel.assign(kernel + 1.0)
        penalties = [float(loss) for loss in model.losses]
    expected_l2 = 0.5 * float(np.sum(kernel.numpy() ** 2))
    np.testing.assert_allclose(sorted(penalties), sorted([expected_l2 + 4.0, 0.0]), rtol=1e-6)
    assert model.layers[0].kernel.regularizer.__class__ is keras.regularizers.L2


def _distance(parameters, start, model) -> float:
    trainable = {id(v) for v in model.trainable_weights}
    return float(
        np.sqrt(
            sum(
                np.sum((a - b) ** 2)
                for a, b, v in zip(parameters, start, model.weights, strict=True)
                if id(v) in trainable
            )
        )
    )


def test_large_mu_stays_closer_to_the_global_weights(small_documents):
    start = image_model(seed=7).get_weights()
    distances = {}
    for mu in (0.0, 5.0):
        model = image_model(seed=7)
        client = federated.FlowerClient(model, small_documents, small_documents, batch_size=8)
        parameters, _, _ = client.fit(start, {"proximal_mu": mu, "local_epochs": 2})
        distances[mu] = _distance(parameters, start, model)
    assert distances[5.0] < 0.5 * distances[0.0], distances


def test_model_checks(small_documents):
    with pytest.raises(TypeError, match=r"`model` must be a keras.Model; received str\."):
        federated.FlowerClient("resnet18", small_documents, small_documents)
    unbuilt = keras.Sequential([keras.layers.Dense(2)])
    unbuilt.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"`model` has no weights yet.*unbuilt Sequential"):
        federated.FlowerClient(unbuilt, small_documents, small_documents)
    uncompiled = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match=r"`model` must be compiled.*uncompiled Sequential"):
        federated.FlowerClient(uncompiled, small_documents, small_documents)


@pytest.mark.parametrize(
    ("train_data", "error", "message"),
    [
        ("images", TypeError, r"`train_data` must be a pair \(x, y\) of arrays; received str\."),
        ((np.zeros((2, 4)),), TypeError, r"received tuple of length 1\."),
        (
            (np.zeros((0, 4)), np.zeros(0)),
            ValueError,
            r"`train_data` is empty: a client needs at least one example; received images of "
            r"shape \(0, 4\)\.",
        ),
        (
            (np.zeros((3, 4)), np.zeros(2)),
            ValueError,
            r"`train_data` must hold as many labels as images; received 3 images and labels "
            r"of shape \(2,\)\.",
        ),
    ],
)
def test_shard_checks(train_data, error, message):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(error, match=message):
        federated.FlowerClient(model, train_data, (np.zeros((1, 4)), np.zeros(1)))
    with pytest.raises(error, match=message.replace("train_data", "validation_data")):
        federated.FlowerClient(model, (np.zeros((1, 4)), np.zeros(1)), train_data)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"epochs": 0}, r"`epochs` must be an integer >= 1; received 0\."),
        ({"batch_size": 2.5}, r"`batch_size` must be an integer >= 1; received 2\.5\."),
        ({"exchange": "delta"}, r"`exchange` must be one of \('all', 'trainable'\); received"),
    ],
)
def test_option_checks(options, message, small_documents):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=message):
        federated.FlowerClient(model, small_documents, small_documents, **options)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"local_epochs": 0}, r"`local_epochs` must be an integer >= 1; received 0\."),
        ({"proximal_mu": -0.5}, r"`proximal_mu` must be a finite number >= 0; received -0\.5\."),
        ({"proximal_mu": float("nan")}, r"`proximal_mu` must be a finite number >= 0"),
    ],
)
def test_server_config_checks(config, message, client):
    with pytest.raises(ValueError, match=message):
        client.fit(client.get_parameters({}), config)


def test_parameters_that_do_not_fit_the_model(client):
    parameters = client.get_parameters({})
    with pytest.raises(ValueError, match=r"must hold 10 arrays .* received 2\."):
        client.fit(parameters[:2], {})
    parameters[-2] = np.zeros((16, 4), "float32")
    path = client.model.weights[-2].path
    with pytest.raises(ValueError, match=rf"weight 8 '{path}': the model has shape \(16, 3\)"):
        client.evaluate(parameters, {})
