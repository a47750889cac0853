"""ArcFace: an additive angular margin on a cosine classifier over identities.

Training has two parts, because the class centres are weights and a Keras loss
cannot own trainable weights:

- :class:`ArcFaceHead`, a layer holding one centre per training identity, maps
  embeddings to their cosine with every centre;
- :class:`ArcFaceLoss` adds the margin to the true class's angle, scales, and
  takes the softmax cross-entropy.

The head is only needed for training: a verifier compares embeddings with each
other and never looks at the centres (see
:meth:`finvision.models.verification.SiameseVerifier.with_arcface_head`).
"""

from __future__ import annotations

import math
from typing import Any

import keras
from keras import ops

from finvision.losses._common import check_number

# Squared sines below this are clamped, so sqrt keeps a finite gradient at |cos| = 1.
_MIN_SQUARED_SINE = 1e-12


@keras.saving.register_keras_serializable(package="finvision")
class ArcFaceHead(keras.layers.Layer):
    """Cosine of each embedding with each class centre: ``(N, D) -> (N, num_classes)``.

    Embeddings and centres are L2-normalised before their dot product, so the
    output is ``cos(theta)`` in [-1, 1], the input :class:`ArcFaceLoss` expects.
    The centres are the layer's only weights, ``kernel`` of shape
    ``(D, num_classes)``. The layer computes in float32 unless ``dtype`` says
    otherwise, also under mixed precision.

    Args:
        num_classes: the number of training identities, >= 2.
        kernel_initializer: initializer of the centres.
        **kwargs: standard layer arguments (``name``, ``dtype``).

    Example:
    >>> import numpy as np
    >>> head = ArcFaceHead(3)
    >>> cosines = head(np.eye(4, dtype="float32")[:2])
    >>> tuple(cosines.shape), bool(np.all(np.abs(cosines.numpy()) <= 1.0))
    ((2, 3), True)
    """

    def __init__(
        self, num_classes: int, kernel_initializer: Any = "glorot_uniform", **kwargs: Any
    ) -> None:
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
            raise ValueError(f"`num_classes` must be an integer >= 2; received {num_classes!r}.")
        self.num_classes = num_classes
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(
                "ArcFaceHead expects embeddings (N, D) with a known D; "
                f"received input with shape {tuple(input_shape)}."
            )
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.num_classes),
            initializer=self.kernel_initializer,
            name="kernel",
        )

    def call(self, inputs: Any) -> Any:
        embeddings = ops.normalize(ops.cast(inputs, self.compute_dtype), axis=-1, epsilon=1e-12)
        centres = ops.normalize(ops.cast(self.kernel, self.compute_dtype), axis=0, epsilon=1e-12)
        return ops.clip(ops.matmul(embeddings, centres), -1.0, 1.0)

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple:
        return (input_shape[0], self.num_classes)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
        }


@keras.saving.register_keras_serializable(package="finvision")
class ArcFaceLoss(keras.losses.Loss):
    """Additive angular margin loss (Deng et al., ArcFace, CVPR 2019).

    ``y_pred`` holds cosines ``cos(theta_j)`` between each embedding and each
    class centre, ``(N, C)`` (the output of :class:`ArcFaceHead`); ``y_true``
    the class index of each sample, ``(N,)`` or ``(N, 1)``. The logits
    (:meth:`logits`) are ``scale * cos(theta_y + margin)`` for the true class
    ``y`` and ``scale * cos(theta_j)`` for the others; the loss is their
    softmax cross-entropy, one value per sample. When ``theta_y + margin``
    would pass pi (where ``cos`` turns back up), the true logit is
    ``scale * (cos(theta_y) - margin * sin(margin))`` instead, as in the
    authors' implementation, so it keeps falling as the angle grows.

    Args:
        scale: the feature scale ``s``, > 0 (64 in the paper).
        margin: the additive angular margin ``m`` in radians, in [0, pi/2).
        name: the loss name.
        reduction: the Keras reduction of the per-sample values.
        dtype: the dtype the loss computes in (float32 by default, also under
            mixed precision).

    Example:
    >>> import numpy as np
    >>> loss = ArcFaceLoss(scale=10.0, margin=0.5)
    >>> cosines = np.array([[np.cos(0.3), 0.0]], dtype="float32")
    >>> logits = loss.logits([0], cosines).numpy()
    >>> bool(np.allclose(logits, [[10 * np.cos(0.8), 0.0]], atol=1e-5))
    True
    """

    def __init__(
        self,
        scale: float = 64.0,
        margin: float = 0.5,
        name: str = "arcface_loss",
        reduction: str = "sum_over_batch_size",
        dtype: str | None = None,
    ) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.scale = check_number("scale", scale)
        self.margin = check_number("margin", margin, strict=False)
        if not self.margin < math.pi / 2:
            raise ValueError(f"`margin` must be in [0, pi/2) radians; received {margin!r}.")

    def logits(self, y_true: Any, y_pred: Any) -> Any:
        """The scaled logits with the margin on each sample's true class.

        Args:
            y_true: class indices, ``(N,)`` or ``(N, 1)``.
            y_pred: cosines with every class centre, ``(N, C)``.

        Returns:
            Logits ``(N, C)`` in the loss's dtype.

        Raises:
            ValueError: if ``y_pred`` is not ``(N, C)``.

        Example:
        >>> ArcFaceLoss(scale=2.0, margin=0.0).logits([1], [[0.5, 0.25]]).numpy().tolist()
        [[1.0, 0.5]]
        """
        cosines = ops.convert_to_tensor(y_pred, dtype=self.dtype)
        if len(cosines.shape) != 2:
            raise ValueError(
                "`y_pred` must hold cosines with every class centre, (N, num_classes); "
                f"received shape {tuple(cosines.shape)}."
            )
        labels = ops.reshape(ops.cast(ops.convert_to_tensor(y_true), "int32"), (-1,))
        true_class = ops.one_hot(labels, cosines.shape[-1], dtype="bool")
        sines = ops.sqrt(ops.maximum(1.0 - ops.square(cosines), _MIN_SQUARED_SINE))
        with_margin = cosines * math.cos(self.margin) - sines * math.sin(self.margin)
        past_pi = cosines <= math.cos(math.pi - self.margin)
        with_margin = ops.where(past_pi, cosines - self.margin * math.sin(self.margin), with_margin)
        return self.scale * ops.where(true_class, with_margin, cosines)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        labels = ops.reshape(ops.cast(ops.convert_to_tensor(y_true), "int32"), (-1,))
        return ops.sparse_categorical_crossentropy(
            labels, self.logits(labels, y_pred), from_logits=True
        )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "scale": self.scale, "margin": self.margin}
