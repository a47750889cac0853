"""Deprecated: moved to :mod:`finvision.documents.alphabets`, which needs no Keras.

Importing this module still works and gives the same objects, with a
``DeprecationWarning``; it will be removed in finvision 0.3. The names stay
exported by :mod:`finvision.models` itself.

Example:
>>> import warnings
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore", DeprecationWarning)
...     from finvision.models import alphabets
>>> from finvision.documents import alphabets as moved
>>> alphabets.__all__ == moved.__all__
True
"""

from finvision._deprecation import warn_moved
from finvision.documents.alphabets import *  # noqa: F403
from finvision.documents.alphabets import __all__  # noqa: F401

warn_moved("finvision.models.alphabets", "finvision.documents.alphabets")
