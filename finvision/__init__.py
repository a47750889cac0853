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
    "documents",
    "export",
    "federated",
    "generative",
    "losses",
    "metrics",
    "models",
    "preprocessing",
    "transfer",
)

#: The submodules that register Keras-serializable objects under ``finvision>``.
_SERIALIZABLE_SUBMODULES = tuple(
    name for name in _SUBMODULES if name not in ("data", "documents", "export", "federated")
)

__all__ = ["__version__", "register_serializables", *_SUBMODULES]


def register_serializables() -> None:
    """Registers every finvision layer, model, loss and metric with Keras.

    ``import finvision`` stays cheap, so finvision's classes are registered only
    when their submodule is first used. Call this before
    ``keras.saving.load_model`` on a ``.keras`` file that holds finvision
    objects when the process has not used those submodules yet (the
    ``finvision`` command does it for you). Calling it again does nothing.

    Example:
    >>> import finvision
    >>> finvision.register_serializables()
    >>> import keras
    >>> keras.saving.get_registered_object("finvision>ImageClassifier").__name__
    'ImageClassifier'
    """
    for name in _SERIALIZABLE_SUBMODULES:
        importlib.import_module(f"{__name__}.{name}")


def __getattr__(name: str) -> ModuleType:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'finvision' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
