"""TensorFlow Datasets builders: in-house folders and manifests, and the synthetic sets.

Importing this module registers its builders with TFDS, so ``tfds.load`` finds
them by name, offline. It needs TensorFlow Datasets, the ``finvision[datasets]``
extra; ``import finvision.data`` does not import it.

- :class:`GeneratedBuilder`: the base. A builder is a small subclass naming its
  ``features()`` and a ``generate(split)`` generator of example dicts; TFDS
  writes them once to TFRecords and serves them from there.
- :class:`FinvisionInHouse`: a bank's own folder or CSV manifest, checked and
  decoded as :func:`finvision.data.from_directory` and
  :func:`finvision.data.from_csv` do, written at its upright stored size.
  Configure it with an :class:`InHouseConfig`.
- The synthetic sets (:mod:`finvision.data.tfds.synthetic`):
  :class:`FinvisionMrzLines`, :class:`FinvisionMicrLines`,
  :class:`FinvisionCheques`, :class:`FinvisionSignatures` and
  :class:`FinvisionTampering`, configured with a :class:`SyntheticConfig`.

The modules import in one direction: ``generated`` (the base), then
``in_house`` and ``synthetic``, which both build on it.
"""

try:
    import tensorflow_datasets  # noqa: F401
except ImportError as error:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "finvision.data.tfds needs TensorFlow Datasets; install it with "
        "`pip install 'finvision[datasets]'`."
    ) from error

from finvision.data.tfds.generated import GeneratedBuilder
from finvision.data.tfds.in_house import FinvisionInHouse, InHouseConfig
from finvision.data.tfds.synthetic import (
    FinvisionCheques,
    FinvisionMicrLines,
    FinvisionMrzLines,
    FinvisionSignatures,
    FinvisionTampering,
    SyntheticBuilder,
    SyntheticConfig,
    split_seed,
)

__all__ = [
    "FinvisionCheques",
    "FinvisionInHouse",
    "FinvisionMicrLines",
    "FinvisionMrzLines",
    "FinvisionSignatures",
    "FinvisionTampering",
    "GeneratedBuilder",
    "InHouseConfig",
    "SyntheticBuilder",
    "SyntheticConfig",
    "split_seed",
]
