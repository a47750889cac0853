"""A tiny instance of every public serializable class, for the round-trip matrix.

Every class registered under ``finvision>`` or exported by a public module as a
Keras layer, model, metric, loss or optimizer needs one case here;
``test_every_public_class_is_covered`` names the classes that have none.
Preprocessing layers reuse the contract-test registry
(``tests/preprocessing/layer_cases.py``) rather than repeating it.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from typing import Any

import keras
import numpy as np

from finvision import callbacks, generative, losses, metrics, models, preprocessing, transfer
from finvision.transfer.layerwise import LayerwiseLearningRateMixin
from tests.preprocessing.layer_cases import LAYER_CASES, RANDOM_CASES

PUBLIC_MODULES = (models, preprocessing, metrics, losses, callbacks, transfer, generative)
KERAS_BASES = (
    keras.layers.Layer,
    keras.metrics.Metric,
    keras.losses.Loss,
    keras.optimizers.Optimizer,
)
#: Public base classes that are never built themselves; each subclass has its case.
ABSTRACT_BASES = (models.Task,)
POLICIES = ("float32", "mixed_float16")
SIZE = 32
RNG = np.random.default_rng(0)


def _pixels(channels: int, height: int = SIZE, width: int = SIZE, count: int = 2) -> np.ndarray:
    return RNG.integers(0, 256, (count, height, width, channels), dtype="uint8")


@dataclasses.dataclass(frozen=True)
class LayerCase:
    """A layer, called on ``inputs`` (with ``training`` for augmentations)."""

    cls: type
    build: Callable[[], keras.layers.Layer]
    inputs: np.ndarray
    training: bool = False


@dataclasses.dataclass(frozen=True)
class ModelCase:
    """A model on ``inputs``; ``train`` compiles it and runs one training step."""

    cls: type
    build: Callable[[], keras.Model]
    inputs: np.ndarray
    train: Callable[[keras.Model], None] | None = None
    policies: tuple[str, ...] = POLICIES


@dataclasses.dataclass(frozen=True)
class MetricCase:
    """A metric and the ``(y_true, y_pred, sample_weight)`` batches it is updated with."""

    cls: type
    build: Callable[[], keras.metrics.Metric]
    updates: tuple[tuple[Any, Any, Any], ...]


@dataclasses.dataclass(frozen=True)
class LossCase:
    """A loss and one ``(y_true, y_pred)`` batch."""

    cls: type
    build: Callable[[], keras.losses.Loss]
    y_true: Any
    y_pred: Any


@dataclasses.dataclass(frozen=True)
class OptimizerCase:
    """A layer-wise optimizer class, made from its Keras base optimizer."""

    cls: type

    def build(self) -> keras.optimizers.Optimizer:
        base = self.cls.base_optimizer_class()
        return transfer.with_lr_multipliers(base, {"hidden/kernel": 0.5, "scores/bias": 0.0})


Case = LayerCase | ModelCase | MetricCase | LossCase | OptimizerCase


# === Public classes ===


def public_classes() -> dict[str, type]:
    """Every public serializable class, by registered name (``finvision>Name``).

    Walks ``__all__`` of the public modules for Keras layers, models, metrics,
    losses and optimizers, and adds every class registered under ``finvision``
    (the layer-wise optimizers are registered, not exported). A public Keras
    class that is not registered keeps its bare name, so it shows up as missing.
    """
    found = {}
    for module in PUBLIC_MODULES:
        for name in module.__all__:
            candidate = getattr(module, name)
            is_keras = inspect.isclass(candidate) and issubclass(candidate, KERAS_BASES)
            if is_keras and candidate not in ABSTRACT_BASES:
                found[keras.saving.get_registered_name(candidate)] = candidate
    for name, candidate in keras.saving.get_custom_objects().items():
        if name.startswith("finvision>"):
            found[name] = candidate
    return found


# === Layers ===


def _preprocessing_cases() -> dict[str, LayerCase]:
    cases = {}
    for name, (factory, channels, _) in LAYER_CASES.items():
        cases[f"preprocessing.{name}"] = LayerCase(
            type(factory()), factory, _pixels(channels, 24, 32), training=name in RANDOM_CASES
        )
    return cases


LAYERS = {
    **_preprocessing_cases(),
    "losses.ArcFaceHead": LayerCase(
        losses.ArcFaceHead,
        lambda: losses.ArcFaceHead(5, name="centres"),
        RNG.normal(size=(4, 8)).astype("float32"),
    ),
    "models.PerFrame": LayerCase(
        models.PerFrame,
        lambda: models.PerFrame(keras.layers.Conv2D(4, 3, name="frame_conv")),
        RNG.normal(size=(2, 3, 8, 8, 2)).astype("float32"),
    ),
    "models.FramePositionEncoding": LayerCase(
        models.FramePositionEncoding,
        models.FramePositionEncoding,
        RNG.normal(size=(2, 5, 6)).astype("float32"),
    ),
    "callbacks.OperatingThreshold": LayerCase(
        callbacks.OperatingThreshold,
        lambda: callbacks.OperatingThreshold(0.625),
        RNG.uniform(size=(4, 1)).astype("float32"),
    ),
}


# === Models ===

# Backbones: tests/models/test_serialization.py reloads all 14 from .keras files
# at float32 (and test_round_trip_keeps_every_argument one at mixed_float16).
# All 14 take 160 s under mixed_float16 here (2-core CPU), so the matrix adds
# mixed_float16 for two backbones that differ most in construction: finvision's
# own ResNet (resnet18) and a keras.applications model with hard-swish,
# squeeze-excite and Rescaling layers (mobilenet_v3_small). The task models
# below run on mobilenet_v1 under both policies.
BACKBONE_SUBSET = ("resnet18", "mobilenet_v3_small")
TASK_BACKBONE = "mobilenet_v1"  # the quickest to build, train, save and reload


def _backbone(name: str, channels: int = 3, **kwargs: Any) -> models.Backbone:
    return models.create_backbone(name, input_shape=(SIZE, SIZE, channels), **kwargs)


# One eager training step: the optimizer state is the same as with a traced
# step, without tracing a training graph (tens of seconds for a backbone here).
def _train(model: keras.Model, loss: Any, x: Any, y: Any) -> None:
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss, run_eagerly=True)
    model.fit(x, y, batch_size=len(x), epochs=1, verbose=0)


def _train_reader(model: models.TextLineRecognizer) -> None:
    model.compile(optimizer=keras.optimizers.Adam(1e-3), run_eagerly=True)  # CTC by default
    model.fit(LINES, model.encode(["0110", "10"], length=4), batch_size=2, epochs=1, verbose=0)


LINES = _pixels(1, 16, 48)
IDENTITIES = np.array([0, 0, 1, 1])
CLIPS = RNG.integers(0, 256, (2, 3, SIZE, SIZE, 3), dtype="uint8")
MASKS = (RNG.uniform(size=(2, SIZE, SIZE, 1)) > 0.8).astype("float32")

# GAN networks take [noise or pixels, labels]; their own rng leaves RNG's draws unchanged.
_GAN_RNG = np.random.default_rng(1)
_GAN_LABELS = np.array([0, 1], dtype="int32")
GAN_NOISE = [_GAN_RNG.normal(size=(2, 8)).astype("float32"), _GAN_LABELS]
GAN_PIXELS = [_GAN_RNG.integers(0, 256, (2, SIZE, SIZE, 1), dtype="uint8"), _GAN_LABELS]


def _gan() -> generative.ConditionalGAN:
    return generative.ConditionalGAN(
        generative.ConditionalGenerator(2, (SIZE, SIZE, 1), latent_dim=8, width=4),
        generative.ConditionalDiscriminator(2, (SIZE, SIZE, 1), width=4),
        seed=0,
    )


MODELS = {
    **{
        f"models.Backbone[{name}]": ModelCase(
            models.Backbone,
            lambda name=name: _backbone(name),
            _pixels(3),
            policies=("mixed_float16",),
        )
        for name in BACKBONE_SUBSET
    },
    "models.ImageClassifier": ModelCase(
        models.ImageClassifier,
        lambda: models.ImageClassifier(
            _backbone(TASK_BACKBONE), 3, dropout=0.2, class_names=list("abc")
        ),
        _pixels(3),
        lambda model: _train(
            model, "sparse_categorical_crossentropy", _pixels(3), np.array([0, 2])
        ),
    ),
    "models.SequenceClassifier": ModelCase(
        models.SequenceClassifier,
        lambda: models.SequenceClassifier(
            _backbone(TASK_BACKBONE), 2, temporal="attention", units=8, num_heads=2, frames=3
        ),
        CLIPS,
        lambda model: _train(model, "sparse_categorical_crossentropy", CLIPS, np.array([0, 1])),
    ),
    "models.SiameseVerifier": ModelCase(
        models.SiameseVerifier,
        lambda: models.SiameseVerifier(_backbone(TASK_BACKBONE, 1), 8),
        _pixels(1),
        lambda model: _train(model, losses.TripletLoss(0.3), _pixels(1, count=4), IDENTITIES),
    ),
    "models.TamperSegmenter": ModelCase(
        models.TamperSegmenter,
        lambda: models.TamperSegmenter(
            _backbone(TASK_BACKBONE), decoder_channels=8, forensic_inputs=("srm",)
        ),
        _pixels(3),
        lambda model: _train(model, {"mask": losses.DiceBCELoss()}, _pixels(3), {"mask": MASKS}),
    ),
    "models.TextZoneLocator": ModelCase(
        models.TextZoneLocator,
        lambda: models.TextZoneLocator(_backbone(TASK_BACKBONE), decoder_channels=8),
        _pixels(3),
        lambda model: _train(
            model, losses.DiceBCELoss(), _pixels(3), np.concatenate([MASKS, MASKS], axis=-1)
        ),
    ),
    "models.TextLineRecognizer": ModelCase(
        models.TextLineRecognizer,
        lambda: models.TextLineRecognizer("01", height=16, lstm_units=4),
        LINES,
        _train_reader,
    ),
    **{
        f"generative.{cls.__name__}": ModelCase(cls, build, inputs)
        for cls, build, inputs in (
            (generative.ConditionalGenerator, lambda: _gan().generator, GAN_NOISE),
            (generative.ConditionalDiscriminator, lambda: _gan().discriminator, GAN_PIXELS),
            (generative.ConditionalGAN, lambda: _gan(), GAN_NOISE),
        )
    },
}


# === Metrics and losses ===

_LABELS = np.array([1, 0, 1, 1, 0, 0, 1, 0])
_SCORES = np.array([0.9, 0.2, 0.55, 0.4, 0.45, 0.1, 0.8, 0.6], dtype="float32")[:, None]
SCORE_UPDATES = (
    (_LABELS[:5], _SCORES[:5], None),
    (_LABELS[5:], _SCORES[5:], np.array([2.0, 1.0, 0.5])),
)
# Label sequences (0-padded) and decoded sequences (-1-padded); 3 is the space.
TEXT_UPDATES = (
    (np.array([[1, 2, 3, 4], [2, 2, 0, 0]]), np.array([[1, 2, 3, 5], [2, -1, -1, -1]]), None),
    (np.array([[4, 3, 1, 0]]), np.array([[4, 1, -1, -1]]), np.array([2.0])),
)


def _metric(cls: type, *args: Any, text: bool = False, **kwargs: Any) -> MetricCase:
    return MetricCase(cls, lambda: cls(*args, **kwargs), TEXT_UPDATES if text else SCORE_UPDATES)


METRICS = {
    "metrics.EqualErrorRate": _metric(metrics.EqualErrorRate, num_thresholds=21, name="eer"),
    "metrics.FalseMatchRate": _metric(metrics.FalseMatchRate, threshold=0.5),
    "metrics.FalseNonMatchRate": _metric(metrics.FalseNonMatchRate, threshold=0.5),
    "metrics.KSStatistic": _metric(metrics.KSStatistic, num_thresholds=21),
    "metrics.RecallAtFPR": _metric(metrics.RecallAtFPR, fpr=0.25, num_thresholds=21),
    "metrics.BPCERAtAPCER": _metric(metrics.BPCERAtAPCER, apcer=0.25, num_thresholds=21),
    "metrics.F1Score": _metric(metrics.F1Score, threshold=0.5),
    "metrics.CharacterErrorRate": _metric(metrics.CharacterErrorRate, text=True),
    "metrics.WordErrorRate": _metric(metrics.WordErrorRate, separator_index=3, text=True),
}

_EMBEDDINGS = RNG.normal(size=(6, 4)).astype("float32")
_IDS = np.array([0, 0, 1, 1, 2, 2])
LOSSES = {
    "losses.ContrastiveLoss": LossCase(
        losses.ContrastiveLoss, lambda: losses.ContrastiveLoss(margin=0.7), _IDS, _EMBEDDINGS
    ),
    "losses.TripletLoss": LossCase(
        losses.TripletLoss, lambda: losses.TripletLoss(margin=0.3), _IDS, _EMBEDDINGS
    ),
    "losses.ArcFaceLoss": LossCase(
        losses.ArcFaceLoss,
        lambda: losses.ArcFaceLoss(scale=16.0, margin=0.2),
        np.array([0, 2, 1]),
        RNG.uniform(-1, 1, size=(3, 4)).astype("float32"),
    ),
    "losses.DiceBCELoss": LossCase(
        losses.DiceBCELoss, lambda: losses.DiceBCELoss(), MASKS, RNG.uniform(size=MASKS.shape)
    ),
}


# === Optimizers ===

OPTIMIZERS = {
    f"transfer.{name.split('>')[1]}": OptimizerCase(cls)
    for name, cls in sorted(keras.saving.get_custom_objects().items())
    if name.startswith("finvision>")
    and inspect.isclass(cls)
    and issubclass(cls, LayerwiseLearningRateMixin)
}

CASES: dict[str, Case] = {**LAYERS, **MODELS, **METRICS, **LOSSES, **OPTIMIZERS}

# (case, dtype policy) pairs that do not round-trip, for reasons outside finvision;
# their tests are strict xfails, so a fix upstream makes them fail until removed.
KNOWN_FAILURES = {
    ("transfer.LayerwiseNadam", "mixed_float16"): (
        "keras.optimizers.Nadam keeps its running product `_u_product` in a variable "
        "outside `optimizer.variables`, so .keras files do not save it; inside the "
        "LossScaleOptimizer of mixed_float16 it is updated, and the first step after "
        "reloading differs (plain keras.optimizers.Nadam too)"
    ),
}
