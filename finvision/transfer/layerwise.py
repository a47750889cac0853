"""Per-variable learning-rate multipliers for any Keras optimizer.

:func:`with_lr_multipliers` turns an optimizer into an instance of a subclass
that multiplies the learning rate of chosen variables, keyed by
``variable.path``. The subclass is the optimizer's own class with
:class:`LayerwiseLearningRateMixin` in front, so everything else (momentum,
Adam moments, schedules, distribution, saving) is the optimizer's own code.
These subclasses are registered as ``finvision>Layerwise<Name>``; those of the
built-in Keras optimizers are registered on import, so compiled models reload
from ``.keras`` files.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import keras

_LAYERWISE_CLASSES: dict[type, type] = {}
# Optimizers that hand every update to inner optimizers: their own update_step
# never runs, so multipliers set on them would be silently ignored.
_DELEGATING_OPTIMIZERS = ("LossScaleOptimizer", "MultiOptimizer")


class LayerwiseLearningRateMixin:
    """Scales each variable's learning rate by its multiplier.

    Put in front of a Keras optimizer class (see :func:`with_lr_multipliers`).
    Variables without a multiplier use the plain learning rate (schedules
    included). The gradient step of every optimizer is scaled; decoupled weight
    decay (``weight_decay=``) keeps the base learning rate.

    Args:
        *args: the optimizer's own arguments.
        lr_multipliers: ``{variable.path: multiplier}``.
        **kwargs: the optimizer's own keyword arguments.

    Example:
    >>> import keras
    >>> optimizer = with_lr_multipliers(keras.optimizers.SGD(0.1), {"dense/kernel": 0.5})
    >>> isinstance(optimizer, LayerwiseLearningRateMixin), type(optimizer).__name__
    (True, 'LayerwiseSGD')
    """

    base_optimizer_class: type

    def __init__(
        self, *args: Any, lr_multipliers: Mapping[str, float] | None = None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.lr_multipliers = {str(path): float(m) for path, m in (lr_multipliers or {}).items()}

    def build(self, variables: list[Any]) -> None:
        super().build(variables)
        # Backends may hand update_step the native variable, so look up by index.
        self._multiplier_by_index = [self.lr_multipliers.get(v.path, 1.0) for v in variables]

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> Any:
        multiplier = self._multiplier_by_index[self._get_variable_index(variable)]
        if multiplier != 1.0:
            learning_rate = learning_rate * multiplier
        return super().update_step(gradient, variable, learning_rate)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["lr_multipliers"] = dict(self.lr_multipliers)
        return config


def layerwise_class(base: type) -> type:
    """Returns (creating and registering once) the layer-wise subclass of ``base``.

    Args:
        base: a ``keras.optimizers.Optimizer`` subclass.

    Returns:
        The class ``Layerwise<base name>``.

    Raises:
        TypeError: if ``base`` is not a Keras optimizer class, or delegates its
            updates to inner optimizers (``LossScaleOptimizer``,
            ``MultiOptimizer``): wrap the inner optimizers instead.

    Example:
    >>> import keras
    >>> layerwise_class(keras.optimizers.AdamW).__name__
    'LayerwiseAdamW'
    >>> layerwise_class(keras.optimizers.LossScaleOptimizer)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: LossScaleOptimizer delegates its updates to inner optimizers, ...
    """
    if isinstance(base, type) and issubclass(base, LayerwiseLearningRateMixin):
        return base
    if not (isinstance(base, type) and issubclass(base, keras.optimizers.Optimizer)):
        raise TypeError(f"Expected a keras.optimizers.Optimizer subclass; received {base!r}.")
    if _delegates_updates(base):
        raise TypeError(
            f"{base.__name__} delegates its updates to inner optimizers, which would ignore "
            "learning-rate multipliers set on it: apply with_lr_multipliers (or "
            "layerwise_learning_rates) to the inner optimizers instead."
        )
    if base not in _LAYERWISE_CLASSES:
        subclass = type(
            f"Layerwise{base.__name__}",
            (LayerwiseLearningRateMixin, base),
            {"__module__": __name__, "base_optimizer_class": base},
        )
        _LAYERWISE_CLASSES[base] = keras.saving.register_keras_serializable(package="finvision")(
            subclass
        )
    return _LAYERWISE_CLASSES[base]


def with_lr_multipliers(
    optimizer: keras.optimizers.Optimizer, lr_multipliers: Mapping[str, float]
) -> keras.optimizers.Optimizer:
    """Returns a copy of ``optimizer`` whose variables use scaled learning rates.

    The copy has the optimizer's configuration (learning rate or schedule,
    momentum, clipping, ...) and no state: wrap before compiling.

    Args:
        optimizer: any Keras optimizer (SGD, Adam, AdamW, ...), possibly already
            layer-wise (its multipliers are then replaced).
        lr_multipliers: ``{variable.path: multiplier}``; others use 1.

    Returns:
        A new optimizer of class ``Layerwise<Name>``.

    Raises:
        TypeError: if ``optimizer`` is not a Keras optimizer.
        ValueError: for a negative or non-finite multiplier.

    Example:
    >>> import keras
    >>> optimizer = with_lr_multipliers(keras.optimizers.Adam(1e-3), {"conv/kernel": 0.1})
    >>> optimizer.lr_multipliers
    {'conv/kernel': 0.1}
    """
    if not isinstance(optimizer, keras.optimizers.Optimizer):
        raise TypeError(
            "`optimizer` must be a keras.optimizers.Optimizer; "
            f"received {type(optimizer).__name__}."
        )
    bad = {path: m for path, m in lr_multipliers.items() if not 0.0 <= float(m) < float("inf")}
    if bad:
        raise ValueError(f"Learning-rate multipliers must be finite and >= 0; received {bad}.")
    config = optimizer.get_config()
    config["lr_multipliers"] = dict(lr_multipliers)
    return layerwise_class(type(optimizer)).from_config(config)


def layerwise_learning_rates(
    optimizer: keras.optimizers.Optimizer,
    model: Any,
    decay: float = 0.5,
    *,
    multipliers: Mapping[str, float] | None = None,
) -> keras.optimizers.Optimizer:
    """Wraps an optimizer so deeper backbone stages learn faster than early ones.

    By default level ``P5`` (the last stage) trains at ``lr * decay``, ``P4``
    at ``lr * decay**2``, down to ``P1`` (the stem) at ``lr * decay**5``; the
    task head keeps ``lr``. Explicit ``multipliers`` per level replace that.

    Args:
        optimizer: any Keras optimizer, with a constant or scheduled learning rate.
        model: a task model owning a backbone, or a backbone.
        decay: the factor between consecutive levels, in (0, 1].
        multipliers: explicit ``{"P1": ..., ..., "P5": ...}``; levels not named
            keep multiplier 1.

    Returns:
        A new layer-wise optimizer (see :func:`with_lr_multipliers`).

    Raises:
        ValueError: for a decay outside (0, 1] or an unknown level name.

    Example:
    >>> import keras
    >>> from finvision.models import create_backbone
    >>> backbone = create_backbone("resnet18", input_shape=(32, 32, 3))
    >>> optimizer = layerwise_learning_rates(keras.optimizers.SGD(0.1), backbone, decay=0.5)
    >>> optimizer.lr_multipliers["conv5_block2_2_conv/kernel"]
    0.5
    >>> optimizer.lr_multipliers["conv1_conv/kernel"]
    0.03125
    """
    from finvision.transfer.levels import backbone_of, layer_levels, parse_level

    if multipliers is None:
        is_number = isinstance(decay, int | float) and not isinstance(decay, bool)
        if not (is_number and 0.0 < decay <= 1.0):
            raise ValueError(f"`decay` must be in (0, 1]; received {decay!r}.")
        per_level = {level: decay ** (6 - level) for level in range(1, 6)}
    else:
        per_level = {parse_level(level): float(m) for level, m in multipliers.items()}
    backbone = backbone_of(model)
    levels = layer_levels(backbone)
    lr_multipliers: dict[str, float] = {}
    for layer in backbone.layers:
        for variable in layer.weights:
            multiplier = per_level.get(levels[layer.name], 1.0)
            if variable.path in lr_multipliers:
                raise ValueError(
                    f"Two backbone variables share the path {variable.path!r}; give the "
                    "layers unique names."
                )
            if multiplier != 1.0:
                lr_multipliers[variable.path] = multiplier
    return with_lr_multipliers(optimizer, lr_multipliers)


def _delegates_updates(base: type) -> bool:
    return any(ancestor.__name__ in _DELEGATING_OPTIMIZERS for ancestor in base.__mro__)


def _register_built_in_optimizers() -> None:
    for name in dir(keras.optimizers):
        candidate = getattr(keras.optimizers, name)
        if (
            isinstance(candidate, type)
            and issubclass(candidate, keras.optimizers.Optimizer)
            and candidate is not keras.optimizers.Optimizer
            and not _delegates_updates(candidate)
        ):
            layerwise_class(candidate)


_register_built_in_optimizers()
