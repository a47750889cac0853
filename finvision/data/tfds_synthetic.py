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

from finvision._deprecation import warn_moved
from finvision.data.tfds.synthetic import *  # noqa: F403
from finvision.data.tfds.synthetic import __all__  # noqa: F401

warn_moved(
    "finvision.data.tfds_synthetic",
    "finvision.data.tfds.synthetic",
    "or import the builders from finvision.data.tfds",
)
