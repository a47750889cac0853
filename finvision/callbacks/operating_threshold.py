"""Deprecated: moved to :mod:`finvision.models.operating_threshold`, beside the models.

Importing this module still works and gives the same objects, with a
``DeprecationWarning``; it will be removed in finvision 0.3. The names stay
exported by :mod:`finvision.callbacks` and :mod:`finvision.models`.

Example:
>>> import warnings
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore", DeprecationWarning)
...     from finvision.callbacks import operating_threshold
>>> from finvision import models
>>> operating_threshold.OperatingThreshold is models.OperatingThreshold
True
"""

from finvision._deprecation import warn_moved
from finvision.models.operating_threshold import (  # noqa: F401
    OperatingThreshold,
    find_operating_threshold,
    get_operating_threshold,
)

warn_moved("finvision.callbacks.operating_threshold", "finvision.models.operating_threshold")
