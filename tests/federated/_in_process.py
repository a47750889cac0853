"""FlowerClients driven in this process: as a server sees them, and inside a ClientApp."""

import time

from flwr.common import (
    Context,
    FitIns,
    Message,
    MessageType,
    Metadata,
    RecordDict,
    ndarrays_to_parameters,
    parameters_to_ndarrays,
)
from flwr.server import SimpleClientManager
from flwr.server.client_proxy import ClientProxy

from finvision import federated
from tests.federated.conftest import clone_of, split

try:  # Flower 1.41 keeps the legacy message conversions in flwr.compat, 1.30 in flwr.common
    from flwr.compat.common.recorddict_compat import fitins_to_recorddict, recorddict_to_fitres
except ImportError:
    from flwr.common.recorddict_compat import fitins_to_recorddict, recorddict_to_fitres


class InProcessProxy(ClientProxy):
    """Hands the server's instructions straight to a FlowerClient in this process."""

    def __init__(self, cid: str, client: federated.FlowerClient):
        super().__init__(cid)
        self.client = client.to_client()

    def fit(self, ins, timeout, group_id):
        return self.client.fit(ins)

    def evaluate(self, ins, timeout, group_id):
        return self.client.evaluate(ins)

    def get_properties(self, ins, timeout, group_id):
        raise NotImplementedError

    def get_parameters(self, ins, timeout, group_id):
        raise NotImplementedError

    def reconnect(self, ins, timeout, group_id):
        raise NotImplementedError


def client_manager(model, data, sizes) -> SimpleClientManager:
    """A client manager holding one FlowerClient (a copy of ``model``) per shard of ``data``."""
    manager = SimpleClientManager()
    for index, shard in enumerate(split(data, sizes)):
        client = federated.FlowerClient(clone_of(model), shard, shard, batch_size=8)
        manager.register(InProcessProxy(str(index), client))
    return manager


def fit_round(strategy, manager, parameters, server_round=1):
    """One training round as Flower's server runs it: configure, fit, aggregate.

    Returns the (parameters, count) each client sent, their metrics, and the
    aggregated parameters and metrics.
    """
    instructions = strategy.configure_fit(server_round, parameters, manager)
    results = [(proxy, proxy.fit(ins, None, None)) for proxy, ins in instructions]
    sent = [(parameters_to_ndarrays(res.parameters), res.num_examples) for _, res in results]
    metrics = [(res.num_examples, res.metrics) for _, res in results]
    aggregated, aggregated_metrics = strategy.aggregate_fit(server_round, results, [])
    return sent, metrics, parameters_to_ndarrays(aggregated), aggregated_metrics


def run_client_app(app, parameters, config=None) -> tuple[list, int]:
    """Runs a ClientApp on one training instruction, as a SuperNode hands it over.

    Returns the parameters and the number of examples of the reply.
    """
    fit_ins = FitIns(ndarrays_to_parameters(parameters), config or {})
    # Metadata set as a SuperLink sets it, so building the message needs no Flower process.
    metadata = Metadata(1, "instruction", 0, 1, "", "1", time.time(), 60.0, MessageType.TRAIN)
    message = Message(content=fitins_to_recorddict(fit_ins, keep_input=True), metadata=metadata)
    reply = app(message, Context(1, 0, {}, RecordDict(), {}))
    fit_res = recorddict_to_fitres(reply.content, keep_input=False)
    return parameters_to_ndarrays(fit_res.parameters), fit_res.num_examples
