"""Federated fine-tuning on Flower: branches train locally, only weights travel.

Banks cannot pool customer images across branches or institutions. Each branch
runs a :class:`FlowerClient` around its own compiled Keras model and image
shard; a Flower server runs the strategy from :func:`server_strategy` (FedAvg or
FedProx) and averages the weights the branches send, weighted by their number of
training examples. Images, labels and optimizer state never leave a branch.

Needs the ``federated`` extra: ``pip install "finvision[federated]"`` (Flower).

- :class:`FlowerClient`: a Flower ``NumPyClient`` around a compiled model, with
  the FedProx proximal term when the server asks for it.
- :func:`server_strategy`: a configured ``FedAvg`` or ``FedProx`` with
  weighted metric aggregation and optional server-side evaluation.
- :mod:`~finvision.federated.weights`: which weights travel
  (``exchange="all"`` or ``"trainable"``) and the checks on what comes back.
- :func:`~finvision.federated.proximal.proximal_term`: the proximal term itself.

Example:
>>> from finvision import federated
>>> federated.STRATEGIES, federated.EXCHANGES
(('fedavg', 'fedprox'), ('all', 'trainable'))
"""

# Flower first: without the extra, the import fails at once with the install hint.
from finvision.federated import _flower  # noqa: F401
from finvision.federated.client import FlowerClient
from finvision.federated.proximal import proximal_term
from finvision.federated.strategy import (
    DEFAULT_PROXIMAL_MU,
    STRATEGIES,
    server_strategy,
    weighted_average,
)
from finvision.federated.weights import (
    EXCHANGES,
    exchanged_weights,
    load_parameters,
    model_parameters,
)

__all__ = [
    "DEFAULT_PROXIMAL_MU",
    "EXCHANGES",
    "STRATEGIES",
    "FlowerClient",
    "exchanged_weights",
    "load_parameters",
    "model_parameters",
    "proximal_term",
    "server_strategy",
    "weighted_average",
]
