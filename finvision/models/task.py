"""What every task model shares: saving and reloading itself as a preset."""

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
    is called on.
    """

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
