"""``finetune``: the two-phase transfer-learning recipe."""

from __future__ import annotations

import contextlib
import dataclasses
import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import keras
import numpy as np

from finvision.transfer.freezing import first_trained_layer, freeze_backbone, unfreeze
from finvision.transfer.layerwise import layerwise_learning_rates
from finvision.transfer.levels import backbone_of

#: ``tf.data.Dataset.cardinality()`` of a dataset whose length only iterating tells.
UNKNOWN_CARDINALITY = -2


@dataclasses.dataclass(frozen=True)
class FineTuneRecipe:
    """Settings of :func:`finetune`; the defaults suit a few thousand images.

    Attributes:
        head_epochs: phase 1 epochs, training the head with the backbone frozen.
        head_learning_rate: phase 1 learning rate (AdamW, constant).
        finetune_epochs: phase 2 epochs, with the top of the backbone unfrozen;
            0 skips phase 2.
        finetune_learning_rate: phase 2 peak learning rate of the head, decayed
            to 0 along a cosine over phase 2.
        unfreeze_from: the first level trained in phase 2 (``"P1"`` to ``"P5"`` or a
            layer name); earlier layers stay frozen.
        layer_decay: phase 2 learning-rate factor between consecutive levels
            (``P5`` at ``lr * decay``, ``P4`` at ``lr * decay**2``, ...).
        keep_batchnorm_frozen: keep BatchNormalization frozen in phase 2. When
            False and the model lives in a ``tf.distribute`` strategy with several
            replicas, the layers that train normalise with the statistics of the
            global batch (synchronised across replicas) during phase 2, as on one
            device.
        bn_momentum: momentum given to BatchNormalization layers that do train in
            phase 2 (``keep_batchnorm_frozen=False``). 0.9 lets their statistics
            follow the new data within a few hundred steps, which the 0.999 of
            Keras' MobileNets does not; None keeps the backbone's own.
        weight_decay: AdamW decoupled weight decay in both phases.
        loss: a Keras loss; None picks (sparse) categorical or binary
            cross-entropy from the classifier's ``num_classes`` and activation.
        metrics: metrics compiled in both phases.
        batch_size: batch size when the data are ``(x, y)`` arrays.
        steps_per_epoch: batches per epoch, for the cosine schedule; None reads
            it from the data (``len`` or a finite ``tf.data`` cardinality).

    Raises:
        ValueError: naming the field, for negative epochs or none at all, a
            batch size below 1, a learning rate that is not positive, a
            ``layer_decay`` outside (0, 1], a ``bn_momentum`` outside [0, 1), a
            negative ``weight_decay`` or ``steps_per_epoch`` below 1.

    Example:
    >>> FineTuneRecipe(head_epochs=1, finetune_epochs=2).unfreeze_from
    'P4'
    """

    head_epochs: int = 3
    head_learning_rate: float = 1e-3
    finetune_epochs: int = 5
    finetune_learning_rate: float = 1e-4
    unfreeze_from: str | int = "P4"
    layer_decay: float = 0.5
    keep_batchnorm_frozen: bool = True
    bn_momentum: float | None = 0.9
    weight_decay: float = 1e-4
    loss: Any = None
    metrics: Sequence[Any] = ("accuracy",)
    batch_size: int = 32
    steps_per_epoch: int | None = None

    def __post_init__(self) -> None:
        counts = {"head_epochs": 0, "finetune_epochs": 0, "batch_size": 1}
        for name, minimum in counts.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                raise ValueError(f"`{name}` must be an int >= {minimum}; received {value!r}.")
        if self.head_epochs + self.finetune_epochs == 0:
            raise ValueError(
                "`head_epochs` + `finetune_epochs` must be at least 1; received 0 and 0: the "
                "recipe would train nothing."
            )
        _check_number("head_learning_rate", self.head_learning_rate, lambda v: v > 0, "> 0")
        _check_number("finetune_learning_rate", self.finetune_learning_rate, lambda v: v > 0, "> 0")
        _check_number("layer_decay", self.layer_decay, lambda v: 0 < v <= 1, "> 0 and <= 1")
        _check_number("weight_decay", self.weight_decay, lambda v: v >= 0, ">= 0")
        if self.bn_momentum is not None:
            _check_number("bn_momentum", self.bn_momentum, lambda v: 0 <= v < 1, ">= 0 and < 1")
        steps = self.steps_per_epoch
        whole = isinstance(steps, int) and not isinstance(steps, bool)
        if steps is not None and not (whole and steps >= 1):
            raise ValueError(f"`steps_per_epoch` must be None or an int >= 1; received {steps!r}.")
        if isinstance(self.unfreeze_from, bool) or not isinstance(self.unfreeze_from, str | int):
            raise ValueError(
                "`unfreeze_from` must be 'P1' to 'P5', 1 to 5 or a layer name; received "
                f"{self.unfreeze_from!r}."
            )


def _check_number(name: str, value: Any, in_range: Callable[[float], bool], expected: str) -> None:
    """Raises a ValueError naming ``name`` unless ``value`` is a finite number in range."""
    number = not isinstance(value, bool) and isinstance(value, int | float)
    if not (number and math.isfinite(value) and in_range(value)):
        raise ValueError(f"`{name}` must be a number {expected}; received {value!r}.")


def finetune(
    model: keras.Model,
    train_data: Any,
    validation_data: Any = None,
    *,
    recipe: FineTuneRecipe | None = None,
    callbacks: Sequence[keras.callbacks.Callback] | None = None,
    verbose: str | int = "auto",
) -> keras.callbacks.History:
    """Fine-tunes a task model in two phases and returns the merged history.

    Phase 1 freezes the backbone and trains the head. Phase 2 unfreezes the
    backbone from ``recipe.unfreeze_from`` and trains it with layer-wise
    learning rates (deeper stages faster) under a cosine decay, BatchNormalization
    frozen by default. The model is compiled afresh for each phase; both show
    Keras progress bars after a line naming the phase and its epochs (unless
    ``verbose=0``), and epochs are numbered continuously.

    A model built inside ``strategy.scope()`` (e.g. ``tf.distribute.MirroredStrategy``)
    trains under that strategy; batches of ``train_data`` are global batches, split
    between the replicas. BatchNormalization layers that train synchronise their
    batch statistics across the replicas, so the run matches one device with the
    same global batch (see the distributed-training guide).

    Args:
        model: a task model owning a finvision backbone, e.g. an
            :class:`~finvision.models.ImageClassifier`.
        train_data: a ``tf.data.Dataset`` or ``keras.utils.PyDataset`` of
            ``(images, labels)`` batches, or an ``(images, labels)`` tuple of arrays.
        validation_data: the same kinds, or None.
        recipe: the settings; the defaults of :class:`FineTuneRecipe` if None.
        callbacks: Keras callbacks, used in both phases.
        verbose: Keras ``fit`` verbosity.

    Returns:
        A ``keras.callbacks.History`` whose ``history`` holds both phases, epoch
        after epoch.

    Raises:
        TypeError: if ``model`` does not own a finvision backbone or ``recipe``
            is not a :class:`FineTuneRecipe`.
        ValueError: before any training: if ``recipe.unfreeze_from`` is not a
            level or layer of the backbone, the data are empty, arrays hold a
            different number of images and labels, NaN or infinite pixels or
            labels that are not numbers; then if the loss cannot be chosen or
            the steps per epoch cannot be read from the data.
        FloatingPointError: as soon as the training loss is NaN or infinite
            (NaN pixels, a learning rate far too high), naming the epoch and
            batch; the weights are no longer usable then.

    Example:
    >>> import numpy as np
    >>> from finvision.models import ImageClassifier, create_backbone
    >>> classifier = ImageClassifier(create_backbone("resnet18", input_shape=(32, 32, 3)), 2)
    >>> data = (np.zeros((4, 32, 32, 3), "uint8"), np.array([0, 1, 0, 1]))
    >>> history = finetune(classifier, data, recipe=FineTuneRecipe(1, finetune_epochs=1), verbose=0)
    >>> history.epoch, sorted(history.history)
    ([0, 1], ['accuracy', 'loss'])
    """
    backbone_of(model)  # a clear TypeError for anything but a finvision model
    if recipe is not None and not isinstance(recipe, FineTuneRecipe):
        raise TypeError(
            f"`recipe` must be a FineTuneRecipe or None; received {type(recipe).__name__}."
        )
    recipe = recipe or FineTuneRecipe()
    first_trained_layer(model, recipe.unfreeze_from, "unfreeze_from")  # checked before phase 1
    _check_not_empty(train_data)
    _check_arrays(train_data, "train_data")
    if validation_data is not None:
        _check_not_empty(validation_data, "validation_data")
        _check_arrays(validation_data, "validation_data")
    loss = recipe.loss or _default_loss(model)
    fit_data = _fit_arguments(train_data, recipe.batch_size)
    fit_options = {
        "validation_data": validation_data,
        "callbacks": [*(callbacks or []), _StopOnNonFiniteLoss()],
        "verbose": verbose,
    }
    steps = recipe.steps_per_epoch or _steps_per_epoch(train_data, recipe.batch_size)

    phases = []
    if recipe.head_epochs:
        freeze_backbone(model)
        with _strategy_scope(model):
            optimizer = keras.optimizers.AdamW(recipe.head_learning_rate, recipe.weight_decay)
            model.compile(optimizer=optimizer, loss=loss, metrics=list(recipe.metrics))
        _announce(verbose, recipe, "head", "training the head, backbone frozen")
        with _length_found_by_iterating():
            phases.append(model.fit(**fit_data, epochs=recipe.head_epochs, **fit_options))

    if recipe.finetune_epochs:
        unfreeze(model, recipe.unfreeze_from, keep_batchnorm_frozen=recipe.keep_batchnorm_frozen)
        if recipe.bn_momentum is not None:
            for layer in backbone_of(model).layers:
                if isinstance(layer, keras.layers.BatchNormalization) and layer.trainable:
                    layer.momentum = recipe.bn_momentum
        with _strategy_scope(model):
            schedule = keras.optimizers.schedules.CosineDecay(
                recipe.finetune_learning_rate, decay_steps=max(1, steps * recipe.finetune_epochs)
            )
            optimizer = layerwise_learning_rates(
                keras.optimizers.AdamW(schedule, recipe.weight_decay),
                model,
                decay=recipe.layer_decay,
            )
            model.compile(optimizer=optimizer, loss=loss, metrics=list(recipe.metrics))
        _announce(
            verbose,
            recipe,
            "finetune",
            f"fine-tuning the backbone from {recipe.unfreeze_from} "
            f"(layer decay {recipe.layer_decay:g})",
        )
        with _synchronized_batchnorm(model), _length_found_by_iterating():
            phases.append(
                model.fit(
                    **fit_data,
                    initial_epoch=recipe.head_epochs,
                    epochs=recipe.head_epochs + recipe.finetune_epochs,
                    **fit_options,
                )
            )
    return _merge(phases, model)


@contextlib.contextmanager
def _length_found_by_iterating() -> Iterator[None]:
    # At the end of the first epoch over data of unknown length Keras warns "Your
    # input ran out of data; interrupting training": that is how it learns the
    # length, and the next epochs run in full. finetune never passes
    # steps_per_epoch to fit, so the warning cannot mean a shortened run here.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Your input ran out of data", UserWarning)
        yield


def _strategy_scope(model: keras.Model) -> Any:
    # Optimizer variables must be created under the strategy the model lives in.
    strategy = getattr(model, "distribute_strategy", None)
    return strategy.scope() if strategy is not None else contextlib.nullcontext()


@contextlib.contextmanager
def _synchronized_batchnorm(model: keras.Model) -> Iterator[None]:
    # Keras' BatchNormalization normalises each replica's share of the batch with
    # that share's statistics; synchronised, every replica uses the global batch's.
    # Switched off afterwards: `synchronized=True` in a saved config would not load
    # on other backends.
    strategy = getattr(model, "distribute_strategy", None)
    layers = []
    if getattr(strategy, "num_replicas_in_sync", 1) > 1:
        layers = [
            layer
            for layer in backbone_of(model).layers
            if isinstance(layer, keras.layers.BatchNormalization)
            and layer.trainable
            and not layer.synchronized
        ]
    for layer in layers:
        layer.synchronized = True
    try:
        yield
    finally:
        for layer in layers:
            layer.synchronized = False


def _default_loss(model: keras.Model) -> keras.losses.Loss:
    num_classes = getattr(model, "num_classes", None)
    if num_classes is None:
        raise ValueError(
            f"Cannot choose a loss for a {type(model).__name__}: pass FineTuneRecipe(loss=...)."
        )
    from_logits = getattr(model, "activation", "softmax") in (None, "linear")
    if num_classes == 1:
        return keras.losses.BinaryCrossentropy(from_logits=from_logits)
    return keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)


class _StopOnNonFiniteLoss(keras.callbacks.Callback):
    """Raises at the first batch whose training loss is NaN or infinite."""

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            raise FloatingPointError(
                f"The training loss became {float(loss)} at epoch {self.epoch + 1}, batch "
                f"{batch + 1}: the images or labels hold NaN or infinite values, or the "
                "learning rate is far too high. Training stopped; the model's weights are "
                "no longer usable."
            )


def _announce(verbose: str | int, recipe: FineTuneRecipe, phase: str, what: str) -> None:
    """Prints which phase (``"head"`` or ``"finetune"``) starts and its epochs.

    Only phases with epochs are counted and run; nothing prints at ``verbose=0``.
    """
    if verbose == 0:
        return
    running = [name for name in ("head", "finetune") if getattr(recipe, f"{name}_epochs")]
    total = recipe.head_epochs + recipe.finetune_epochs
    first, last = (1, recipe.head_epochs) if phase == "head" else (recipe.head_epochs + 1, total)
    epochs = f"epoch {first}" if first == last else f"epochs {first}-{last}"
    number = running.index(phase) + 1
    print(f"Phase {number}/{len(running)}: {what}; {epochs} of {total}.", flush=True)


def _fit_arguments(data: Any, batch_size: int) -> dict[str, Any]:
    if isinstance(data, tuple) and len(data) == 2:
        return {"x": data[0], "y": data[1], "batch_size": batch_size}
    if hasattr(data, "element_spec"):  # a tf.data.Dataset, shuffled by its loader: Keras
        # ignores `shuffle` for it and warns unless it is False.
        return {"x": data, "shuffle": False}
    return {"x": data}


def _check_not_empty(data: Any, name: str = "train_data") -> None:
    if isinstance(data, tuple) and len(data) == 2:
        size = len(data[0])
    elif hasattr(data, "cardinality"):
        size = int(data.cardinality())
    else:
        return
    if size == 0:
        raise ValueError(f"`{name}` is empty; received {type(data).__name__} of 0 samples.")


def _check_arrays(data: Any, name: str) -> None:
    """For ``(images, labels)`` arrays: finite pixels and one numeric label per image."""
    if not (isinstance(data, tuple) and len(data) == 2):
        return
    images, labels = data
    if len(images) != len(labels):
        raise ValueError(
            f"`{name}` must hold one label per image; received {len(images)} images and "
            f"{len(labels)} labels."
        )
    pixels = np.asarray(images)
    if pixels.dtype.kind == "f" and not np.isfinite(pixels).all():
        first = int(np.flatnonzero(~np.isfinite(pixels).reshape(len(pixels), -1).all(axis=1))[0])
        raise ValueError(
            f"`{name}` images must be finite; image {first} holds NaN or infinite pixels."
        )
    kind = np.asarray(labels).dtype.kind
    if kind not in "biuf":
        raise ValueError(
            f"`{name}` labels must be numbers (class indices or one-hot rows); received "
            f"dtype {np.asarray(labels).dtype}. Map class names to indices first."
        )


def _steps_per_epoch(data: Any, batch_size: int) -> int:
    """Batches per epoch, for the cosine schedule.

    A ``finvision.data`` loader that may skip broken files has an unknown
    cardinality; its file count bounds the batches. Another dataset of unknown
    length is counted once.
    """
    if isinstance(data, tuple) and len(data) == 2:
        return math.ceil(len(data[0]) / batch_size)
    if hasattr(data, "cardinality"):
        cardinality = int(data.cardinality())
        if cardinality > 0:
            return cardinality
        if cardinality == UNKNOWN_CARDINALITY:
            source = getattr(data, "source", None)  # a finvision.data DatasetSource
            if source is not None:
                return source.num_batches
            return max(1, sum(1 for _ in data))
    elif hasattr(data, "__len__"):
        return len(data)
    raise ValueError(
        "Cannot tell how many batches `train_data` has (an infinite dataset): pass "
        "FineTuneRecipe(steps_per_epoch=...), or a finite dataset."
    )


def _merge(phases: list[keras.callbacks.History], model: keras.Model) -> keras.callbacks.History:
    merged = keras.callbacks.History()
    merged.set_model(model)
    merged.epoch = [epoch for phase in phases for epoch in phase.epoch]
    merged.history = {
        key: [value for phase in phases for value in phase.history.get(key, [])]
        for key in phases[-1].history
    }
    return merged
