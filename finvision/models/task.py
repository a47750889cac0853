"""``Task``: what every task model shares.

A task model is a functional ``keras.Model`` that owns a ``backbone``. The base
class gives it the config round trip (the backbone serialized inside; a frozen
model comes back frozen), presets, a ``predict`` that refuses empty input and
the serving hook that :mod:`finvision.export` calls without knowing the class.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import keras

from finvision.models.presets import load_preset, save_preset

Rebuilt = TypeVar("Rebuilt", bound=keras.layers.Layer)
TaskModel = TypeVar("TaskModel", bound="Task")


def from_config_keeping_frozen(cls: type[Rebuilt], config: dict[str, Any]) -> Rebuilt:
    """Builds ``cls(**config)``; a model saved frozen comes back frozen.

    ``trainable=True`` is not passed to the constructor: Keras sets it on every
    sublayer on some backends (JAX), which would unfreeze the layers a
    backbone's config keeps frozen. ``trainable=False`` freezes the whole model,
    as saved.

    Example:
    >>> from_config_keeping_frozen(keras.layers.Dense, {"units": 2, "trainable": False}).trainable
    False
    """
    config = dict(config)
    trainable = config.pop("trainable", True)
    model = cls(**config)
    if not trainable:
        model.trainable = False
    return model


class Task(keras.Model):
    """The base of every task model: config, presets and the serving hook.

    A subclass builds its layers and its functional graph in ``__init__``,
    ends with ``super().__init__(inputs=..., outputs=..., **kwargs)``, keeps
    its constructor arguments as attributes and returns them from
    ``get_config`` as ``{**super().get_config(), "units": self.units, ...}``.
    ``from_config`` needs no override: it rebuilds the backbone and calls the
    constructor. To change what an export returns, override
    :meth:`serving_outputs` (and :meth:`serving_vocabularies` for outputs
    that are read as text).

    Example:
    >>> import numpy as np
    >>> from finvision.models import create_backbone
    >>> @keras.saving.register_keras_serializable(package="demo")
    ... class Embedder(Task):
    ...     def __init__(self, backbone, units=4, **kwargs):
    ...         self.backbone = backbone
    ...         images = keras.Input(backbone.input_shape[1:])
    ...         pooled = keras.layers.GlobalAveragePooling2D()(backbone(images))
    ...         super().__init__(images, keras.layers.Dense(units)(pooled), **kwargs)
    ...         self.units = units
    ...     def get_config(self):
    ...         return {**super().get_config(), "units": self.units}
    >>> model = Embedder(create_backbone("resnet18", input_shape=(32, 32, 3)), units=3)
    >>> Embedder.from_config(model.get_config()).units
    3
    >>> sorted(model.serving_outputs(np.zeros((1, 32, 32, 3), "float32")))
    ['probabilities']
    """

    backbone: keras.Model

    def get_config(self) -> dict[str, Any]:
        """The entries every task config has: ``name``, ``trainable`` and ``backbone``.

        Example:
        >>> from finvision.models import ImageClassifier, create_backbone
        >>> model = ImageClassifier(create_backbone("resnet18", input_shape=(32, 32, 3)), 2)
        >>> sorted(Task.get_config(model))
        ['backbone', 'name', 'trainable']
        """
        return {
            "name": self.name,
            "trainable": self.trainable,
            "backbone": keras.saving.serialize_keras_object(self.backbone),
        }

    @classmethod
    def from_config(cls: type[TaskModel], config: dict[str, Any]) -> TaskModel:
        """Rebuilds the model from its config, the backbone first.

        Frozen models and layers stay frozen (see
        :func:`from_config_keeping_frozen`).

        Example:
        >>> from finvision.models import ImageClassifier, create_backbone
        >>> model = ImageClassifier(create_backbone("resnet18", input_shape=(32, 32, 3)), 2)
        >>> ImageClassifier.from_config(model.get_config()).num_classes
        2
        """
        config = dict(config)
        config["backbone"] = keras.saving.deserialize_keras_object(config["backbone"])
        return from_config_keeping_frozen(cls, config)

    def serving_outputs(self, images: Any) -> dict[str, Any]:
        """What an exported model returns for a batch of raw pixels, by output name.

        :mod:`finvision.export` calls this inside every exported graph
        (SavedModel, TFLite, ONNX). The first entry is the one
        :func:`finvision.export.compare` measures; an entry named
        ``"probabilities"`` of shape ``(N, K)`` also gets the exports'
        ``labels`` (and ``decision``, with an operating threshold). The
        default returns the model's outputs: a dict output as it is, a single
        tensor as ``"probabilities"``.

        Args:
            images: float32 raw pixels ``(N, H, W, C)`` in [0, 255].

        Returns:
            A dict of tensors, each with the batch as its first axis.

        Example:
        >>> import numpy as np
        >>> from finvision.models import TamperSegmenter, create_backbone
        >>> segmenter = TamperSegmenter(create_backbone("resnet18", input_shape=(32, 32, 3)))
        >>> outputs = segmenter.serving_outputs(np.zeros((2, 32, 32, 3), "float32"))
        >>> {name: tuple(value.shape) for name, value in outputs.items()}
        {'score': (2, 1), 'mask': (2, 32, 32, 1)}
        """
        outputs = self(images, training=False)
        return dict(outputs) if isinstance(outputs, dict) else {"probabilities": outputs}

    def serving_vocabularies(self) -> dict[str, Sequence[str]]:
        """Outputs of :meth:`serving_outputs` that a SavedModel spells out as text.

        Each such output holds integer ids ``(N, T)``, ``-1`` where there is
        no character; the SavedModel's signature returns the strings
        ``"".join(vocabulary[id] for id in row if id >= 0)``, shape ``(N,)``.
        TFLite and ONNX keep the ids. None by default.

        Returns:
            A dict from output name to its vocabulary.

        Example:
        >>> from finvision.models import TextLineRecognizer
        >>> TextLineRecognizer("01", height=16, lstm_units=4).serving_vocabularies()
        {'texts': ('0', '1')}
        """
        return {}

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
        return super().predict(x, *args, **kwargs)

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
