"""The code of docs/federated.md runs; its one-machine federation is the real-server
round trip of the normal test run (a real Flower server and three clients on
127.0.0.1, FedProx, two rounds)."""

import sys
import types

import keras
import numpy as np
import pytest

from tests.docs_blocks import python_blocks
from tests.federated._in_process import run_client_app
from tests.federated._loopback import free_port, server_guard
from tests.federated.conftest import image_model

BLOCKS = python_blocks("federated.md")
# The production server and branch scripts block on a remote peer: compiled only.
REMOTE = [code for code in BLOCKS if "server_address=" in code and "HOST" not in code]


def test_one_machine_federation(monkeypatch):
    code = BLOCKS[0]
    assert 'HOST, PORT = "127.0.0.1", 8080' in code and "flwr.server.start_server(" in code
    namespace: dict = {}
    with server_guard(monkeypatch):
        exec(code.replace('"127.0.0.1", 8080', f'"127.0.0.1", {free_port()}'), namespace)
    history, server_model, clients = (namespace[k] for k in ("history", "server_model", "clients"))
    assert [r for r, _ in history.metrics_centralized["accuracy"]] == [0, 1, 2]
    assert not any(branch.is_alive() for branch in namespace["branches"])
    # The last evaluate round loaded the final global weights into every branch's model,
    # and the strategy loaded them into the server's model.
    final = server_model.get_weights()
    for client in clients:
        for weight, global_weight in zip(client.model.get_weights(), final, strict=True):
            np.testing.assert_array_equal(weight, global_weight)

    def probabilities(x):
        return keras.ops.convert_to_numpy(server_model(x, training=False))

    # Branch accuracies averaged by number of examples = accuracy on their union.
    x = np.concatenate([client.validation_data[0] for client in clients])
    y = np.concatenate([client.validation_data[1] for client in clients])
    _, distributed = history.metrics_distributed["accuracy"][-1]
    np.testing.assert_allclose(distributed, np.mean(probabilities(x).argmax(1) == y), atol=1e-6)
    x, y = namespace["held_out"]
    _, loss = history.losses_centralized[-1]
    expected = -np.mean(np.log(probabilities(x)[np.arange(len(y)), y]))
    np.testing.assert_allclose(loss, expected, rtol=1e-4)


@pytest.fixture
def my_bank(monkeypatch, small_documents):
    """The `my_bank` modules the deployment examples import, with a small model and data."""
    package, models, data = (types.ModuleType(f"my_bank{s}") for s in ("", ".models", ".data"))
    models.make_model = image_model
    data.load_branch_images = lambda: (small_documents, small_documents)
    for module in (package, models, data):
        monkeypatch.setitem(sys.modules, module.__name__, module)


def test_other_examples_run(my_bank):
    namespace: dict = {}
    for code in BLOCKS[1:]:
        if code in REMOTE:
            compile(code, "federated.md", "exec")
        else:
            exec(code, namespace)
    assert len(REMOTE) == 2
    assert callable(namespace["make_classifier"])  # downloads weights when called
    assert type(namespace["strategy"]).__name__ == "DifferentialPrivacyServerSideFixedClipping"
    parameters = image_model(seed=40).get_weights()
    sent, count = run_client_app(namespace["client_app"], parameters, {"local_epochs": 1})
    assert count == 48 and len(sent) == len(parameters)
    assert callable(namespace["secure_client_app"]) and callable(namespace["main"])
    components = namespace["server_fn"](None)
    assert type(components.strategy).__name__ == "FedAvg"
    assert components.config.num_rounds == 10
