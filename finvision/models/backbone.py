"""The :class:`Backbone` model: a registered architecture with pyramid outputs."""

from __future__ import annotations

import contextlib
import numbers
from collections.abc import Iterator, Sequence
from typing import Any

import keras

from finvision.models.registry import BackboneSpec, get_backbone_spec
from finvision.preprocessing.normalization import BackboneNormalization

LEVELS = (1, 2, 3, 4, 5)
POOLINGS = (None, "avg", "max")


@contextlib.contextmanager
def dtype_policy_scope(dtype: str | keras.DTypePolicy | None) -> Iterator[None]:
    """Builds layers under ``dtype`` as the global policy, then restores it.

    Args:
        dtype: a policy name such as ``"mixed_float16"``, a ``keras.DTypePolicy``,
            or None to keep the current global policy.

    Yields:
        Nothing; layers created inside the block take the policy.

    Example:
    >>> import keras
    >>> with dtype_policy_scope("mixed_float16"):
    ...     layer = keras.layers.Dense(2)
    >>> layer.dtype_policy.name
    'mixed_float16'
    """
    previous = keras.config.dtype_policy()
    if dtype is not None:
        keras.config.set_dtype_policy(dtype)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def validate_input_shape(input_shape: Sequence[int | None], spec: BackboneSpec) -> tuple:
    """Checks an ``(height, width, channels)`` shape against a backbone.

    Args:
        input_shape: the shape of one image, channels last; height and width may
            be None for variable-sized input.
        spec: the backbone it is meant for.

    Returns:
        The shape as a tuple.

    Raises:
        ValueError: for a rank other than 3, a channel count below 1, or a height
            or width that is not an int or None or is smaller than the network's
            total stride.

    Example:
    >>> from finvision.models import get_backbone_spec
    >>> validate_input_shape([64, 96, 1], get_backbone_spec("resnet18"))
    (64, 96, 1)
    """
    shape = tuple(input_shape)
    if len(shape) != 3:
        raise ValueError(
            "`input_shape` must be (height, width, channels) for one image, channels "
            f"last; received {shape} (rank {len(shape)})."
        )
    height, width, channels = shape
    if not isinstance(channels, int) or isinstance(channels, bool) or channels < 1:
        raise ValueError(f"`input_shape` needs a channel count >= 1 last; received {shape}.")
    if any(size is not None and not _is_int(size) for size in (height, width)):
        raise ValueError(f"`input_shape` needs int (or None) height and width; received {shape}.")
    for size in (height, width):
        if size is not None and size < spec.min_input_size:
            raise ValueError(
                f"`input_shape` {shape} is too small for {spec.name}: it downsamples by "
                f"32, so height and width must be at least {spec.min_input_size} (or None). "
                "Is the shape channels-first? finvision expects channels last."
            )
    return shape


@keras.saving.register_keras_serializable(package="finvision")
class Backbone(keras.Model):
    """A feature extractor built from a registered architecture.

    Use :func:`finvision.models.create_backbone`, which also loads weights; this
    class is what it returns, and what ``.keras`` files reload into. The model
    maps images to the last feature map (or a pooled vector, or a dict of
    pyramid levels with ``features_only=True``). ``pyramid_outputs`` always
    holds the symbolic feature maps ``"P1"`` to ``"P5"`` at strides 2 to 32, for
    building decoders on top.

    Args:
        architecture: a name from :func:`finvision.models.list_backbones`.
        input_shape: ``(height, width, channels)`` of one image.
        include_preprocessing: put the weights' normalisation inside the graph,
            so the model takes raw pixels in [0, 255] (float or uint8).
        features_only: output a dict of the ``out_levels`` feature maps.
        out_levels: pyramid levels (1 to 5) output with ``features_only=True``.
        pooling: None, ``"avg"`` or ``"max"``: global pooling of the final map.
        bn_momentum: momentum for every BatchNormalization layer; None keeps the
            architecture's own.
        frozen_layers: names of layers to freeze in a trainable backbone. The
            config records the layers frozen at saving time (by
            :func:`finvision.transfer.unfreeze`, for example), so a partly
            frozen backbone reloads as it was, optimizer state included.
        **kwargs: standard model arguments (``name``, ``dtype``, ``trainable``).

    Example:
    >>> backbone = Backbone("resnet18", input_shape=(64, 64, 3), pooling="avg")
    >>> backbone.output.shape, backbone.pyramid_outputs["P3"].shape
    ((None, 512), (None, 8, 8, 128))
    """

    def __init__(
        self,
        architecture: str,
        *,
        input_shape: Sequence[int | None] = (224, 224, 3),
        include_preprocessing: bool = True,
        features_only: bool = False,
        out_levels: Sequence[int] = (3, 4, 5),
        pooling: str | None = None,
        bn_momentum: float | None = None,
        frozen_layers: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        spec = get_backbone_spec(architecture)
        input_shape = validate_input_shape(input_shape, spec)
        out_levels = _validate_out_levels(out_levels)
        if pooling not in POOLINGS:
            raise ValueError(f"`pooling` must be one of {POOLINGS}, received {pooling!r}.")
        if features_only and pooling is not None:
            raise ValueError(
                f"`pooling={pooling!r}` pools the final map only; it cannot be combined "
                "with `features_only=True`, which outputs the pyramid levels."
            )
        if bn_momentum is not None and not (
            isinstance(bn_momentum, int | float)
            and not isinstance(bn_momentum, bool)
            and 0 <= bn_momentum < 1
        ):
            raise ValueError(
                f"`bn_momentum` must be None or a number in [0, 1); received {bn_momentum!r}."
            )
        trainable = kwargs.pop("trainable", True)
        dtype = kwargs.pop("dtype", None)
        with dtype_policy_scope(dtype):
            images = keras.Input(shape=input_shape, name="images")
            features = images
            if include_preprocessing:
                features = BackboneNormalization.from_spec(spec, name="normalization")(images)
            trunk = spec.build_trunk(features)
            pyramid = {
                level: trunk.get_layer(layer).output for level, layer in spec.pyramid_layers.items()
            }
            pyramid["P5"] = trunk.output
            if features_only:
                outputs: Any = {f"P{level}": pyramid[f"P{level}"] for level in out_levels}
            elif pooling == "avg":
                outputs = keras.layers.GlobalAveragePooling2D(name="avg_pool")(trunk.output)
            elif pooling == "max":
                outputs = keras.layers.GlobalMaxPooling2D(name="max_pool")(trunk.output)
            else:
                outputs = trunk.output
            super().__init__(inputs=images, outputs=outputs, dtype=dtype, **kwargs)
        if bn_momentum is not None:
            for layer in self.layers:
                if isinstance(layer, keras.layers.BatchNormalization):
                    layer.momentum = bn_momentum
        self.trainable = trainable
        for layer_name in frozen_layers:
            self.get_layer(layer_name).trainable = False
        self.spec = spec
        self.pyramid_outputs = pyramid
        self.architecture = spec.name
        self.include_preprocessing = include_preprocessing
        self.features_only = features_only
        self.out_levels = out_levels
        self.pooling = pooling
        self.bn_momentum = bn_momentum

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": keras.saving.serialize_keras_object(self.dtype_policy),
            "architecture": self.architecture,
            "input_shape": list(self.input_shape[1:]),
            "include_preprocessing": self.include_preprocessing,
            "features_only": self.features_only,
            "out_levels": list(self.out_levels),
            "pooling": self.pooling,
            "bn_momentum": self.bn_momentum,
            "frozen_layers": [
                layer.name for layer in self.layers if layer.weights and not layer.trainable
            ]
            if self.trainable
            else [],
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Backbone:
        config = dict(config)
        config["dtype"] = keras.saving.deserialize_keras_object(config.get("dtype"))
        return cls(**config)


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _validate_out_levels(out_levels: Sequence[int]) -> tuple[int, ...]:
    levels = tuple(out_levels)
    if (
        not levels
        or any(level not in LEVELS for level in levels)
        or len(set(levels)) != len(levels)
    ):
        raise ValueError(
            f"`out_levels` must be distinct pyramid levels from {LEVELS}; received {out_levels!r}."
        )
    return tuple(sorted(levels))
