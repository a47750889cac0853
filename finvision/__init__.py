"""finvision: Keras 3 computer-vision models for banking and finance.

Submodules load on first use, so ``import finvision`` stays cheap and silent:
it imports neither Keras nor TensorFlow until a submodule is touched.

Example:
>>> import finvision
>>> finvision.__version__
'0.1.0'
"""

import importlib
from types import ModuleType

__version__ = "0.1.0"

_SUBMODULES = (
    "callbacks",
    "data",
    "export",
    "federated",
    "generative",
    "losses",
    "metrics",
    "models",
    "preprocessing",
    "transfer",
)

__all__ = ["__version__", *_SUBMODULES]


def __getattr__(name: str) -> ModuleType:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'finvision' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
