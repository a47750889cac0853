"""Deprecated: moved to :mod:`finvision.documents.mrz`, which needs no Keras.

Importing this module still works and gives the same objects, with a
``DeprecationWarning``; it will be removed in finvision 0.3. The names stay
exported by :mod:`finvision.models` itself.

Example:
>>> import warnings
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore", DeprecationWarning)
...     from finvision.models import mrz
>>> from finvision.documents import mrz as moved
>>> mrz.__all__ == moved.__all__
True
"""

from finvision._deprecation import warn_moved
from finvision.documents.mrz import *  # noqa: F403
from finvision.documents.mrz import __all__  # noqa: F401

warn_moved("finvision.models.mrz", "finvision.documents.mrz")
