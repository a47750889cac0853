"""What every task model shares: presets, and a ``predict`` that refuses empty input."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TypeVar

from finvision.models.presets import load_preset, save_preset

TaskModel = TypeVar("TaskModel", bound="PresetMixin")


class PresetMixin:
    """Adds ``save_preset`` and ``from_preset`` to a ``keras.Model`` subclass.

    Task models (``ImageClassifier`` and the others) inherit it before
    ``keras.Model``; ``from_preset`` checks that the preset holds the class it
    is called on, and ``predict`` refuses an input with no samples (Keras fails
    there with an ``UnboundLocalError``).
    """

    def predict(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        """``keras.Model.predict``, after checking that ``x`` holds a sample.

        Args:
            x: the input, as for ``keras.Model.predict``.
            *args: passed on to ``keras.Model.predict``.
            **kwargs: passed on to ``keras.Model.predict``.

        Returns:
            The predictions.

        Raises:
            ValueError: if ``x`` is an array (or a dict of arrays) with no
                samples, or a dataset known to be empty.

        Example:
        >>> import numpy as np
        >>> from finvision.models import ImageClassifier, create_backbone
        >>> classifier = ImageClassifier(create_backbone("resnet18", input_shape=(32, 32, 3)), 2)
        >>> classifier.predict(np.zeros((0, 32, 32, 3), "uint8"))
        Traceback (most recent call last):
        ...
        ValueError: `x` holds no samples: received shape (0, 32, 32, 3); pass at least one.
        """
        arrays = x.values() if isinstance(x, dict) else [x]
        for array in arrays:
            shape = getattr(array, "shape", None)
            if shape is not None and len(shape) and shape[0] == 0:
                raise ValueError(
                    f"`x` holds no samples: received shape {tuple(shape)}; pass at least one."
                )
        if hasattr(x, "cardinality") and int(x.cardinality()) == 0:
            raise ValueError("`x` is a dataset with no batches; pass at least one sample.")
        return super().predict(x, *args, **kwargs)  # type: ignore[misc]

    def save_preset(self, directory: str | os.PathLike, *, overwrite: bool = False) -> Path:
        """Writes this model, head included, as a preset directory.

        Args:
            directory: the directory to write (see
                :func:`finvision.models.save_preset`).
            overwrite: replace the preset files of an existing preset there.

        Returns:
            The preset directory.

        Example:
        >>> import tempfile
        >>> from finvision.models import ImageClassifier, create_backbone
        >>> classifier = ImageClassifier(create_backbone("resnet18", input_shape=(32, 32, 1)), 2)
        >>> path = classifier.save_preset(tempfile.mkdtemp() + "/cheque-vs-other")
        >>> ImageClassifier.from_preset(path).num_classes
        2
        """
        return save_preset(self, directory, overwrite=overwrite)

    @classmethod
    def from_preset(
        cls: type[TaskModel], directory: str | os.PathLike, *, sha256: str | None = None
    ) -> TaskModel:
        """Reloads a model saved with :meth:`save_preset`, with no network.

        Args:
            directory: a preset directory holding a model of this class.
            sha256: the :func:`~finvision.models.preset_digest` the preset
                must have (see :func:`finvision.models.read_preset`); None
                trusts the digests recorded in the preset.

        Returns:
            The model with its weights.

        Raises:
            FileNotFoundError: if the directory does not exist.
            TypeError: if the preset holds another kind of model.
            ValueError: if the preset differs from the ``sha256`` pin or from
                the digests it records.

        Example:
        >>> from finvision.models import ImageClassifier
        >>> ImageClassifier.from_preset("/no/such/preset")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        FileNotFoundError: Preset directory '/no/such/preset' does not exist...
        """
        model: Any = load_preset(directory, sha256=sha256)
        if not isinstance(model, cls):
            raise TypeError(
                f"Preset {str(directory)!r} holds a {type(model).__name__}; "
                f"{cls.__name__}.from_preset() reads {cls.__name__} presets only. "
                "Load it with finvision.models.load_preset()."
            )
        return model
