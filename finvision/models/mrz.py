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

import warnings

from finvision.documents.mrz import *  # noqa: F403
from finvision.documents.mrz import __all__  # noqa: F401

warnings.warn(
    "finvision.models.mrz moved to finvision.documents.mrz; the old name will be removed in "
    "finvision 0.3.",
    DeprecationWarning,
    stacklevel=2,
)
