"""``SequenceClassifier``: a backbone on every frame, then a recurrent or attention layer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras

from finvision._validation import check_choice, check_fraction, check_positive_int
from finvision.models._pooled_head import pooling_layers
from finvision.models.frames import FramePositionEncoding, PerFrame
from finvision.models.task import Task
from finvision.models.task_checks import check_class_names, check_feature_backbone

#: The values of ``SequenceClassifier(temporal=...)``.
TEMPORAL_LAYERS = ("lstm", "gru", "attention")


@keras.saving.register_keras_serializable(package="finvision")
class SequenceClassifier(Task):
    """Classifies clips of frames: liveness from selfie clips, multi-page documents.

    The backbone runs on every frame (:class:`PerFrame`, the batched form of
    ``keras.layers.TimeDistributed``) and its feature map is pooled to one
    vector per frame. A temporal layer then reads the frame vectors in order:

    - ``"lstm"`` / ``"gru"``: a recurrent layer of ``units``; its last state
      summarises the clip.
    - ``"attention"``: the vectors are projected to ``units``, given
      sinusoidal frame positions (:class:`FramePositionEncoding`), mixed by
      multi-head self-attention with a residual connection and layer
      normalisation, then averaged over frames.

    A dense head (in ``head_dtype``, float32 by default) gives the class
    probabilities. Input is ``(N, frames, height, width, channels)`` raw pixels,
    as the backbone takes them; ``frames=None`` accepts any clip length (the
    same within a batch).

    Args:
        backbone: a :class:`~finvision.models.Backbone` (or any ``keras.Model``
            whose output is a feature map ``(N, H, W, C)`` or a vector).
        num_classes: the number of classes; 1 for a binary task (one sigmoid
            unit, as in :class:`~finvision.models.ImageClassifier`).
        temporal: ``"lstm"``, ``"gru"`` or ``"attention"``.
        frames: the clip length, or None for clips of any length.
        units: width of the temporal layer.
        num_heads: attention heads (``temporal="attention"`` only); must
            divide ``units``.
        pooling: ``"avg"`` or ``"max"`` pooling of each frame's feature map.
        dropout: dropout rate before the dense head, in [0, 1).
        activation: the head's activation; ``None`` outputs logits.
        head_dtype: dtype policy of the temporal layer and the head.
        class_names: optional names of the classes, in output order.
        **kwargs: standard model arguments (``name``, ``trainable``).

    Example:
    >>> import numpy as np
    >>> from finvision.models import create_backbone
    >>> backbone = create_backbone("mobilenet_v3_small", input_shape=(32, 32, 3))
    >>> model = SequenceClassifier(backbone, num_classes=2, temporal="gru", frames=4)
    >>> clips = np.zeros((3, 4, 32, 32, 3), "uint8")
    >>> model.predict(clips, verbose=0).shape
    (3, 2)
    """

    def __init__(
        self,
        backbone: keras.Model,
        num_classes: int,
        *,
        temporal: str = "lstm",
        frames: int | None = None,
        units: int = 128,
        num_heads: int = 4,
        pooling: str = "avg",
        dropout: float = 0.0,
        activation: str | None = "softmax",
        head_dtype: str | keras.DTypePolicy = "float32",
        class_names: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:
        check_feature_backbone(backbone, type(self).__name__)
        num_classes = check_positive_int("num_classes", num_classes)
        check_choice("temporal", temporal, TEMPORAL_LAYERS)
        if frames is not None:
            frames = check_positive_int("frames", frames)
        units = check_positive_int("units", units)
        num_heads = check_positive_int("num_heads", num_heads)
        if temporal == "attention" and units % num_heads:
            raise ValueError(
                f"`units` must be a multiple of `num_heads` for attention; received "
                f"units={units}, num_heads={num_heads}."
            )
        class_names = check_class_names(class_names, num_classes)
        check_choice("pooling", pooling, ("avg", "max"))
        dropout = check_fraction("dropout", dropout, "[0, 1)")
        head_activation = "sigmoid" if num_classes == 1 and activation == "softmax" else activation

        # === Layers ===
        self.backbone = backbone
        pooler, self.head_dropout = pooling_layers(pooling, dropout, backbone.dtype_policy)
        self.frame_encoder = PerFrame(backbone, name="frame_encoder")
        self.frame_pooler = PerFrame(pooler, name="frame_pooler")
        self.temporal_layers = _temporal_layers(temporal, units, num_heads, head_dtype)
        self.head = keras.layers.Dense(
            num_classes, activation=head_activation, dtype=head_dtype, name="predictions"
        )

        # === Functional model ===
        clips = keras.Input(shape=(frames, *backbone.input_shape[1:]), name="clips")
        features = self.frame_encoder(clips)
        if len(features.shape) == 5:
            features = self.frame_pooler(features)
        summary = _read_in_order(features, self.temporal_layers)
        if self.head_dropout is not None:
            summary = self.head_dropout(summary)
        super().__init__(inputs=clips, outputs=self.head(summary), **kwargs)

        # === Config ===
        self.num_classes = num_classes
        self.temporal = temporal
        self.frames = frames
        self.units = units
        self.num_heads = num_heads
        self.pooling = pooling
        self.dropout = dropout
        self.activation = activation
        self.head_dtype = keras.dtype_policies.get(head_dtype).name
        self.class_names = class_names

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "temporal": self.temporal,
            "frames": self.frames,
            "units": self.units,
            "num_heads": self.num_heads,
            "pooling": self.pooling,
            "dropout": self.dropout,
            "activation": self.activation,
            "head_dtype": self.head_dtype,
            "class_names": self.class_names,
        }


def _temporal_layers(
    temporal: str, units: int, num_heads: int, dtype: str | keras.DTypePolicy
) -> list[keras.layers.Layer]:
    """The layers that turn frame vectors ``(N, T, D)`` into one clip vector."""
    if temporal == "lstm":
        return [keras.layers.LSTM(units, dtype=dtype, name="temporal_lstm")]
    if temporal == "gru":
        return [keras.layers.GRU(units, dtype=dtype, name="temporal_gru")]
    return [
        keras.layers.Dense(units, dtype=dtype, name="frame_projection"),
        FramePositionEncoding(dtype=dtype, name="frame_positions"),
        keras.layers.MultiHeadAttention(
            num_heads, units // num_heads, dtype=dtype, name="temporal_attention"
        ),
        keras.layers.LayerNormalization(dtype=dtype, name="attention_norm"),
        keras.layers.GlobalAveragePooling1D(dtype=dtype, name="frame_average"),
    ]


def _read_in_order(features: Any, layers: list[keras.layers.Layer]) -> Any:
    """Applies the temporal layers; attention is a residual self-attention block."""
    if len(layers) == 1:
        return layers[0](features)
    projection, positions, attention, norm, average = layers
    encoded = positions(projection(features))
    return average(norm(encoded + attention(encoded, encoded)))
