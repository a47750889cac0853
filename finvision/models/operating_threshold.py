"""A pass-through layer that keeps a model's decision threshold in its saved weights."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import keras
from keras import ops

from finvision.metrics.inputs import as_threshold


@keras.saving.register_keras_serializable(package="finvision")
class OperatingThreshold(keras.layers.Layer):
    """Returns its input unchanged and carries the operating threshold of a score.

    Put it on a model's score output so the threshold chosen on validation data
    (by :class:`finvision.callbacks.ThresholdCalibration`, or set by hand with
    ``layer.threshold.assign(t)``) is saved in the ``.keras`` file with the
    weights and comes back on reload. The decision rule is ``score >= threshold``.
    The threshold is a non-trainable float32 scalar, so ``fit`` never changes it
    and ``EarlyStopping(restore_best_weights=True)`` restores it with the weights.

    Args:
        threshold: the initial threshold.
        **kwargs: standard ``keras.layers.Layer`` arguments such as ``name``.

    Example:
    >>> import keras
    >>> inputs = keras.Input((4,))
    >>> scores = keras.layers.Dense(1, activation="sigmoid")(inputs)
    >>> model = keras.Model(inputs, OperatingThreshold(0.7)(scores))
    >>> get_operating_threshold(model)
    0.699999988079071
    """

    def __init__(self, threshold: float = 0.5, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.threshold = self.add_weight(
            shape=(),
            initializer=keras.initializers.Constant(as_threshold(threshold)),
            dtype="float32",
            trainable=False,
            name="threshold",
        )

    def call(self, inputs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def decide(self, scores: Any) -> Any:
        """Accept/reject decisions: ``scores >= threshold``.

        Args:
            scores: scores of any shape, e.g. ``model.predict(x)``.

        Returns:
            A boolean tensor of the same shape.

        Example:
        >>> layer = OperatingThreshold(0.5)
        >>> keras.ops.convert_to_numpy(layer.decide([0.2, 0.5, 0.9])).tolist()
        [False, True, True]
        """
        return ops.greater_equal(ops.cast(scores, "float32"), self.threshold)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(threshold=float(ops.convert_to_numpy(self.threshold)))
        return config


def _sublayers(layer: Any) -> Iterator[Any]:
    for sublayer in getattr(layer, "layers", ()):
        yield sublayer
        yield from _sublayers(sublayer)


def find_operating_threshold(model: keras.Model) -> Any:
    """The variable holding ``model``'s operating threshold, or None.

    Looks for one :class:`OperatingThreshold` layer anywhere in the model
    (nested models included), then for an ``operating_threshold`` attribute
    that is a ``keras.Variable`` (for subclassed models that create one).

    Args:
        model: the model.

    Returns:
        The ``keras.Variable``, or None if the model has no place for a threshold.

    Raises:
        ValueError: if the model has several ``OperatingThreshold`` layers.

    Example:
    >>> import keras
    >>> find_operating_threshold(keras.Sequential([keras.layers.Dense(1)])) is None
    True
    """
    unique = {id(layer): layer for layer in _sublayers(model)}.values()
    layers = [layer for layer in unique if isinstance(layer, OperatingThreshold)]
    if len(layers) > 1:
        raise ValueError(
            f"Model {model.name!r} has {len(layers)} OperatingThreshold layers "
            f"({', '.join(layer.name for layer in layers)}); expected at most one."
        )
    if layers:
        return layers[0].threshold
    variable = getattr(model, "operating_threshold", None)
    return variable if isinstance(variable, keras.Variable) else None


def get_operating_threshold(model: keras.Model) -> float:
    """The operating threshold stored in ``model``.

    Args:
        model: a model with an :class:`OperatingThreshold` layer or an
            ``operating_threshold`` variable.

    Returns:
        The threshold as a float.

    Raises:
        ValueError: if the model stores no threshold.

    Example:
    >>> import keras
    >>> model = keras.Sequential([keras.Input((2,)), OperatingThreshold(0.25)])
    >>> get_operating_threshold(model)
    0.25
    """
    variable = find_operating_threshold(model)
    if variable is None:
        raise ValueError(
            f"Model {model.name!r} stores no operating threshold: add an "
            "`finvision.callbacks.OperatingThreshold` layer on its score output."
        )
    return float(ops.convert_to_numpy(variable))
