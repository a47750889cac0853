"""Deprecated: the synthetic sets' TFDS builders moved to :mod:`finvision.data.tfds.synthetic`.

Importing this module still works and gives the same objects, with a
``DeprecationWarning``; it will be removed in finvision 0.3.

Example:
>>> import warnings
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore", DeprecationWarning)
...     from finvision.data import tfds_synthetic
>>> from finvision.data.tfds import synthetic
>>> tfds_synthetic.split_seed is synthetic.split_seed
True
"""

import warnings

from finvision.data.tfds.synthetic import *  # noqa: F403
from finvision.data.tfds.synthetic import __all__  # noqa: F401

warnings.warn(
    "finvision.data.tfds_synthetic moved to finvision.data.tfds.synthetic (or import the "
    "builders from finvision.data.tfds); the old name will be removed in finvision 0.3.",
    DeprecationWarning,
    stacklevel=2,
)
