"""A real Flower server and three clients on 127.0.0.1, each with a disjoint shard,
against the same model trained centrally."""

import time

import pytest

from finvision import federated
from tests.federated._loopback import run_federation
from tests.federated.conftest import clone_of, documents, image_model, split

ROUNDS, LOCAL_EPOCHS, BATCH = 3, 2, 16


@pytest.mark.slow
def test_federated_accuracy_is_within_two_points_of_central(monkeypatch):
    train, test = documents(360, seed=1), documents(300, seed=2)
    shards = split(train, [60, 120, 180])
    initial = image_model(seed=0)

    central = clone_of(initial)
    central.fit(*train, epochs=ROUNDS * LOCAL_EPOCHS, batch_size=BATCH, verbose=0)
    central_accuracy = central.evaluate(*test, verbose=0, return_dict=True)["accuracy"]

    server_model = clone_of(initial)
    clients = [
        federated.FlowerClient(clone_of(initial), shard, shard, batch_size=BATCH)
        for shard in shards
    ]
    strategy = federated.server_strategy(
        model=server_model,
        min_clients=3,
        local_epochs=LOCAL_EPOCHS,
        fraction_evaluate=0.0,
        evaluate_data=test,
    )
    started = time.perf_counter()
    history = run_federation(strategy, clients, ROUNDS, monkeypatch)
    seconds = time.perf_counter() - started
    federated_accuracy = server_model.evaluate(*test, verbose=0, return_dict=True)["accuracy"]
    assert history.metrics_centralized["accuracy"][-1] == (
        ROUNDS,
        pytest.approx(federated_accuracy),
    )
    print(f"central {central_accuracy:.4f} federated {federated_accuracy:.4f} ({seconds:.1f} s)")
    assert central_accuracy > 0.9  # the task is learnt, so the comparison means something
    assert abs(federated_accuracy - central_accuracy) <= 0.02
