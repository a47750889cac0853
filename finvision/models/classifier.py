"""``ImageClassifier``: a backbone with a pooling and dense head."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras

from finvision._validation import check_choice, check_fraction, check_positive_int
from finvision.models._pooled_head import pooled, pooling_layers
from finvision.models.task import Task
from finvision.models.task_checks import check_class_names, check_feature_backbone


@keras.saving.register_keras_serializable(package="finvision")
class ImageClassifier(Task):
    """Classifies whole images: document type, fraud/genuine, live/spoof.

    The backbone's final feature map is pooled, optionally dropped out, and fed
    to one dense layer. The head computes in ``head_dtype`` (float32 by
    default), so probabilities and logits stay float32 under a mixed-precision
    policy. With ``num_classes=1`` the head is a single sigmoid unit for binary
    tasks (a softmax over one unit would be constant, so the default
    ``"softmax"`` becomes ``"sigmoid"`` there).

    Args:
        backbone: a :class:`~finvision.models.Backbone` (or any ``keras.Model``
            whose output is a feature map ``(N, H, W, C)`` or a vector).
        num_classes: the number of classes; 1 for a binary task.
        pooling: ``"avg"`` or ``"max"`` global pooling of a feature map.
        dropout: dropout rate before the dense layer, in [0, 1).
        activation: the head's activation; ``None`` or ``"linear"`` outputs
            logits (use a loss with ``from_logits=True``).
        head_dtype: dtype policy of the dense head.
        class_names: optional names of the classes, in output order; saved
            with the model so predictions can be reported by name (the
            ``finvision`` command and exports use them).
        **kwargs: standard model arguments (``name``, ``trainable``).

    Example:
    >>> import numpy as np
    >>> from finvision.models import create_backbone
    >>> backbone = create_backbone("mobilenet_v3_small", input_shape=(64, 64, 3))
    >>> classifier = ImageClassifier(backbone, num_classes=3)
    >>> classifier.predict(np.zeros((2, 64, 64, 3), "uint8"), verbose=0).shape
    (2, 3)
    """

    def __init__(
        self,
        backbone: keras.Model,
        num_classes: int,
        *,
        pooling: str = "avg",
        dropout: float = 0.0,
        activation: str | None = "softmax",
        head_dtype: str | keras.DTypePolicy = "float32",
        class_names: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:
        check_feature_backbone(backbone, type(self).__name__)
        num_classes = check_positive_int("num_classes", num_classes)
        class_names = check_class_names(class_names, num_classes)
        check_choice("pooling", pooling, ("avg", "max"))
        dropout = check_fraction("dropout", dropout, "[0, 1)")
        head_activation = "sigmoid" if num_classes == 1 and activation == "softmax" else activation

        # === Layers ===
        self.backbone = backbone
        self.pooler, self.head_dropout = pooling_layers(pooling, dropout, backbone.dtype_policy)
        self.head = keras.layers.Dense(
            num_classes, activation=head_activation, dtype=head_dtype, name="predictions"
        )

        # === Functional model ===
        images = keras.Input(shape=backbone.input_shape[1:], name="images")
        features = pooled(backbone(images), self.pooler, self.head_dropout)
        super().__init__(inputs=images, outputs=self.head(features), **kwargs)

        # === Config ===
        self.num_classes = num_classes
        self.pooling = pooling
        self.dropout = dropout
        self.activation = activation
        self.head_dtype = keras.dtype_policies.get(head_dtype).name
        self.class_names = class_names

    def reset_head(
        self, num_classes: int, class_names: Sequence[str] | None = None
    ) -> ImageClassifier:
        """Returns a classifier for a new label set, sharing this backbone.

        The new model has a freshly initialised head with ``num_classes``
        outputs and the same pooling, dropout, activation and name; the
        backbone (and its weights) is shared, not copied. Compile the new model
        before training it.

        Args:
            num_classes: the number of classes of the new label set.
            class_names: optional names of the new classes.

        Returns:
            A new :class:`ImageClassifier`.

        Example:
        >>> from finvision.models import create_backbone
        >>> backbone = create_backbone("resnet18", input_shape=(32, 32, 3))
        >>> ImageClassifier(backbone, 10).reset_head(4).output_shape
        (None, 4)
        """
        return ImageClassifier(
            self.backbone,
            num_classes,
            pooling=self.pooling,
            dropout=self.dropout,
            activation=self.activation,
            head_dtype=self.head_dtype,
            class_names=class_names,
            name=self.name,
        )

    def serving_outputs(self, images: Any) -> dict[str, Any]:
        """The exported output: ``probabilities`` ``(N, num_classes)``.

        A linear head (``activation=None`` or ``"linear"``) gets its softmax,
        or its sigmoid with one unit, so every export serves probabilities.

        Args:
            images: float32 raw pixels ``(N, H, W, C)``.

        Returns:
            ``{"probabilities": ...}``.

        Example:
        >>> import numpy as np
        >>> from finvision.models import create_backbone
        >>> backbone = create_backbone("resnet18", input_shape=(32, 32, 3))
        >>> logits = ImageClassifier(backbone, 3, activation=None)
        >>> outputs = logits.serving_outputs(np.zeros((1, 32, 32, 3), "float32"))
        >>> round(float(keras.ops.sum(outputs["probabilities"])), 5)
        1.0
        """
        outputs = self(images, training=False)
        if self.activation in (None, "linear"):
            outputs = (
                keras.ops.sigmoid(outputs)
                if self.num_classes == 1
                else keras.ops.softmax(outputs, axis=-1)
            )
        return {"probabilities": outputs}

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "pooling": self.pooling,
            "dropout": self.dropout,
            "activation": self.activation,
            "head_dtype": self.head_dtype,
            "class_names": self.class_names,
        }
