"""Flower, the ``federated`` extra: imported here once, with an error that says how to install it.

Example:
>>> NumPyClient.__name__, FedAvg.__name__, FedProx.__name__
('NumPyClient', 'FedAvg', 'FedProx')
"""

from __future__ import annotations

import warnings

try:
    with warnings.catch_warnings():
        # Flower's command-line dependency typer imports click helpers that click 8.3
        # deprecates; nothing a finvision user can act on.
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="typer")
        from flwr.client import NumPyClient
        from flwr.common import ndarrays_to_parameters
        from flwr.server.strategy import FedAvg, FedProx
except ImportError as error:
    raise ImportError(
        'finvision.federated needs Flower (flwr): pip install "finvision[federated]"'
    ) from error

__all__ = ["FedAvg", "FedProx", "NumPyClient", "ndarrays_to_parameters"]
